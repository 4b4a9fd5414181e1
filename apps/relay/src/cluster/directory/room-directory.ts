import { isRoomKey, type RoomKey } from './room-key';

/**
 * Where rooms live: room → owning pod, and pod → internal address. Nothing else.
 *
 * Two implementations: `MemoryRoomDirectory` (embedded default, one process) and
 * `RedisRoomDirectory` (cluster mode). Every entry carries a TTL, so a pod that dies without
 * releasing anything is forgotten once its entries expire. Rooms are named only by their
 * `RoomKey` (an HMAC of the room id); pods by their name.
 *
 * This is a directory, not a message bus: the relay calls it when a room is created, claimed,
 * joined on a pod that doesn't hold it, refreshed in batches, and released — never per frame.
 *
 * Every method may reject with `DirectoryUnavailableError` (fast) when the backing store can't be
 * reached; see `health()` and `on('state', …)`.
 */
export interface RoomDirectory {
  /**
   * Atomically: if nobody owns the room, or `podId` already does, (re)sets `podId` as owner with
   * a fresh TTL. Otherwise leaves it alone and tells who owns it.
   */
  claim(roomKey: RoomKey, podId: string, ttlMs: number): Promise<ClaimResult>;

  /**
   * Compare-and-set for a room that moves: the ring pod takes over an empty room that lives on
   * `fromPodId`. Succeeds only if the owner is `fromPodId`, absent (expired meanwhile) or already
   * `toPodId`; fails with the current owner when a third pod got there first.
   */
  takeover(
    roomKey: RoomKey,
    fromPodId: string,
    toPodId: string,
    ttlMs: number,
  ): Promise<ClaimResult>;

  /** Current owner, or undefined when nobody owns the room (never created, released or expired). */
  lookup(roomKey: RoomKey): Promise<string | undefined>;

  /**
   * Re-arms the TTL of many rooms owned by `podId` in one round trip. A key that expired (or was
   * lost with a Redis restart — Redis keeps nothing on disk) is claimed again, because this pod
   * still holds the room in RAM. Keys now owned by another pod are left alone and returned in
   * `lost`: the relay must treat those rooms as split (see the cluster README).
   */
  refresh(roomKeys: readonly RoomKey[], podId: string, ttlMs: number): Promise<RefreshResult>;

  /** Deletes the entries still owned by `podId` (never another pod's). Resolves to how many. */
  release(roomKeys: readonly RoomKey[], podId: string): Promise<number>;

  /** Publishes (or replaces) this pod's internal address with a TTL. */
  registerPod(podId: string, internalAddress: string, ttlMs: number): Promise<void>;

  /**
   * Re-arms this pod's TTL. Resolves false when the entry is gone (expired, or Redis restarted
   * empty): call `registerPod` again.
   */
  refreshPod(podId: string, ttlMs: number): Promise<boolean>;

  unregisterPod(podId: string): Promise<void>;

  /** Live pods (unexpired entries), sorted by pod id. */
  pods(): Promise<PodEntry[]>;

  /** Cheap, synchronous snapshot for `/ready` detail and metrics. No I/O. */
  health(): DirectoryHealth;

  /** Typed events; returns an unsubscribe function. */
  on<E extends keyof DirectoryEvents>(event: E, listener: DirectoryEvents[E]): () => void;

  /** Stops timers and connections. Further calls reject with `DirectoryClosedError`. */
  close(): Promise<void>;
}

export type ClaimResult =
  { readonly owned: true } | { readonly owned: false; readonly owner: string };

export interface RefreshResult {
  /** Keys that another pod owns now. */
  readonly lost: RoomKey[];
  /** Keys that had vanished and were claimed again for this pod. */
  readonly reclaimed: RoomKey[];
}

export interface PodEntry {
  readonly podId: string;
  /** host:port of the pod's internal (forwarding, metrics, fan-out) listener. */
  readonly address: string;
}

export type DirectoryState = 'up' | 'down' | 'connecting';

export interface DirectoryHealth {
  readonly backend: 'memory' | 'redis';
  readonly state: DirectoryState;
  /** `performance.now()`-based milliseconds of the last state change. */
  readonly sinceMs: number;
  /** Short, address-free reason of the last failure, for `/ready` detail. */
  readonly lastError?: string;
}

export interface DirectoryEvents {
  /** Fires on every transition, e.g. up → down when Redis goes away, down → up on recovery. */
  state: (next: DirectoryState, previous: DirectoryState) => void;
}

/** Limits shared by both implementations so they accept and refuse the same inputs. */
export const DIRECTORY_LIMITS = {
  /** TTLs below this would expire between two refreshes of any sane schedule. */
  minTtlMs: 10,
  /** A day: entries are leases, not records. */
  maxTtlMs: 86_400_000,
  /** Pod names are DNS labels in Kubernetes; leave room for StatefulSet ordinals. */
  maxPodIdLength: 253,
  maxAddressLength: 300,
} as const;

const POD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkTtl(ttlMs: number, name = 'ttlMs'): void {
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs)) {
    throw new TypeError(`${name}: expected an integer number of milliseconds`);
  }
  if (ttlMs < DIRECTORY_LIMITS.minTtlMs || ttlMs > DIRECTORY_LIMITS.maxTtlMs) {
    throw new RangeError(
      `${name}: must be between ${DIRECTORY_LIMITS.minTtlMs} and ${DIRECTORY_LIMITS.maxTtlMs}`,
    );
  }
}

export function checkPodId(podId: string, name = 'podId'): void {
  if (typeof podId !== 'string') throw new TypeError(`${name}: expected a string`);
  if (podId.length === 0 || podId.length > DIRECTORY_LIMITS.maxPodIdLength) {
    throw new RangeError(`${name}: length must be 1..${DIRECTORY_LIMITS.maxPodIdLength}`);
  }
  if (!POD_ID_PATTERN.test(podId)) throw new RangeError(`${name}: not a valid pod name`);
}

export function checkAddress(address: string): void {
  if (typeof address !== 'string') throw new TypeError('internalAddress: expected a string');
  if (address.length === 0 || address.length > DIRECTORY_LIMITS.maxAddressLength) {
    throw new RangeError(`internalAddress: length must be 1..${DIRECTORY_LIMITS.maxAddressLength}`);
  }
}

export function checkRoomKey(roomKey: RoomKey, name = 'roomKey'): void {
  // Refusing anything but an HMAC is the last guard against a raw room id reaching Redis.
  if (!isRoomKey(roomKey)) throw new RangeError(`${name}: not an HMAC room key`);
}

export function checkRoomKeys(roomKeys: readonly RoomKey[]): void {
  if (!Array.isArray(roomKeys)) throw new TypeError('roomKeys: expected an array');
  for (const key of roomKeys as readonly unknown[]) {
    if (!isRoomKey(key)) throw new RangeError('roomKeys[]: not an HMAC room key');
  }
}
