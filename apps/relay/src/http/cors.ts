import { type NextFunction, type Request, type Response } from 'express';

/**
 * The routes a browser on another site calls: the widget reads /public-config, creates a room
 * when the relay needs no API key (support mode), and its host may close a room with its join
 * token. Nothing here rides on ambient credentials (no cookies; keys and tokens are sent
 * explicitly), so allowing other origins exposes nothing a plain HTTP client could not do.
 * The admin API is same-origin only: its dashboard is served by the relay itself.
 */
const CORS_PATHS = /^\/(?:public-config|rooms(?:\/[^/]+)?)\/?$/;
const METHODS = 'GET, POST, DELETE, OPTIONS';
const HEADERS =
  'content-type, x-api-key, authorization, x-join-token, x-turnstile-token, cf-turnstile-response';

export function cors(allowed: '*' | ReadonlySet<string>) {
  const off = allowed !== '*' && allowed.size === 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (off || !CORS_PATHS.test(req.path)) return next();
    const origin = req.headers.origin;
    if (allowed === '*') {
      res.setHeader('access-control-allow-origin', '*');
    } else {
      res.vary('origin');
      if (typeof origin !== 'string' || !allowed.has(origin)) return next();
      res.setHeader('access-control-allow-origin', origin);
    }
    if (
      req.method === 'OPTIONS' &&
      typeof req.headers['access-control-request-method'] === 'string'
    ) {
      res.setHeader('access-control-allow-methods', METHODS);
      res.setHeader('access-control-allow-headers', HEADERS);
      res.setHeader('access-control-max-age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
