import {
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  trace,
} from '@opentelemetry/api';
import { type RoomMode } from '@nullroom/protocol';
import { DirectoryError } from '../cluster';
import { RelayError } from '../common/relay.exception';
import { type RoomEndReason } from '../rooms/rooms.service';
import {
  type ClaimOutcome,
  type DirectoryOp,
  type ForwardDirection,
} from '../metrics/cluster-metrics';

/** Instrumentation scope of every relay span. */
export const TRACER_NAME = 'nullroom-relay';

/**
 * Span names of the relay's own operations. HTTP server spans are named `{METHOD} {route}` with
 * the route template (OTel HTTP semantic conventions), never the raw path. There is no span per
 * frame: the hot path is counted in metrics, not traced.
 */
export const SpanName = {
  RoomCreate: 'nullroom.room.create',
  RoomClose: 'nullroom.room.close',
  RoomJoin: 'nullroom.room.join',
  Claim: 'nullroom.cluster.claim',
  Forward: 'nullroom.cluster.forward',
  Drain: 'nullroom.drain',
  Directory: 'nullroom.directory',
} as const;
export type SpanName = (typeof SpanName)[keyof typeof SpanName];

/**
 * Every attribute a relay span may carry. Values are closed sets, counts and error codes: there
 * is deliberately no key under which a room id, join token, client id or address could be put
 * (BRIEF non-negotiable 4). Add a key here, with a closed type, before using it.
 */
export type SpanAttributes = {
  'nullroom.room.mode'?: RoomMode;
  'nullroom.room.close_reason'?: RoomEndReason;
  'nullroom.room.participants'?: number;
  'nullroom.room.max_participants'?: number;
  'nullroom.connections'?: number;
  'nullroom.close_code'?: number;
  'nullroom.claim.outcome'?: ClaimOutcome;
  'nullroom.forward.direction'?: ForwardDirection;
  'nullroom.directory.op'?: DirectoryOp;
  'nullroom.directory.keys'?: number;
  /** A RelayErrorCode or DirectoryErrorCode; other errors give their class name. */
  'error.type'?: string;
  'http.request.method'?: string;
  /** The route template (`/rooms/:roomId`), never the path. */
  'http.route'?: string;
  'http.response.status_code'?: number;
};

export interface TraceOptions {
  readonly kind?: SpanKind;
  /** Parent context, e.g. extracted from a forwarded connection's headers. Default: active. */
  readonly parent?: Context;
}

/** The part of a span the relay's code may touch: typed attributes only. */
export interface TracedSpan {
  set(attributes: SpanAttributes): void;
}

const NOOP: TracedSpan = { set: () => undefined };

/**
 * Runs `fn` inside a span (synchronous or async). Errors end the span with status ERROR and
 * `error.type` set to the domain code, then propagate unchanged; the error's message is never
 * recorded (it may be shown to users, it is not needed to find the failing step).
 *
 * With no OpenTelemetry SDK registered the API returns non-recording spans: this costs a few
 * allocations per call, on operations that happen per room or per join, never per frame.
 */
export function traced<T>(
  /** A SpanName, or `{METHOD} {route template}` for HTTP. */
  name: string,
  attributes: SpanAttributes,
  fn: (span: TracedSpan) => T,
  options: TraceOptions = {},
): T {
  const parent = options.parent ?? context.active();
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }, parent);
  const handle: TracedSpan = span.isRecording()
    ? { set: (more) => void span.setAttributes(more) }
    : NOOP;
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), () => fn(handle));
  } catch (error) {
    fail(span, error);
    span.end();
    throw error;
  }
  if (isPromise(result)) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        fail(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** A span for an instant (a room created or ended): started and ended at once. */
export function mark(name: SpanName, attributes: SpanAttributes): void {
  trace.getTracer(TRACER_NAME).startSpan(name, { attributes }, context.active()).end();
}

/** Adds attributes to the active span, if any (e.g. the room mode, once a join has found it). */
export function annotate(attributes: SpanAttributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** The error's type for a span: a domain code, or the class name of anything else. */
export function errorType(error: unknown): string {
  if (error instanceof RelayError || error instanceof DirectoryError) return error.code;
  if (error instanceof Error) return error.name;
  return 'unknown';
}

function fail(span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

function isPromise(value: unknown): value is Promise<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
