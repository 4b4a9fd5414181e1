/**
 * A WebSocket proxy between the clients and the real relay that records every frame in both
 * directions: the relay's-eye view of a room, for the "no plaintext on the wire" check.
 */
import { type AddressInfo } from 'node:net';
// Node-only test harness: a WebSocket server is needed to stand between clients and relay.
// eslint-disable-next-line @nx/enforce-module-boundaries
import WebSocket, { WebSocketServer } from 'ws';

export interface CapturedFrame {
  readonly direction: 'to-relay' | 'from-relay';
  /** The connection's query string (`?roomId=…&clientId=…`), to tell connections apart. */
  readonly query: string;
  readonly binary: boolean;
  readonly data: Buffer;
}

export class CaptureProxy {
  readonly frames: CapturedFrame[] = [];
  private server: WebSocketServer | undefined;

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    this.server = server;
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (client, req) => {
      const query = (req.url ?? '').replace(/^[^?]*/, '');
      const relay = new WebSocket(`${this.upstream}${query}`, { perMessageDeflate: false });
      const early: [Buffer, boolean][] = [];
      relay.on('open', () => {
        for (const [data, binary] of early.splice(0)) relay.send(data, { binary });
      });
      client.on('message', (data: Buffer, binary) => {
        this.frames.push({ direction: 'to-relay', query, binary, data });
        if (relay.readyState === WebSocket.OPEN) relay.send(data, { binary });
        else early.push([data, binary]);
      });
      relay.on('message', (data: Buffer, binary) => {
        this.frames.push({ direction: 'from-relay', query, binary, data });
        if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
      });
      const closeCode = (code: number) => (code === 1005 || code === 1006 ? 1000 : code);
      relay.on('close', (code, reason) => client.close(closeCode(code), reason));
      client.on('close', (code, reason) => relay.close(closeCode(code), reason));
      relay.on('error', () => client.terminate());
      client.on('error', () => relay.terminate());
    });
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const c of server.clients) c.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
