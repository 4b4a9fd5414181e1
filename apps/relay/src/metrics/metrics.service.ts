import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { type RelayConfig } from '../config/config';
import { observeHttp } from './http-observability';
import { MetricsServer, serveMetrics } from './metrics-server';
import { RelayMetrics, type MetricsSources } from './relay-metrics';

/**
 * METRICS=1 builds the registry and serves it in one place: on METRICS_PORT when set (its own
 * listener), else on the internal port in cluster mode (main.ts mounts `internalRoute`), else on
 * the public port (MetricsController). METRICS=0: no registry, no default Node collectors, no
 * fan-out timing; the plain counters of RelayStats still feed /admin/api/stats.
 */
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly metrics: RelayMetrics | undefined;
  private server: MetricsServer | undefined;

  constructor(
    private readonly config: RelayConfig,
    sources: MetricsSources,
  ) {
    this.metrics = config.metrics.enabled ? new RelayMetrics(sources) : undefined;
  }

  get where(): 'off' | 'own-port' | 'internal-port' | 'public-port' {
    if (this.metrics === undefined) return 'off';
    if (this.config.metrics.port !== 0) return 'own-port';
    if (this.config.cluster.internalPort !== 0) return 'internal-port';
    return 'public-port';
  }

  /** The first middleware of the HTTP stack (main.ts). */
  httpMiddleware(): RequestHandler {
    return observeHttp(this.metrics);
  }

  /**
   * For the internal listener's `addRoute`: answers GET /metrics there (unauthenticated, like
   * any scrape target: the output holds counts, no secrets and no identifiers).
   */
  internalRoute(): (req: IncomingMessage, res: ServerResponse) => boolean {
    return (req, res) =>
      this.metrics !== undefined &&
      this.where === 'internal-port' &&
      serveMetrics(this.metrics, req, res);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.metrics === undefined || this.where !== 'own-port') return;
    const port = this.config.metrics.port;
    this.server = new MetricsServer(this.metrics, port, this.config.host);
    try {
      await this.server.start();
    } catch (error) {
      // Like the public port in main.ts: one line, even with LOGGING=0, and no start.
      const code = (error as { code?: string }).code ?? 'error';
      process.stderr.write(`nullroom: cannot listen on ${this.config.host}:${port} (${code})\n`);
      process.exit(1);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.stop();
  }
}
