import { DirectoryError, DirectoryErrorCode, type DirectoryHealth } from '../cluster';
import { DIRECTORY_BUCKETS, DurationHistogram } from './duration-histogram';

/** What a claim (a join for a room this pod doesn't hold, asked of its owner) came to. */
export const CLAIM_OUTCOMES = ['won', 'recovered', 'lost', 'error'] as const;
/**
 * - `won`: the room was empty and moved here from its owner;
 * - `recovered`: its owner was gone from the directory and the room continued here from its
 *   standby copy;
 * - `lost`: the owner kept it (members, or a join in flight there): the join was forwarded;
 * - `error`: the owner's pod entry is alive but it did not answer within
 *   CLUSTER_REQUEST_TIMEOUT_MS (a slow or frozen pod), or the directory could not tell whether it
 *   is alive: nothing was taken and the join was told to retry (close 1013).
 */
export type ClaimOutcome = (typeof CLAIM_OUTCOMES)[number];

/** What became of a room a draining pod still held once its members were told to reconnect. */
export const HANDOVER_OUTCOMES = ['adopted', 'released'] as const;
/**
 * - `adopted`: a successor pod took it (and its directory entry) for late reconnects;
 * - `released`: no successor could take it (none left, all full or draining).
 */
export type HandoverOutcome = (typeof HANDOVER_OUTCOMES)[number];

/**
 * `out`: a client socket that landed here and is relayed to the owner pod;
 * `in`: a socket another pod relays to a room this pod owns.
 */
export const FORWARD_DIRECTIONS = ['out', 'in'] as const;
export type ForwardDirection = (typeof FORWARD_DIRECTIONS)[number];

/** RoomDirectory methods, as metric label values. */
export const DIRECTORY_OPS = [
  'claim',
  'takeover',
  'lookup',
  'refresh',
  'release',
  'register_pod',
  'refresh_pod',
  'unregister_pod',
  'pods',
] as const;
export type DirectoryOp = (typeof DIRECTORY_OPS)[number];

export const DIRECTORY_ERROR_KINDS = ['unavailable', 'protocol', 'closed', 'other'] as const;
export type DirectoryErrorKind = (typeof DIRECTORY_ERROR_KINDS)[number];

/**
 * The cluster's counters, as plain numbers behind a small typed API that the cluster code calls
 * (claims, forwarding, directory operations are per join or per refresh, never per frame).
 * RelayMetrics turns them into Prometheus series at scrape time; in the embedded single-pod mode
 * they simply stay at zero. Every label value comes from the closed sets above.
 */
export class ClusterMetrics {
  readonly claims = zeroes(CLAIM_OUTCOMES);
  readonly handovers = zeroes(HANDOVER_OUTCOMES);
  readonly forwardedOpen = zeroes(FORWARD_DIRECTIONS);
  readonly forwardedTotal = zeroes(FORWARD_DIRECTIONS);
  readonly directoryOk = zeroes(DIRECTORY_OPS);
  readonly directoryFailed = zeroes(DIRECTORY_OPS);
  readonly directoryErrors = zeroes(DIRECTORY_ERROR_KINDS);
  readonly directoryDurations = Object.fromEntries(
    DIRECTORY_OPS.map((op) => [op, new DurationHistogram(DIRECTORY_BUCKETS)]),
  ) as Record<DirectoryOp, DurationHistogram>;
  private directory: { health(): DirectoryHealth } | undefined;

  claim(outcome: ClaimOutcome): void {
    this.claims[outcome]++;
  }

  handover(outcome: HandoverOutcome): void {
    this.handovers[outcome]++;
  }

  /** A forwarded socket opened; call `forwardClosed` with the same direction when it ends. */
  forwardOpened(direction: ForwardDirection): void {
    this.forwardedOpen[direction]++;
    this.forwardedTotal[direction]++;
  }

  forwardClosed(direction: ForwardDirection): void {
    if (this.forwardedOpen[direction] > 0) this.forwardedOpen[direction]--;
  }

  /** One directory call: how long it took and, if it failed, why. */
  directoryOp(op: DirectoryOp, seconds: number, error?: unknown): void {
    this.directoryDurations[op].observe(seconds);
    if (error === undefined) {
      this.directoryOk[op]++;
      return;
    }
    this.directoryFailed[op]++;
    this.directoryErrors[directoryErrorKind(error)]++;
  }

  /** Reads `health().state` at every scrape (no I/O) for nullroom_directory_up. */
  watchDirectory(directory: { health(): DirectoryHealth }): void {
    this.directory = directory;
  }

  /** True while the directory answers; the embedded (memory) directory always does. */
  get directoryUp(): boolean {
    return this.directory === undefined || this.directory.health().state === 'up';
  }

  get directoryBackend(): DirectoryHealth['backend'] {
    return this.directory?.health().backend ?? 'memory';
  }
}

export function directoryErrorKind(error: unknown): DirectoryErrorKind {
  if (!(error instanceof DirectoryError)) return 'other';
  switch (error.code) {
    case DirectoryErrorCode.UNAVAILABLE:
      return 'unavailable';
    case DirectoryErrorCode.PROTOCOL:
      return 'protocol';
    case DirectoryErrorCode.CLOSED:
      return 'closed';
    default:
      return 'other';
  }
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}
