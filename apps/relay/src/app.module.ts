import { randomBytes } from 'node:crypto';
import { type DynamicModule, Module } from '@nestjs/common';
import { AddressBuckets } from './abuse/address-buckets';
import { WindowLimiter } from './abuse/window-limiter';
import { AdminController } from './admin/admin.controller';
import { CallsService } from './calls/calls.service';
import { TurnCredentials } from './calls/turn-credentials';
import { CodeRoomsService } from './code-rooms/code-rooms.service';
import { NameplateAllocator } from './code-rooms/nameplate-allocator';
import {
  MemoryRoomDirectory,
  RedisRoomDirectory,
  RoomKeyDeriver,
  type RoomDirectory,
} from './cluster';
import { Clock } from './common/clock';
import { AppLogger } from './common/logger';
import { RelayStats } from './common/stats';
import { RELAY_CONFIG, type RelayConfig } from './config/config';
import { RelayGateway } from './gateway/relay.gateway';
import { HealthController } from './http/health.controller';
import { RoomsController } from './http/rooms.controller';
import { TurnstileService } from './http/turnstile.service';
import { DrainService } from './lifecycle/drain.service';
import { ClusterMetrics } from './metrics/cluster-metrics';
import { InstrumentedRoomDirectory } from './metrics/instrumented-directory';
import { MetricsController } from './metrics/metrics.controller';
import { observabilityProviders } from './metrics/observability.providers';
import { ClusterAuth } from './ownership/cluster-auth';
import { ClusterViews } from './ownership/cluster-views';
import { OwnershipService } from './ownership/ownership.service';
import { PeerClient } from './ownership/peer-client';
import { RoomsService } from './rooms/rooms.service';

/** Injection token for the room directory (memory in one pod, Redis in a cluster). */
export const ROOM_DIRECTORY = Symbol('ROOM_DIRECTORY');

/**
 * The relay, wired. Services are plain classes built by factories from the frozen config and
 * the thin wrappers (clock, logger, stats, directory), so their tests need no Nest testing module.
 */
@Module({})
export class AppModule {
  static register(config: RelayConfig, logger: AppLogger): DynamicModule {
    const { cluster } = config;
    // One pod needs no shared secret; a random one keeps the code path identical.
    const secret = cluster.enabled ? cluster.secret : randomBytes(32).toString('hex');
    return {
      module: AppModule,
      controllers: [HealthController, RoomsController, AdminController, MetricsController],
      providers: [
        { provide: RELAY_CONFIG, useValue: config },
        ...observabilityProviders(config),
        { provide: AppLogger, useValue: logger },
        { provide: Clock, useValue: new Clock() },
        { provide: RelayStats, useValue: new RelayStats() },
        { provide: WindowLimiter, useValue: new WindowLimiter(config.rateLimit.windowMs) },
        {
          provide: AddressBuckets,
          useValue: new AddressBuckets(
            config.rateLimit.wsConnectMax,
            config.rateLimit.windowMs,
            config.rateLimit.wsConnectBurst,
          ),
        },
        {
          provide: ClusterAuth,
          useFactory: (clock: Clock) => new ClusterAuth(secret, clock),
          inject: [Clock],
        },
        { provide: RoomKeyDeriver, useValue: new RoomKeyDeriver(secret) },
        {
          provide: ROOM_DIRECTORY,
          useFactory: (metrics: ClusterMetrics): RoomDirectory =>
            new InstrumentedRoomDirectory(
              cluster.enabled
                ? RedisRoomDirectory.connect(cluster.redisUrl, {
                    keyPrefix: cluster.keyPrefix,
                  })
                : new MemoryRoomDirectory(),
              metrics,
            ),
          inject: [ClusterMetrics],
        },
        {
          provide: PeerClient,
          useFactory: (auth: ClusterAuth) => new PeerClient(auth, cluster.requestTimeoutMs),
          inject: [ClusterAuth],
        },
        {
          provide: RoomsService,
          useFactory: (clock: Clock, stats: RelayStats) =>
            new RoomsService(config, clock, stats, logger),
          inject: [Clock, RelayStats],
        },
        {
          provide: CallsService,
          useFactory: (clock: Clock, rooms: RoomsService) => {
            const calls = new CallsService(
              config.calls.maxParticipants,
              new TurnCredentials(config.calls, clock),
            );
            rooms.on('ended', (room) => calls.roomEnded(room));
            return calls;
          },
          inject: [Clock, RoomsService],
        },
        {
          provide: CodeRoomsService,
          useFactory: (rooms: RoomsService, clock: Clock, stats: RelayStats) => {
            const codeRooms = new CodeRoomsService(
              config.codeRooms,
              clock,
              stats,
              (room) => rooms.end(room, 'locked'),
              (room) => rooms.reshaped(room),
            );
            rooms.useCodeRooms(codeRooms);
            return codeRooms;
          },
          inject: [RoomsService, Clock, RelayStats],
        },
        {
          provide: NameplateAllocator,
          useFactory: (
            directory: RoomDirectory,
            keys: RoomKeyDeriver,
            rooms: RoomsService,
            clock: Clock,
          ) => new NameplateAllocator(config.codeRooms, cluster, directory, keys, rooms, clock),
          inject: [ROOM_DIRECTORY, RoomKeyDeriver, RoomsService, Clock],
        },
        {
          provide: OwnershipService,
          useFactory: (
            directory: RoomDirectory,
            keys: RoomKeyDeriver,
            rooms: RoomsService,
            peers: PeerClient,
            clock: Clock,
            metrics: ClusterMetrics,
          ) => new OwnershipService(cluster, directory, keys, rooms, peers, clock, logger, metrics),
          inject: [ROOM_DIRECTORY, RoomKeyDeriver, RoomsService, PeerClient, Clock, ClusterMetrics],
        },
        {
          provide: ClusterViews,
          useFactory: (rooms: RoomsService, ownership: OwnershipService, peers: PeerClient) =>
            new ClusterViews(rooms, ownership, peers),
          inject: [RoomsService, OwnershipService, PeerClient],
        },
        { provide: TurnstileService, useValue: new TurnstileService(config.turnstile) },
        RelayGateway,
        {
          provide: DrainService,
          useFactory: (
            rooms: RoomsService,
            gateway: RelayGateway,
            ownership: OwnershipService,
            clock: Clock,
          ) => new DrainService(config.drain, rooms, gateway, ownership, clock, logger),
          inject: [RoomsService, RelayGateway, OwnershipService, Clock],
        },
      ],
    };
  }
}
