/**
 * Where the e2e test opens the dashboard. If the relay already serves the built admin at /admin/
 * (ANOCHAT_ADMIN_KEY set, relay with static serving), that is the origin. Otherwise a small
 * loopback server plays the relay's part: the built files at /admin/ with the relay's CSP, and
 * everything else (admin API, /rooms, /ws upgrades) proxied to the relay.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { extname, join, normalize } from 'node:path';

export const ADMIN_DIST = join(__dirname, '..', '..', 'dist', 'browser');

/** The CSP the relay sends with the dashboard (apps/relay/src/http/static-ui.ts). */
export const ADMIN_CSP = [
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

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface AdminOrigin {
  readonly url: string;
  /** 'relay' when the relay serves /admin/ itself, 'proxy' for the stand-in server. */
  readonly via: 'relay' | 'proxy';
  close(): Promise<void>;
}

export async function adminOrigin(relayBaseUrl: string): Promise<AdminOrigin> {
  const index = readFileSync(join(ADMIN_DIST, 'index.html'), 'utf8');
  // ADMIN_E2E_VIA=proxy exercises the stand-in even where the relay serves the dashboard.
  try {
    if (process.env.ADMIN_E2E_VIA === 'proxy') throw new Error('stand-in requested');
    const res = await fetch(`${relayBaseUrl}/admin/`);
    if (res.ok && (await res.text()) === index) {
      return { url: relayBaseUrl, via: 'relay', close: () => Promise.resolve() };
    }
  } catch {
    // fall through to the stand-in
  }
  const relay = new URL(relayBaseUrl);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/admin' || (path.startsWith('/admin/') && !path.startsWith('/admin/api/'))) {
      const rel = normalize(decodeURIComponent(path.slice('/admin/'.length)));
      const file = join(ADMIN_DIST, rel);
      const isFile =
        rel !== '.' && !rel.startsWith('..') && existsSync(file) && extname(file) !== '';
      res.setHeader('content-security-policy', ADMIN_CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      if (isFile) {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(readFileSync(file));
      } else if (extname(path) !== '') {
        res.writeHead(404).end();
      } else {
        res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
        res.end(index);
      }
      return;
    }
    const upstream = request(
      {
        host: relay.hostname,
        port: relay.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const upstream = connect(Number(relay.port), relay.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    via: 'proxy',
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
