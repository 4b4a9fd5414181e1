import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { MetricsService } from './metrics.service';

/**
 * GET /metrics on the public port: single pod, METRICS=1 and no METRICS_PORT. Otherwise the route answers like any unknown one. Not rate limited (probes and
 * scrapers are exempt in rate-limit.middleware.ts).
 */
@Controller()
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly service: MetricsService) {}

  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    const metrics = this.service.metrics;
    if (metrics === undefined || this.service.where !== 'public-port') {
      throw new RelayError(RelayErrorCode.NotFound, 'no such route');
    }
    const body = await metrics.scrape();
    res.status(200).type(metrics.contentType).send(body);
  }
}
