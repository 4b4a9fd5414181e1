import type { Request } from 'express';

/**
 * Label values for HTTP metrics and span names. A path can hold a room id (`/rooms/<uuid>`), so
 * it is never a label: the route template is. Express knows it once a route matched
 * (`req.route.path`); requests answered before routing (429, 404, static files) are mapped by
 * the table below, and everything else collapses into one value.
 */
export const UNMATCHED_ROUTE = 'unmatched';

const EXACT = new Set([
  '/health',
  '/ready',
  '/metrics',
  '/public-config',
  '/rooms',
  '/ws',
  '/admin/api/health',
  '/admin/api/stats',
  '/admin/api/support-rooms',
]);

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/rooms\/[^/]+$/, '/rooms/:roomId'],
  [/^\/admin\/api\/rooms\/[^/]+$/, '/admin/api/rooms/:roomId'],
  [/^\/admin\/api(\/|$)/, UNMATCHED_ROUTE],
  [/^\/admin(\/|$)/, '/admin/*'],
  [/^\/widget(\/|$)/, '/widget/*'],
];

export function routeTemplate(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (typeof route?.path === 'string' && route.path !== '*') return req.baseUrl + route.path;
  // Inside a mounted router (the static UI) req.path is relative to the mount point.
  return templateOfPath(req.originalUrl.split('?')[0] ?? req.path);
}

export function templateOfPath(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (EXACT.has(trimmed)) return trimmed;
  for (const [pattern, template] of PATTERNS) if (pattern.test(trimmed)) return template;
  return UNMATCHED_ROUTE;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Request methods are client input: anything unusual is one label value. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}
