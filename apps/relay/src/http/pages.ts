/**
 * The few HTML pages the relay writes itself, for people who open it in a browser: the landing
 * page at `/`, and what `/admin/` and `/widget/` say when they are off or not built. Static text
 * only (nothing from the request is echoed), one inline stylesheet, light and dark, and a CSP
 * that allows nothing else. API clients asking for JSON keep getting JSON.
 */
import { type Request, type Response } from 'express';

export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The icon of the dashboard, the widget demo and the landing page (also at /favicon.ico). */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="7" fill="#2f5bd3"/>' +
  '<rect x="9" y="9" width="14" height="14" rx="2" fill="#ffffff"/></svg>';

const STYLE = `
:root { color-scheme: light dark; --bg: #f4f5f7; --card: #fff; --fg: #1d2330; --muted: #4f5666;
  --line: #dfe3ea; --accent: #2f5bd3; }
@media (prefers-color-scheme: dark) { :root { --bg: #14171d; --card: #1d2129; --fg: #e7e9ee;
  --muted: #aab1bf; --line: #2e3440; --accent: #8ea6ff; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 640px; margin: 48px auto; padding: 24px 28px; background: var(--card);
  border: 1px solid var(--line); border-radius: 12px; }
@media (max-width: 680px) { main { margin: 0; border-radius: 0; border-width: 0 0 1px; } }
h1 { font-size: 1.3rem; margin: 0 0 8px; }
p, li { color: var(--fg); }
.muted { color: var(--muted); }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

export const ADMIN_OFF_PAGE = page(
  'Admin dashboard is off · Nullroom',
  `<h1>The admin dashboard is off</h1>
<p>This relay runs without <code>ANOCHAT_ADMIN_KEY</code>, so <code>/admin/</code> and the admin
API are disabled. To enable them, set a long random secret and restart the relay:</p>
<pre>ANOCHAT_ADMIN_KEY=$(openssl rand -hex 32)</pre>
<p>in <code>.env</code> in the repository root (<code>cp .env.example .env</code>), or in the
environment of <code>npm start</code>, <code>scripts/start.sh</code> or the container. Then open
this page again and sign in with that key.</p>
<p class="muted">The key stays in the browser tab that uses it; anyone who has it can read the
list of support rooms and close them, so keep it secret.</p>`,
);

export const ADMIN_NOT_BUILT_PAGE = page(
  'Admin dashboard not built · Nullroom',
  `<h1>The admin dashboard is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds first), then reload.</p>`,
);

export const WIDGET_NOT_BUILT_PAGE = page(
  'Widget not built · Nullroom',
  `<h1>The widget is not built</h1>
<p>Run <code>npm run build:widget</code> (or <code>npm start</code>, which builds first), then
reload. The bundle lands in <code>apps/widget/dist/anochat-widget.js</code>.</p>`,
);

export function landingPage(adminOn: boolean): string {
  return page(
    'Nullroom relay',
    `<h1>Nullroom relay</h1>
<p>An ephemeral, end-to-end-encrypted chat relay: it forwards ciphertext between the members of a
room and keeps everything in RAM.</p>
<ul>
<li><a href="/widget/">/widget/</a> — the embeddable chat widget and its demo page
(<code>/widget/anochat-widget.js</code> for your site)</li>
<li>${
      adminOn
        ? '<a href="/admin/">/admin/</a> — the admin dashboard for support rooms'
        : '<a href="/admin/">/admin/</a> — the admin dashboard (off: set <code>ANOCHAT_ADMIN_KEY</code>)'
    }</li>
<li><a href="/health">/health</a> and <a href="/ready">/ready</a> — probes</li>
</ul>
<p class="muted">The REST API (<code>POST /rooms</code>) and the WebSocket endpoint
(<code>/ws</code>) are described in the repository's <code>docs/protocol.md</code>; every setting
in <code>docs/operations.md</code> and <code>.env.example</code>.</p>`,
  );
}

/** A browser navigating (Accept: text/html before JSON), not an API client. */
export function wantsHtml(req: Request): boolean {
  return req.accepts(['json', 'html']) === 'html';
}

export function sendPage(res: Response, status: number, html: string): void {
  res.status(status);
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-security-policy', PAGE_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('cache-control', 'no-cache');
  res.end(html);
}
