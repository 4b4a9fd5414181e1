import { DurationHistogram, FANOUT_BUCKETS } from '../metrics/duration-histogram';

/**
 * Plain counters bumped on the hot path (a property increment costs nothing). The metrics module
 * and /admin/api/stats read them; nothing here is labelled by room, client or address.
 */
export class RelayStats {
  readonly startedAt = Date.now();
  connectionsOpen = 0;
  connectionsTotal = 0;
  framesIn = 0;
  bytesIn = 0;
  framesOut = 0;
  bytesOut = 0;
  roomsCreated = 0;
  roomsClosed = 0;
  slowConsumerDisconnects = 0;
  rateLimitedDisconnects = 0;
  httpRateLimited = 0;
  wsConnectRateLimited = 0;
  malformedFrames = 0;
  /** Cluster: rooms claimed from another pod, and connections forwarded to an owner right now. */
  claims = 0;
  forwardedConnections = 0;
  forwardedConnectionsTotal = 0;
  /** Code-room attempts by outcome (accepted, wrong_code, timeout, abandoned, verifier_left). */
  readonly codeAttempts = new Map<string, number>();
  codeAttemptsRateLimited = 0;
  /** WebSocket closes sent by the relay, by close code. */
  readonly closesByCode = new Map<number, number>();
  /** Time to hand a frame to its room; observed only while `timeFanout` is set (METRICS=1). */
  readonly fanout = new DurationHistogram(FANOUT_BUCKETS);
  timeFanout = false;

  countClose(code: number): void {
    this.closesByCode.set(code, (this.closesByCode.get(code) ?? 0) + 1);
  }
}
