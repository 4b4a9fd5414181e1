import { DurationHistogram, FANOUT_BUCKETS } from '../metrics/duration-histogram';

/**
 * The relay's own counters (connections, frames, bytes, rooms, refusals): plain numbers bumped on
 * the hot path (a property increment costs nothing). The cluster's counters (claims, forwarding,
 * directory, drain handovers) live in ClusterMetrics; each concern has exactly one store, and
 * RelayMetrics reads both at scrape time. Nothing here is labelled by room, client or address.
 */
export class RelayStats {
  readonly startedAt = Date.now();
  connectionsTotal = 0;
  framesIn = 0;
  bytesIn = 0;
  framesOut = 0;
  bytesOut = 0;
  roomsCreated = 0;
  /** Rooms ended, by RoomEndReason (closed, expired, destroyed, empty, drained). */
  readonly roomsClosedByReason = new Map<string, number>();
  slowConsumerDisconnects = 0;
  rateLimitedDisconnects = 0;
  httpRateLimited = 0;
  wsConnectRateLimited = 0;
  malformedFrames = 0;
  /** Code-room attempts by outcome (accepted, wrong_code, timeout, abandoned, verifier_left). */
  readonly codeAttempts = new Map<string, number>();
  codeAttemptsRateLimited = 0;
  /** WebSocket closes sent by the relay, by close code. */
  readonly closesByCode = new Map<number, number>();
  /** Time to hand a frame to its room; observed only while `timeFanout` is set (METRICS=1). */
  readonly fanout = new DurationHistogram(FANOUT_BUCKETS);
  timeFanout = false;

  get roomsClosed(): number {
    let total = 0;
    for (const n of this.roomsClosedByReason.values()) total += n;
    return total;
  }

  roomClosed(reason: string): void {
    this.roomsClosedByReason.set(reason, (this.roomsClosedByReason.get(reason) ?? 0) + 1);
  }

  countClose(code: number): void {
    this.closesByCode.set(code, (this.closesByCode.get(code) ?? 0) + 1);
  }
}
