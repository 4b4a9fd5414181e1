import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/** One TCP connection through the proxy: every byte, in both directions, in order. */
export interface RecordedConnection {
  readonly toServer: Buffer[];
  readonly toClient: Buffer[];
}

/** An HTTP/1.1 request read back from a recorded client→server stream. */
export interface RecordedRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** The request exactly as it went over the wire (head and body). */
  readonly raw: Buffer;
}

/**
 * A TCP proxy that records everything between pods: it stands in front of a pod's internal port
 * (the harness publishes its address as the pod's POD_ADDRESS), so every pod-to-pod request and
 * forwarded WebSocket to that pod crosses it. It plays the on-path observer of issue 17: what it
 * records is what anyone with access to pod traffic sees, and what it can replay or tamper with.
 */
export class RecordingProxy {
  readonly connections: RecordedConnection[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly targetPort: number,
  ) {}

  static async start(targetPort: number): Promise<RecordingProxy> {
    const server = createServer();
    const proxy = new RecordingProxy(server, targetPort);
    server.on('connection', (client) => proxy.relay(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every byte recorded so far, client→server then server→client, per connection. */
  streams(): Buffer[] {
    return this.connections.flatMap((c) => [Buffer.concat(c.toServer), Buffer.concat(c.toClient)]);
  }

  /** The HTTP requests recorded so far (a WebSocket's frames after its upgrade are skipped). */
  requests(): RecordedRequest[] {
    return this.connections.flatMap((c) => parseRequests(Buffer.concat(c.toServer)));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const record: RecordedConnection = { toServer: [], toClient: [] };
    this.connections.push(record);
    const upstream = connect(this.targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      record.toServer.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      record.toClient.push(chunk);
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  }
}

function parseRequests(stream: Buffer): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
  let at = 0;
  while (at < stream.length) {
    const headEnd = stream.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const lines = stream.subarray(at, headEnd).toString('latin1').split('\r\n');
    const [method = '', target = ''] = lines[0]!.split(' ');
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const length = Number(headers.get('content-length') ?? '0');
    const bodyStart = headEnd + 4;
    const body = stream.subarray(bodyStart, bodyStart + length);
    requests.push({ method, target, headers, body, raw: stream.subarray(at, bodyStart + length) });
    // After an upgrade the connection carries WebSocket frames, not requests.
    if ((headers.get('upgrade') ?? '').toLowerCase() === 'websocket') break;
    at = bodyStart + length;
  }
  return requests;
}

/** Sends raw bytes to 127.0.0.1:port and resolves with the HTTP status of the answer. */
export function sendRaw(port: number, raw: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('sendRaw: no answer in 5 s'));
    }, 5000);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(raw);
  });
}
