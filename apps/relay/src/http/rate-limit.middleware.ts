import type { RequestHandler } from 'express';
import { clientAddress } from '../abuse/client-address';
import { type WindowLimiter } from '../abuse/window-limiter';
import { type Clock } from '../common/clock';
import { RelayErrorCode } from '../common/relay.exception';
import { type RelayStats } from '../common/stats';
import { type RelayConfig } from '../config/config';

/** Probes must never be rate limited: an orchestrator hammering /ready is not an abuser. */
const EXEMPT = new Set(['/health', '/ready', '/metrics']);

/** Per-address request limits, checked before routing and body parsing (cheapest refusal). */
export function rateLimit(
  config: RelayConfig,
  limiter: WindowLimiter,
  clock: Clock,
  stats: RelayStats,
): RequestHandler {
  const { httpMax, roomsMax } = config.rateLimit;
  return (req, res, next) => {
    if (EXEMPT.has(req.path)) return next();
    const address = clientAddress(req, config.trustProxy);
    const now = clock.now();
    let waitMs = limiter.hit('http', address, httpMax, now);
    if (waitMs === 0 && req.method === 'POST' && req.path === '/rooms') {
      waitMs = limiter.hit('rooms', address, roomsMax, now);
    }
    if (waitMs === 0) return next();
    stats.httpRateLimited++;
    res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
    res.status(429).json({ error: RelayErrorCode.RateLimited, message: 'too many requests' });
  };
}
