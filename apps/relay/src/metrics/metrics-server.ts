import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type RelayMetrics } from './relay-metrics';

/** Answers `GET /metrics` on a plain node:http server; false for any other request. */
export function serveMetrics(
  metrics: RelayMetrics,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' || path !== '/metrics') return false;
  metrics.scrape().then(
    (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
    () => res.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n'),
  );
  return true;
}

/**
 * /metrics on its own listener (METRICS_PORT), so that neither the public nor the internal port
 * has to expose it. Nothing else is served here.
 */
export class MetricsServer {
  private server: Server | undefined;

  constructor(
    private readonly metrics: RelayMetrics,
    private readonly port: number,
    private readonly host: string,
  ) {}

  async start(): Promise<number> {
    const server = createServer((req, res) => {
      if (!serveMetrics(this.metrics, req, res)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
