import type { RequestHandler } from 'express';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { type SpanAttributes, TRACER_NAME } from '../tracing/spans';
import { methodLabel, routeTemplate } from './http-route';
import { type RelayMetrics } from './relay-metrics';

/** API calls get a server span; probes, /metrics and static files only a count. */
const TRACED = /^\/(rooms|admin\/api)(\/|$)/;

/**
 * First middleware of the HTTP stack (before the rate limiter, so 429s count too): one
 * nullroom_http_requests_total increment per answered request and, for the REST and admin API,
 * an OpenTelemetry server span named `{METHOD} {route template}`. The span is active while the
 * handler runs, so room create/close spans nest under it. Its attributes are method, route
 * template and status: never the path, query, headers or client address.
 */
export function observeHttp(metrics: RelayMetrics | undefined): RequestHandler {
  return (req, res, next) => {
    const method = methodLabel(req.method);
    const span = TRACED.test(req.path)
      ? trace.getTracer(TRACER_NAME).startSpan(method, {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': method } satisfies SpanAttributes,
        })
      : undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const route = routeTemplate(req);
      const status = res.headersSent ? res.statusCode : 0;
      metrics?.countHttp(route, method, status);
      if (span !== undefined) {
        span.updateName(`${method} ${route}`);
        span.setAttributes({
          'http.route': route,
          'http.response.status_code': status,
        } satisfies SpanAttributes);
        if (status >= 500 || status === 0) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(status) });
        }
        span.end();
      }
    };
    res.once('finish', finish);
    // A client that hangs up before the answer: counted with status 0.
    res.once('close', finish);
    if (span === undefined) return next();
    context.with(trace.setSpan(context.active(), span), next);
  };
}
