// The floor: the least a Node `ws` server can do to fan a frame out to a room. One room; each
// binary SEND (0x01|payload) goes out to every other socket as MESSAGE (0x81|0|n|sender|payload),
// the same bytes Nullroom sends, built once per frame. No auth, limits, REST or presence.
// Usage: PORT=0 node bench/bare-ws-relay.mjs  (prints "listening <port>" on stdout)
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  perMessageDeflate: false,
});
wss.on('listening', () => process.stdout.write(`listening ${wss.address().port}\n`));
wss.on('connection', (ws, req) => {
  const id = new URL(req.url ?? '/', 'http://x').searchParams.get('clientId') ?? 'anon';
  const header = Buffer.from([0x81, 0, id.length, ...Buffer.from(id, 'latin1')]);
  ws.on('message', (data, isBinary) => {
    if (!isBinary || data[0] !== 0x01) return;
    const frame = Buffer.concat([header, data.subarray(1)]);
    for (const peer of wss.clients) if (peer !== ws && peer.readyState === 1) peer.send(frame);
  });
});
process.on('SIGTERM', () => process.exit(0));
