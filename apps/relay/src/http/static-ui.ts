import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { type RelayConfig } from '../config/config';
import {
  ADMIN_NOT_BUILT_PAGE,
  ADMIN_OFF_PAGE,
  FAVICON_SVG,
  landingPage,
  sendPage,
  WIDGET_NOT_BUILT_PAGE,
  wantsHtml,
} from './pages';

/** The repository (or image) root: dist/http/static-ui.js → apps/relay/dist/http → ../../../.. */
const ROOT = join(__dirname, '../../../..');

/**
 * The admin dashboard keeps an admin key in the page and opens E2EE sessions: nothing but this
 * origin may run script in it, frame it or receive its requests.
 */
const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** Build tools put a content hash in asset names (main-3FJ2K7QZ.js): those never change. */
const HASHED = /[-.][A-Za-z0-9_]{8,}\.(?:js|css|woff2?|svg|png|jpg|webp|ico|map)$/;

function notFound(res: Response, message: string): void {
  res.status(404).json({ error: 'not_found', message });
}

/** 404 as a page for a browser, as the usual JSON for anything else. */
function notFoundFor(req: Request, res: Response, message: string, html: string): void {
  if (wantsHtml(req)) sendPage(res, 404, html);
  else notFound(res, message);
}

function cacheHeaders(res: Response, path: string): void {
  res.setHeader(
    'cache-control',
    HASHED.test(basename(path)) ? 'public, max-age=31536000, immutable' : 'no-cache',
  );
}

/**
 * The built admin dashboard at /admin/ (only while ANOCHAT_ADMIN_KEY is set, as in seed 000) and
 * the embeddable widget at /widget/. Plain files from the builds' output folders: unknown paths
 * under /admin/ that name no file get index.html (the dashboard routes in the page), a missing
 * build answers 404 saying so, and /admin/api/* is left to the admin API. No access log.
 */
export function staticUi(config: RelayConfig, root = ROOT): Router {
  const adminDir = config.ui.adminDir || join(root, 'apps/admin/dist/browser');
  const widgetDir = config.ui.widgetDir || join(root, 'apps/widget/dist');
  const adminIndex = join(adminDir, 'index.html');
  const router = express.Router();

  // For people who open the relay in a browser: what is where. API clients get the usual 404.
  router.get('/', (req: Request, res: Response, next: NextFunction) => {
    if (!wantsHtml(req)) return next();
    sendPage(res, 200, landingPage(config.auth.adminKey !== ''));
  });
  // Browsers ask for /favicon.ico on every page they show; the pages link /favicon.svg.
  router.get(['/favicon.ico', '/favicon.svg'], (_req: Request, res: Response) => {
    res.setHeader('content-type', 'image/svg+xml');
    res.setHeader('cache-control', 'public, max-age=86400');
    res.setHeader('x-content-type-options', 'nosniff');
    res.end(FAVICON_SVG);
  });

  const adminFiles = express.static(adminDir, {
    index: false,
    redirect: false,
    dotfiles: 'ignore',
    setHeaders: cacheHeaders,
  });
  router.use('/admin', (req: Request, res: Response, next: NextFunction) => {
    if (req.path === '/api' || req.path.startsWith('/api/')) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (config.auth.adminKey === '') {
      return notFoundFor(
        req,
        res,
        'the admin dashboard is off: set ANOCHAT_ADMIN_KEY to enable it',
        ADMIN_OFF_PAGE,
      );
    }
    // /admin → /admin/: the page's relative URLs resolve below /admin/.
    if (req.originalUrl.split('?')[0] === '/admin') return res.redirect(301, '/admin/');
    res.setHeader('content-security-policy', ADMIN_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    adminFiles(req, res, () => {
      if (!existsSync(adminIndex)) {
        return notFoundFor(
          req,
          res,
          'the admin dashboard is not built: run npm run build',
          ADMIN_NOT_BUILT_PAGE,
        );
      }
      // A missing asset stays a 404; anything else is a route of the dashboard.
      if (extname(req.path) !== '') return notFound(res, 'no such file');
      res.setHeader('cache-control', 'no-store');
      res.sendFile(adminIndex);
    });
  });

  const widgetFiles = express.static(widgetDir, {
    index: 'index.html',
    redirect: true,
    dotfiles: 'ignore',
    setHeaders: (res, path) => {
      cacheHeaders(res, path);
      res.setHeader('x-content-type-options', 'nosniff');
      // Sites embed the script from their own pages.
      res.setHeader('cross-origin-resource-policy', 'cross-origin');
    },
  });
  router.use('/widget', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.originalUrl.split('?')[0] === '/widget') return res.redirect(301, '/widget/');
    widgetFiles(req, res, () => {
      if (existsSync(widgetDir)) return notFound(res, 'no such file');
      notFoundFor(req, res, 'the widget is not built: run npm run build', WIDGET_NOT_BUILT_PAGE);
    });
  });
  return router;
}
