import { type Context, ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';

type HeaderCarrier = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) across the internal forwarding hop.
 * Only `traceparent` and `tracestate` travel: the tracing bootstrap registers no baggage
 * propagator, so nothing else (and nothing about the room or its members) rides along.
 *
 * The ring pod calls `traceHeaders()` when it opens the forwarded socket to the owner; the owner
 * calls `extractTraceContext(req.headers)` on its internal port and passes the result as the
 * `parent` of its join span. Public endpoints don't extract: a browser does not get to pick
 * trace ids in the operator's tracing backend.
 *
 * Without the SDK (OTEL_EXPORTER_OTLP_ENDPOINT unset) both are no-ops.
 */
export function traceHeaders(
  headers: Record<string, string> = {},
  from: Context = context.active(),
): Record<string, string> {
  propagation.inject(from, headers);
  return headers;
}

export function extractTraceContext(headers: HeaderCarrier): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}
