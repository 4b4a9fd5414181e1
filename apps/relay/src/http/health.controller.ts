import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RELAY_CONFIG, type RelayConfig } from '../config/config';
import { DrainService } from '../lifecycle/drain.service';

@Controller()
export class HealthController {
  constructor(
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
    @Inject(DrainService) private readonly drain: DrainService,
  ) {}

  /** Liveness (seed 000): the process answers. Stays 200 while draining. */
  @Get('health')
  @HttpCode(200)
  health(): { ok: true } {
    return { ok: true };
  }

  /** Readiness: 503 from the moment a drain starts, so no new work is routed here. */
  @Get('ready')
  ready(@Res({ passthrough: true }) res: Response): { ready: boolean; draining: boolean } {
    const ready = !this.drain.draining;
    res.status(ready ? 200 : 503);
    return { ready, draining: !ready };
  }

  /** Seed 000: what the widget needs to know before creating a room. */
  @Get('public-config')
  publicConfig(): { turnstile: boolean; turnstileSiteKey: string | null } {
    const { enabled, siteKey } = this.config.turnstile;
    return { turnstile: enabled, turnstileSiteKey: siteKey === '' ? null : siteKey };
  }
}
