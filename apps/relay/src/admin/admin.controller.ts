import { Controller, Delete, Get, Inject, Param, Req } from '@nestjs/common';
import type { Request } from 'express';
import { isValidRoomId } from '@nullroom/protocol';
import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { secretEquals } from '../common/secrets';
import { RelayStats } from '../common/stats';
import { RELAY_CONFIG, type RelayConfig } from '../config/config';
import { RelayGateway } from '../gateway/relay.gateway';
import { DrainService } from '../lifecycle/drain.service';
import { ClusterMetrics } from '../metrics/cluster-metrics';
import { ClusterViews } from '../ownership/cluster-views';
import { OwnershipService } from '../ownership/ownership.service';
import { RoomsService, type RoomView } from '../rooms/rooms.service';
import { podStats } from './stats-view';

/**
 * Admin API of seed 000, authenticated by `X-Admin-Key`; disabled while ANOCHAT_ADMIN_KEY is
 * empty. Lists and stats cover the whole cluster.
 */
@Controller('admin/api')
export class AdminController {
  constructor(
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
    @Inject(RoomsService) private readonly rooms: RoomsService,
    @Inject(RelayStats) private readonly stats: RelayStats,
    @Inject(RelayGateway) private readonly gateway: RelayGateway,
    @Inject(DrainService) private readonly drain: DrainService,
    @Inject(OwnershipService) private readonly ownership: OwnershipService,
    @Inject(ClusterViews) private readonly views: ClusterViews,
    @Inject(ClusterMetrics) private readonly cluster: ClusterMetrics,
  ) {}

  @Get('health')
  health(@Req() req: Request): { ok: true } {
    this.authorize(req);
    return { ok: true };
  }

  @Get('support-rooms')
  async supportRooms(@Req() req: Request): Promise<{ rooms: RoomView[] }> {
    this.authorize(req);
    return { rooms: (await this.views.listRooms('support')).rooms };
  }

  @Get('stats')
  async statistics(@Req() req: Request): Promise<Record<string, unknown>> {
    this.authorize(req);
    const local = this.localStats();
    if (!this.ownership.clustered) return local;
    return {
      ...local,
      cluster: {
        directory: this.ownership.health().state,
        pods: [local, ...(await this.views.podStats())],
      },
    };
  }

  @Delete('rooms/:roomId')
  async closeRoom(
    @Req() req: Request,
    @Param('roomId') roomId: string,
  ): Promise<{ closed: true; roomId: string }> {
    this.authorize(req);
    if (!isValidRoomId(roomId)) throw new RelayError(RelayErrorCode.RoomNotFound, 'room not found');
    await this.views.closeRoom(roomId, { byKey: true });
    return { closed: true, roomId };
  }

  localStats(): Record<string, unknown> {
    return podStats(
      this.ownership,
      this.config,
      this.rooms,
      this.stats,
      this.cluster,
      this.gateway.size,
      this.drain.draining,
    );
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
