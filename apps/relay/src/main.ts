import 'reflect-metadata';
import { type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { WindowLimiter } from './abuse/window-limiter';
import { AppModule } from './app.module';
import { Clock } from './common/clock';
import { AppLogger } from './common/logger';
import { RelayStats } from './common/stats';
import { loadConfig } from './config/config';
import { RelayWsAdapter } from './gateway/relay-ws.adapter';
import { jsonBody } from './http/body';
import { HttpErrorFilter } from './http/http-exception.filter';
import { rateLimit } from './http/rate-limit.middleware';
import { staticUi } from './http/static-ui';
import { cors } from './http/cors';
import { AdminController } from './admin/admin.controller';
import { RelayGateway } from './gateway/relay.gateway';
import { DrainService } from './lifecycle/drain.service';
import { MetricsService } from './metrics/metrics.service';
import { ClusterAuth } from './ownership/cluster-auth';
import { InternalApi } from './ownership/internal-api';
import { InternalServer } from './ownership/internal-server';
import { OwnershipService } from './ownership/ownership.service';
import { RoomsService } from './rooms/rooms.service';
import { startTracing } from './tracing/tracing';

/**
 * Boot. A relay that cannot start (bad configuration, port taken) says why in one line on
 * stderr even with LOGGING=0: it never served anyone, and a silent exit helps nobody. From the
 * moment it listens, LOGGING=0 means zero bytes on stdout and stderr.
 */
async function main(): Promise<void> {
  const loaded = loadConfig(process.env, hostname());
  if (!loaded.ok) {
    process.stderr.write(`nullroom: invalid configuration: ${loaded.errors.join('; ')}\n`);
    process.exit(78); // EX_CONFIG
  }
  const config = loaded.config;
  const logger = new AppLogger(config.logging);
  if (!config.logging) silenceProcess();
  // Before Nest: spans of the boot itself and every module find the SDK (a no-op when unset).
  startTracing(process.env, { logging: config.logging, log: logger });
  process.on('uncaughtException', (error) => {
    logger.error(`fatal: uncaught ${error.name}`);
    process.exit(1);
  });

  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, logger), {
    logger: config.logging ? nestLogger(logger) : false,
    bodyParser: false,
    abortOnError: false,
  });
  const stats = app.get(RelayStats);
  app.disable('x-powered-by');
  app.useWebSocketAdapter(
    new RelayWsAdapter(app, {
      maxPayload: config.ws.maxFrameBytes,
      onSocketError: () => undefined,
    }),
  );
  app.use(app.get(MetricsService).httpMiddleware());
  // Before the rate limit: loading the dashboard or the widget must not eat the API budget.
  app.use(staticUi(config));
  // Before the rate limit too, so a 429 carries the headers a browser needs to read it.
  app.use(cors(config.http.corsOrigins));
  app.use(rateLimit(config, app.get(WindowLimiter), app.get(Clock), stats));
  const [parse, parseErrors] = jsonBody(config.http.maxBodyBytes);
  app.use(parse, parseErrors);
  app.useGlobalFilters(new HttpErrorFilter(logger));

  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    process.stderr.write(`nullroom: cannot listen on ${config.host}:${config.port} (${code})\n`);
    process.exit(1);
  }
  app.get(RoomsService).start();
  const address = app.getHttpServer().address() as AddressInfo;
  logger.log(`nullroom relay listening on port ${address.port}`);

  const { cluster } = config;
  const ownership = app.get(OwnershipService);
  const drain = app.get(DrainService);
  if (cluster.internalPort > 0) {
    const gateway = app.get(RelayGateway);
    const internal = new InternalServer(
      app.get(ClusterAuth),
      new InternalApi(app.get(RoomsService), ownership, () =>
        app.get(AdminController).localStats(),
      ),
      (ws, join, headers) => gateway.handleForwarded(ws, join, headers),
      config.ws.maxFrameBytes,
    );
    try {
      const port = await internal.listen(cluster.internalPort, cluster.internalHost);
      logger.log(`internal listener on port ${port}`);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      process.stderr.write(
        `nullroom: cannot listen on internal port ${cluster.internalPort} (${code})\n`,
      );
      process.exit(1);
    }
    internal.addRoute(app.get(MetricsService).internalRoute());
    drain.onDrained(() => internal.close());
  }
  await ownership.start();
  if (cluster.enabled)
    logger.log(`cluster mode: pod ${cluster.podName}, directory ${ownership.health().state}`);
  if (config.auth.apiKey === '') {
    logger.warn(
      'ANOCHAT_API_KEY is empty: anyone who can reach this relay may create and list rooms',
    );
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      // A second signal: the operator wants out now.
      process.exit(0);
    }
    stopping = true;
    void drain
      .drain()
      .then(() => app.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error(`drain failed: ${(error as Error).message}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Nest's own messages: route mapping and module init are noise; warnings and errors are not. */
function nestLogger(logger: AppLogger): LoggerService {
  return {
    log: () => undefined,
    warn: (message: unknown) => logger.warn(String(message)),
    error: (message: unknown) => logger.error(String(message)),
  };
}

/** LOGGING=0: Node's own warnings (deprecations, experimental features) go to stderr otherwise. */
function silenceProcess(): void {
  process.removeAllListeners('warning');
  process.on('warning', () => undefined);
  process.noDeprecation = true;
}

void main();
