import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RELAY_CONFIG, type RelayConfig } from '../config/config';
import { DrainService } from '../lifecycle/drain.service';
import { OwnershipService } from '../ownership/ownership.service';

@Controller()
export class HealthController {
  constructor(
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
    @Inject(DrainService) private readonly drain: DrainService,
    @Inject(OwnershipService) private readonly ownership: OwnershipService,
  ) {}

  /** Liveness (seed 000): the process answers. Stays 200 while draining. */
  @Get('health')
  @HttpCode(200)
  health(): { ok: true } {
    return { ok: true };
  }

  /**
   * Readiness: 503 from the moment a drain starts, so no new work is routed here. A directory
   * outage does not make a pod unready — it still serves its rooms and takes new ones locally —
   * but it is reported here (and in metrics) so nobody is misled.
   */
  @Get('ready')
  ready(@Res({ passthrough: true }) res: Response): {
    ready: boolean;
    draining: boolean;
    directory: string;
  } {
    const ready = !this.drain.draining;
    res.status(ready ? 200 : 503);
    return { ready, draining: !ready, directory: this.ownership.health().state };
  }

  /**
   * Seed 000: what the widget needs to know before creating a room. `calls` (ours) tells the UI
   * whether to offer calls, how large one may be, and whether a TURN server can hide a caller's
   * address; the credentials themselves go only to room members, over their socket.
   */
  @Get('public-config')
  publicConfig(): {
    turnstile: boolean;
    turnstileSiteKey: string | null;
    calls: { enabled: boolean; maxParticipants: number; turn: boolean };
  } {
    const { enabled, siteKey } = this.config.turnstile;
    const { maxParticipants, turn } = this.config.calls;
    return {
      turnstile: enabled,
      turnstileSiteKey: siteKey === '' ? null : siteKey,
      calls: { enabled: maxParticipants > 0, maxParticipants, turn: turn.secret !== '' },
    };
  }
}
