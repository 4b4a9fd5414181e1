import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { RelayError, RelayErrorCode } from '../../src/common/relay.exception';
import { extractTraceContext, traceHeaders } from '../../src/tracing/propagation';
import { SpanName, traced } from '../../src/tracing/spans';
import { shutdownTracing, startTracing, tracingRequested } from '../../src/tracing/tracing';

/** The tracing helpers, against the real SDK with an in-memory exporter. */
describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    expect(startTracing({}, { logging: false, exporter })).toBe(true);
  });
  afterEach(() => exporter.reset());
  afterAll(() => shutdownTracing());

  it('starts the SDK only when an OTLP endpoint is configured', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c/v1/traces' })).toBe(
      true,
    );
    expect(
      tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBe(false);
  });

  it('carries the trace across the forwarding hop in W3C traceparent, and nothing else', () => {
    // Ring pod: a forward span; its context goes into the upgrade request's headers.
    let headers: Record<string, string> = {};
    traced(SpanName.Forward, { 'nullroom.forward.direction': 'out' }, () => {
      headers = traceHeaders();
    });
    expect(Object.keys(headers)).toEqual(['traceparent']);
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // Owner pod: a fresh context (no active span), the headers as a Node request has them.
    context.with(trace.deleteSpan(context.active()), () =>
      traced(SpanName.RoomJoin, {}, () => undefined, {
        parent: extractTraceContext({ ...headers, host: 'pod-b:8766' }),
        kind: SpanKind.SERVER,
      }),
    );
    const [forward, join] = exporter.getFinishedSpans();
    expect(forward!.name).toBe(SpanName.Forward);
    expect(join!.name).toBe(SpanName.RoomJoin);
    expect(join!.spanContext().traceId).toBe(forward!.spanContext().traceId);
    expect(join!.parentSpanContext?.spanId).toBe(forward!.spanContext().spanId);
    expect(join!.parentSpanContext?.isRemote).toBe(true);
  });

  it('ignores baggage and malformed trace headers', () => {
    const ctx = extractTraceContext({ traceparent: 'garbage', baggage: 'roomId=secret' });
    expect(trace.getSpanContext(ctx)).toBeUndefined();
  });

  it('records the domain error code (never the message) and rethrows, sync and async', async () => {
    expect(() =>
      traced(SpanName.RoomJoin, {}, () => {
        throw new RelayError(RelayErrorCode.RoomFull, 'room is full');
      }),
    ).toThrow('room is full');
    await expect(
      traced(SpanName.Claim, {}, () => Promise.reject(new TypeError('x'))),
    ).rejects.toThrow(TypeError);
    await traced(SpanName.Drain, {}, () => Promise.resolve(1));
    const [sync, rejected, ok] = exporter.getFinishedSpans();
    expect(sync!.attributes).toEqual({ 'error.type': 'room_full' });
    expect(sync!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'room_full' });
    expect(rejected!.attributes['error.type']).toBe('TypeError');
    expect(ok!.status.code).toBe(SpanStatusCode.UNSET);
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.events))).not.toContain('full');
  });
});
