// Stand-in relay pod for harness tests: answers /health and /ready, tells its POD_NAME on any
// other HTTP path and on every WebSocket (first message `{"pod": …}`, then echo). On SIGTERM it
// drains like the relay will: unready, closes sockets with 1012 (service restart), exits.
// Prints nothing (LOGGING=0 semantics). Same env as a relay pod: PORT, INTERNAL_PORT, POD_NAME.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const pod = process.env.POD_NAME ?? 'pod';
let draining = false;

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/health') return json(res, 200, { status: 'ok', pod });
  if (path === '/ready') return json(res, draining ? 503 : 200, { ready: !draining, pod });
  return json(res, 200, { pod });
});
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  if (draining) return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.send(JSON.stringify({ pod }));
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
});
const internal = createServer((_req, res) => json(res, 200, { pod, internal: true }));

server.listen(Number(process.env.PORT), '127.0.0.1');
internal.listen(Number(process.env.INTERNAL_PORT), '127.0.0.1');

process.on('SIGTERM', () => {
  draining = true;
  for (const ws of wss.clients) ws.close(1012, 'restart');
  server.close();
  internal.close();
  setTimeout(() => process.exit(0), 100).unref();
  setTimeout(() => process.exit(0), 200);
});
