/**
 * The relay as a site would see it once it serves the widget: one loopback origin with /widget/
 * from apps/widget/dist and everything else (REST and the WebSocket upgrade) passed through to
 * the real relay process. A real server rather than page routing, because Chromium's Local
 * Network Access checks refuse a loopback WebSocket from a document it didn't fetch itself.
 */
import { createServer, request, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

export interface WidgetServer {
  readonly origin: string;
  close(): Promise<void>;
}

export async function serveWidget(dist: string, relayPort: number): Promise<WidgetServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path.startsWith('/widget/')) {
      const file = normalize(path === '/widget/' ? 'index.html' : path.slice('/widget/'.length));
      if (file.startsWith('..')) return void res.writeHead(404).end();
      readFile(join(dist, file)).then(
        (body) =>
          res
            .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
            .end(body),
        () => res.writeHead(404).end('not found'),
      );
      return;
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: relayPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = connect(relayPort, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      up.write(head);
      socket.pipe(up).pipe(socket);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
