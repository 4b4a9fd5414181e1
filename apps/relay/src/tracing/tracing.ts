import {
  type DiagLogger,
  DiagLogLevel,
  context,
  diag,
  propagation,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
  serviceNameEnvDetector,
} from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  type SpanProcessor,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

type Env = Readonly<Record<string, string | undefined>>;

export interface TracingOptions {
  /** LOGGING: when false the SDK prints nothing, ever (its diagnostics go nowhere). */
  readonly logging: boolean;
  readonly log?: { warn(message: string): void; error(message: string): void };
  /** Tests: export here, synchronously, instead of OTLP. */
  readonly exporter?: SpanExporter;
}

let provider: TracerProvider | undefined;

const SHUTDOWN_TIMEOUT_MS = 2000;

/** True when the environment asks for trace export (standard OTel variables). */
export function tracingRequested(env: Env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return (
    Boolean(endpoint?.trim()) &&
    env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true' &&
    env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() !== 'none'
  );
}

/**
 * Starts the OpenTelemetry SDK, before Nest boots, only when OTEL_EXPORTER_OTLP_ENDPOINT (or the
 * traces-specific variable) is set; otherwise the @opentelemetry/api calls in the relay stay
 * no-ops. Spans leave by OTLP/HTTP with JSON bodies, batched. The exporter itself reads the
 * standard OTEL_EXPORTER_OTLP_* variables (endpoint, headers, timeout, compression).
 *
 * Returns whether the SDK started.
 */
export function startTracing(env: Env, options: TracingOptions): boolean {
  if (provider !== undefined) return true;
  if (options.exporter === undefined && !tracingRequested(env)) return false;
  if (options.logging && options.log !== undefined) {
    diag.setLogger(diagLogger(options.log), DiagLogLevel.WARN);
  } else {
    // LOGGING=0: zero bytes on stdout and stderr, including from a failing exporter.
    diag.disable();
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Trace context only: no baggage propagator, so no free-form data crosses pods.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());

  const processor: SpanProcessor =
    options.exporter === undefined
      ? new BatchSpanProcessor({
          exporter: new OTLPTraceExporter(),
          scheduledDelayMillis: positive(env.OTEL_BSP_SCHEDULE_DELAY, 5000),
          maxQueueSize: positive(env.OTEL_BSP_MAX_QUEUE_SIZE, 2048),
          maxExportBatchSize: positive(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, 512),
        })
      : new SimpleSpanProcessor({ exporter: options.exporter });
  provider = new TracerProvider({
    resource: defaultResource()
      .merge(resourceFromAttributes({ 'service.name': 'nullroom-relay' }))
      .merge(
        detectResources({ detectors: [serviceNameEnvDetector, resourceAttributesEnvDetector] }),
      ),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio(env)) }),
    spanProcessors: [processor],
  });
  trace.setGlobalTracerProvider(provider);
  return true;
}

/** Flushes queued spans and stops the SDK (on drain, before exit). Safe to call when off. */
export async function shutdownTracing(): Promise<void> {
  const current = provider;
  provider = undefined;
  if (current === undefined) return;
  // A dead collector must not hold the exit: flush for at most SHUTDOWN_TIMEOUT_MS.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    current.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  trace.disable();
  context.disable();
  propagation.disable();
}

/** OTEL_TRACES_SAMPLER_ARG as the root sampling ratio (default 1: sample every trace). */
function ratio(env: Env): number {
  const text = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const value = text === undefined || text === '' ? 1 : Number(text);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : 1;
}

function positive(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

/** The SDK's own warnings and errors, through the relay logger (which has no context argument). */
function diagLogger(log: NonNullable<TracingOptions['log']>): DiagLogger {
  const say =
    (write: (message: string) => void) =>
    (message: string): void =>
      write(`opentelemetry: ${message}`);
  return {
    error: say((m) => log.error(m)),
    warn: say((m) => log.warn(m)),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
}
