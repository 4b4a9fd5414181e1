import { performance } from 'node:perf_hooks';
import { DirectoryClosedError } from './directory.exception';
import { DirectoryStateTracker } from './directory-state';
import {
  checkAddress,
  checkPodId,
  checkRoomKey,
  checkRoomKeys,
  checkTtl,
  type ClaimResult,
  type DirectoryEvents,
  type DirectoryHealth,
  type PodEntry,
  type RefreshResult,
  type RoomDirectory,
} from './room-directory';
import { type RoomKey } from './room-key';

interface Lease<T> {
  value: T;
  expiresAt: number;
}

export interface MemoryRoomDirectoryOptions {
  /** Monotonic milliseconds; injectable so logic tests can move time by hand. */
  now?: () => number;
}

/**
 * The embedded default: the directory of a single process. Same contract as the Redis one (the
 * same test suite runs on both), including TTLs, so the relay's code path doesn't fork on mode.
 *
 * Expiry is lazy (checked on read) plus a sweep at most once per second on writes, so a
 * long-running embedded relay doesn't accumulate dead leases and needs no timer.
 */
export class MemoryRoomDirectory implements RoomDirectory {
  readonly #rooms = new Map<RoomKey, Lease<string>>();
  readonly #pods = new Map<string, Lease<string>>();
  readonly #now: () => number;
  readonly #state = new DirectoryStateTracker('memory', 'up');
  #nextSweepAt = 0;
  #closed = false;

  constructor(options: MemoryRoomDirectoryOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  claim(roomKey: RoomKey, podId: string, ttlMs: number): Promise<ClaimResult> {
    return this.#run(() => {
      checkRoomKey(roomKey);
      checkPodId(podId);
      checkTtl(ttlMs);
      const owner = this.#live(this.#rooms, roomKey);
      if (owner !== undefined && owner !== podId) return { owned: false, owner };
      this.#rooms.set(roomKey, { value: podId, expiresAt: this.#now() + ttlMs });
      return { owned: true };
    });
  }

  takeover(
    roomKey: RoomKey,
    fromPodId: string,
    toPodId: string,
    ttlMs: number,
  ): Promise<ClaimResult> {
    return this.#run(() => {
      checkRoomKey(roomKey);
      checkPodId(fromPodId, 'fromPodId');
      checkPodId(toPodId, 'toPodId');
      checkTtl(ttlMs);
      const owner = this.#live(this.#rooms, roomKey);
      if (owner !== undefined && owner !== fromPodId && owner !== toPodId) {
        return { owned: false, owner };
      }
      this.#rooms.set(roomKey, { value: toPodId, expiresAt: this.#now() + ttlMs });
      return { owned: true };
    });
  }

  lookup(roomKey: RoomKey): Promise<string | undefined> {
    return this.#run(() => {
      checkRoomKey(roomKey);
      return this.#live(this.#rooms, roomKey);
    });
  }

  refresh(roomKeys: readonly RoomKey[], podId: string, ttlMs: number): Promise<RefreshResult> {
    return this.#run(() => {
      checkRoomKeys(roomKeys);
      checkPodId(podId);
      checkTtl(ttlMs);
      const lost: RoomKey[] = [];
      const reclaimed: RoomKey[] = [];
      const expiresAt = this.#now() + ttlMs;
      for (const key of roomKeys) {
        const owner = this.#live(this.#rooms, key);
        if (owner !== undefined && owner !== podId) {
          lost.push(key);
          continue;
        }
        if (owner === undefined) reclaimed.push(key);
        this.#rooms.set(key, { value: podId, expiresAt });
      }
      return { lost, reclaimed };
    });
  }

  release(roomKeys: readonly RoomKey[], podId: string): Promise<number> {
    return this.#run(() => {
      checkRoomKeys(roomKeys);
      checkPodId(podId);
      let released = 0;
      for (const key of roomKeys) {
        if (this.#live(this.#rooms, key) === podId) {
          this.#rooms.delete(key);
          released++;
        }
      }
      return released;
    });
  }

  registerPod(podId: string, internalAddress: string, ttlMs: number): Promise<void> {
    return this.#run(() => {
      checkPodId(podId);
      checkAddress(internalAddress);
      checkTtl(ttlMs);
      this.#pods.set(podId, { value: internalAddress, expiresAt: this.#now() + ttlMs });
    });
  }

  refreshPod(podId: string, ttlMs: number): Promise<boolean> {
    return this.#run(() => {
      checkPodId(podId);
      checkTtl(ttlMs);
      const address = this.#live(this.#pods, podId);
      if (address === undefined) return false;
      this.#pods.set(podId, { value: address, expiresAt: this.#now() + ttlMs });
      return true;
    });
  }

  unregisterPod(podId: string): Promise<void> {
    return this.#run(() => {
      checkPodId(podId);
      this.#pods.delete(podId);
    });
  }

  pods(): Promise<PodEntry[]> {
    return this.#run(() => {
      const live: PodEntry[] = [];
      for (const podId of [...this.#pods.keys()].sort()) {
        const address = this.#live(this.#pods, podId);
        if (address !== undefined) live.push({ podId, address });
      }
      return live;
    });
  }

  health(): DirectoryHealth {
    return this.#state.health();
  }

  on<E extends keyof DirectoryEvents>(event: E, listener: DirectoryEvents[E]): () => void {
    return this.#state.on(event, listener);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#rooms.clear();
    this.#pods.clear();
    this.#state.clear();
    return Promise.resolve();
  }

  /** Number of live room entries; for tests and the embedded admin stats. */
  get size(): number {
    this.#sweep(true);
    return this.#rooms.size;
  }

  /** Runs synchronously (atomic by construction) but keeps the async contract of the interface. */
  #run<T>(operation: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new DirectoryClosedError());
    try {
      this.#sweep(false);
      return Promise.resolve(operation());
    } catch (error) {
      // Argument checks throw synchronously; callers of an async API expect a rejection.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #live<K>(map: Map<K, Lease<string>>, key: K): string | undefined {
    const lease = map.get(key);
    if (lease === undefined) return undefined;
    if (lease.expiresAt <= this.#now()) {
      map.delete(key);
      return undefined;
    }
    return lease.value;
  }

  #sweep(force: boolean): void {
    const now = this.#now();
    if (!force && now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + 1000;
    for (const map of [this.#rooms, this.#pods] as Map<unknown, Lease<string>>[]) {
      for (const [key, lease] of map) if (lease.expiresAt <= now) map.delete(key);
    }
  }
}
