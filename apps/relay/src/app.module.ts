import { type DynamicModule, Module } from '@nestjs/common';
import { WindowLimiter } from './abuse/window-limiter';
import { AdminController } from './admin/admin.controller';
import { Clock } from './common/clock';
import { AppLogger } from './common/logger';
import { RelayStats } from './common/stats';
import { RELAY_CONFIG, type RelayConfig } from './config/config';
import { RelayGateway } from './gateway/relay.gateway';
import { HealthController } from './http/health.controller';
import { RoomsController } from './http/rooms.controller';
import { TurnstileService } from './http/turnstile.service';
import { DrainService } from './lifecycle/drain.service';
import { RoomsService } from './rooms/rooms.service';

/**
 * The relay, wired. Services are plain classes built by factories from the frozen config and
 * the thin wrappers (clock, logger, stats), so their tests need no Nest testing module.
 */
@Module({})
export class AppModule {
  static register(config: RelayConfig, logger: AppLogger): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, RoomsController, AdminController],
      providers: [
        { provide: RELAY_CONFIG, useValue: config },
        { provide: AppLogger, useValue: logger },
        { provide: Clock, useValue: new Clock() },
        { provide: RelayStats, useValue: new RelayStats() },
        { provide: WindowLimiter, useValue: new WindowLimiter(config.rateLimit.windowMs) },
        {
          provide: RoomsService,
          useFactory: (clock: Clock, stats: RelayStats) =>
            new RoomsService(config, clock, stats, logger),
          inject: [Clock, RelayStats],
        },
        { provide: TurnstileService, useValue: new TurnstileService(config.turnstile) },
        RelayGateway,
        {
          provide: DrainService,
          useFactory: (rooms: RoomsService, gateway: RelayGateway) =>
            new DrainService(config.drain, rooms, gateway, logger),
          inject: [RoomsService, RelayGateway],
        },
      ],
    };
  }
}
