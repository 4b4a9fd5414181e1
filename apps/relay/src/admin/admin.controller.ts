import { Controller, Delete, Get, Inject, Param, Req } from '@nestjs/common';
import type { Request } from 'express';
import { isValidRoomId } from '@nullroom/protocol';
import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { secretEquals } from '../common/secrets';
import { RelayStats } from '../common/stats';
import { RELAY_CONFIG, type RelayConfig } from '../config/config';
import { DrainService } from '../lifecycle/drain.service';
import { RelayGateway } from '../gateway/relay.gateway';
import { RoomsService, type RoomView } from '../rooms/rooms.service';

/** Admin API of seed 000, authenticated by `X-Admin-Key`; disabled while ANOCHAT_ADMIN_KEY is empty. */
@Controller('admin/api')
export class AdminController {
  constructor(
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
    @Inject(RoomsService) private readonly rooms: RoomsService,
    @Inject(RelayStats) private readonly stats: RelayStats,
    @Inject(RelayGateway) private readonly gateway: RelayGateway,
    @Inject(DrainService) private readonly drain: DrainService,
  ) {}

  @Get('health')
  health(@Req() req: Request): { ok: true } {
    this.authorize(req);
    return { ok: true };
  }

  @Get('support-rooms')
  supportRooms(@Req() req: Request): { rooms: RoomView[] } {
    this.authorize(req);
    return { rooms: this.rooms.list('support').map((r) => this.rooms.view(r)) };
  }

  @Get('stats')
  statistics(@Req() req: Request): Record<string, unknown> {
    this.authorize(req);
    const all = this.rooms.list();
    const memory = process.memoryUsage();
    const s = this.stats;
    return {
      uptimeSeconds: Math.round((Date.now() - s.startedAt) / 1000),
      draining: this.drain.draining,
      rooms: {
        total: all.length,
        p2p: all.filter((r) => r.mode === 'p2p').length,
        support: all.filter((r) => r.mode === 'support').length,
        created: s.roomsCreated,
        closed: s.roomsClosed,
        max: this.config.rooms.maxRooms,
      },
      connections: {
        open: this.gateway.size,
        total: s.connectionsTotal,
        max: this.config.ws.maxConnections,
      },
      participants: all.reduce((n, r) => n + r.size, 0),
      frames: { in: s.framesIn, out: s.framesOut },
      bytes: { in: s.bytesIn, out: s.bytesOut },
      disconnects: {
        slowConsumer: s.slowConsumerDisconnects,
        rateLimited: s.rateLimitedDisconnects,
      },
      httpRateLimited: s.httpRateLimited,
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
    };
  }

  @Delete('rooms/:roomId')
  closeRoom(
    @Req() req: Request,
    @Param('roomId') roomId: string,
  ): { closed: true; roomId: string } {
    this.authorize(req);
    if (!isValidRoomId(roomId)) throw new RelayError(RelayErrorCode.RoomNotFound, 'room not found');
    this.rooms.close(roomId);
    return { closed: true, roomId };
  }

  private authorize(req: Request): void {
    const key = this.config.auth.adminKey;
    if (key === '') {
      throw new RelayError(
        RelayErrorCode.AdminDisabled,
        'admin API is disabled: set ANOCHAT_ADMIN_KEY',
      );
    }
    const presented = req.headers['x-admin-key'];
    if (!secretEquals(typeof presented === 'string' ? presented : undefined, key)) {
      throw new RelayError(RelayErrorCode.Unauthorized, 'missing or invalid admin key');
    }
  }
}
