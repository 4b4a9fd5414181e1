import { Redis, type RedisOptions } from 'ioredis';
import {
  DirectoryClosedError,
  DirectoryProtocolError,
  DirectoryUnavailableError,
} from './directory.exception';
import { DirectoryStateTracker } from './directory-state';
import {
  CLAIM_SCRIPT,
  REFRESH_SCRIPT,
  REGISTER_POD_SCRIPT,
  RELEASE_SCRIPT,
  TAKEOVER_SCRIPT,
} from './redis-scripts';
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

export const DEFAULT_KEY_PREFIX = 'nullroom:';

/** Keys per script call in refresh/release: keeps each script's run (which blocks Redis) short. */
const BATCH_SIZE = 500;

/**
 * Fail-fast client settings. A join must never wait on a dead Redis: the relay falls back to local
 * ownership instead. So no offline queue (commands reject at once while disconnected), one retry
 * per request at most, short connect and command timeouts, and reconnection forever in the
 * background with capped, jittered backoff so N pods don't hammer a recovering Redis in step.
 */
export function directoryRedisOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    commandTimeout: 1000,
    autoResubscribe: false,
    connectionName: 'nullroom-directory',
    retryStrategy: (attempt: number) =>
      Math.min(50 * 2 ** Math.min(attempt, 6), 2000) + Math.floor(Math.random() * 100),
    ...overrides,
  };
}

export interface RedisRoomDirectoryOptions {
  /** Default `nullroom:`. Use a hash tag (`{nullroom}:`) on Redis Cluster. */
  keyPrefix?: string;
}

/** The ioredis surface this class uses once the scripts are defined on the client. */
interface DirectoryCommands {
  nullroomClaim(key: string, podId: string, ttlMs: number): Promise<unknown>;
  nullroomTakeover(key: string, from: string, to: string, ttlMs: number): Promise<unknown>;
  nullroomRefresh(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  nullroomRelease(numKeys: number, ...args: string[]): Promise<unknown>;
  nullroomRegisterPod(
    entry: string,
    index: string,
    podId: string,
    address: string,
    ttlMs: number,
  ): Promise<unknown>;
}

/**
 * Cluster-mode directory on Redis (ioredis). Key layout, all with TTLs, nothing else stored:
 *
 *   <prefix>room:<hmac>   → owner pod name        (PX ttl)
 *   <prefix>pod:<podId>   → internal host:port    (PX ttl)
 *   <prefix>pods          → sorted-set index of pod names (expires with its last member)
 *
 * While Redis is unreachable every call rejects fast with `DirectoryUnavailableError`; the state
 * goes `down` and comes back `up` on its own when ioredis reconnects.
 */
export class RedisRoomDirectory implements RoomDirectory {
  readonly #client: Redis;
  readonly #commands: DirectoryCommands;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #state: DirectoryStateTracker;
  readonly #detach: () => void;
  #closed = false;

  /** Creates its own fail-fast client for `url` (e.g. `redis://127.0.0.1:6379`). */
  static connect(
    url: string,
    options: RedisRoomDirectoryOptions & { redis?: RedisOptions } = {},
  ): RedisRoomDirectory {
    if (typeof url !== 'string' || url.length === 0)
      throw new TypeError('url: expected a Redis URL');
    const client = new Redis(url, directoryRedisOptions(options.redis));
    return new RedisRoomDirectory(client, options, true);
  }

  /**
   * Wraps an existing client (its options are the caller's business; see `directoryRedisOptions`).
   * `ownsClient` decides whether close() disconnects it.
   */
  constructor(client: Redis, options: RedisRoomDirectoryOptions = {}, ownsClient = false) {
    const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (typeof prefix !== 'string' || prefix.length > 64) {
      throw new RangeError('keyPrefix: expected a string of at most 64 characters');
    }
    this.#client = client;
    this.#ownsClient = ownsClient;
    this.#prefix = prefix;
    this.#state = new DirectoryStateTracker(
      'redis',
      client.status === 'ready' ? 'up' : 'connecting',
    );
    this.#defineScripts();
    this.#commands = client as unknown as DirectoryCommands;
    this.#detach = this.#watch();
  }

  async claim(roomKey: RoomKey, podId: string, ttlMs: number): Promise<ClaimResult> {
    checkRoomKey(roomKey);
    checkPodId(podId);
    checkTtl(ttlMs);
    const reply = await this.#call(() =>
      this.#commands.nullroomClaim(this.#roomEntry(roomKey), podId, ttlMs),
    );
    return parseClaim(reply);
  }

  async takeover(
    roomKey: RoomKey,
    fromPodId: string,
    toPodId: string,
    ttlMs: number,
  ): Promise<ClaimResult> {
    checkRoomKey(roomKey);
    checkPodId(fromPodId, 'fromPodId');
    checkPodId(toPodId, 'toPodId');
    checkTtl(ttlMs);
    const reply = await this.#call(() =>
      this.#commands.nullroomTakeover(this.#roomEntry(roomKey), fromPodId, toPodId, ttlMs),
    );
    return parseClaim(reply);
  }

  async lookup(roomKey: RoomKey): Promise<string | undefined> {
    checkRoomKey(roomKey);
    const owner = await this.#call(() => this.#client.get(this.#roomEntry(roomKey)));
    return owner ?? undefined;
  }

  async refresh(
    roomKeys: readonly RoomKey[],
    podId: string,
    ttlMs: number,
  ): Promise<RefreshResult> {
    checkRoomKeys(roomKeys);
    checkPodId(podId);
    checkTtl(ttlMs);
    const lost: RoomKey[] = [];
    const reclaimed: RoomKey[] = [];
    if (roomKeys.length === 0) return { lost, reclaimed };
    // Chunks are sent back to back on one connection, so this is still one round trip's wait.
    const chunks = chunk(roomKeys, BATCH_SIZE);
    const replies = await this.#call(() =>
      Promise.all(
        chunks.map((keys) =>
          this.#commands.nullroomRefresh(
            keys.length,
            ...keys.map((k) => this.#roomEntry(k)),
            podId,
            ttlMs,
          ),
        ),
      ),
    );
    replies.forEach((reply, c) => {
      const keys = chunks[c]!;
      if (!Array.isArray(reply) || reply.length !== 2)
        throw new DirectoryProtocolError('refresh: unexpected reply');
      const [lostIdx, reclaimedIdx] = reply as unknown[];
      for (const i of indexes(lostIdx, keys.length)) lost.push(keys[i]!);
      for (const i of indexes(reclaimedIdx, keys.length)) reclaimed.push(keys[i]!);
    });
    return { lost, reclaimed };
  }

  async release(roomKeys: readonly RoomKey[], podId: string): Promise<number> {
    checkRoomKeys(roomKeys);
    checkPodId(podId);
    if (roomKeys.length === 0) return 0;
    const replies = await this.#call(() =>
      Promise.all(
        chunk(roomKeys, BATCH_SIZE).map((keys) =>
          this.#commands.nullroomRelease(
            keys.length,
            ...keys.map((k) => this.#roomEntry(k)),
            podId,
          ),
        ),
      ),
    );
    return replies.reduce<number>((sum, n) => {
      if (typeof n !== 'number') throw new DirectoryProtocolError('release: unexpected reply');
      return sum + n;
    }, 0);
  }

  async registerPod(podId: string, internalAddress: string, ttlMs: number): Promise<void> {
    checkPodId(podId);
    checkAddress(internalAddress);
    checkTtl(ttlMs);
    await this.#call(() =>
      this.#commands.nullroomRegisterPod(
        this.#podEntry(podId),
        this.#podIndex(),
        podId,
        internalAddress,
        ttlMs,
      ),
    );
  }

  async refreshPod(podId: string, ttlMs: number): Promise<boolean> {
    checkPodId(podId);
    checkTtl(ttlMs);
    const reply = await this.#call(() =>
      this.#commands.nullroomRegisterPod(this.#podEntry(podId), this.#podIndex(), podId, '', ttlMs),
    );
    return reply === 1;
  }

  async unregisterPod(podId: string): Promise<void> {
    checkPodId(podId);
    // Two independent deletes, no read: MULTI is enough, no script needed.
    await this.#call(() =>
      this.#client.multi().del(this.#podEntry(podId)).zrem(this.#podIndex(), podId).exec(),
    );
  }

  async pods(): Promise<PodEntry[]> {
    // Index first, then the entries themselves: a member whose entry expired reads as null and is
    // skipped, so the index needs no clock comparison here (it is trimmed on registration).
    const ids = await this.#call(() => this.#client.zrange(this.#podIndex(), '0', '-1'));
    if (ids.length === 0) return [];
    const addresses = await this.#call(() =>
      this.#client.mget(ids.map((id) => this.#podEntry(id))),
    );
    const live: PodEntry[] = [];
    ids.forEach((podId, i) => {
      const address = addresses[i];
      if (typeof address === 'string') live.push({ podId, address });
    });
    return live.sort((a, b) => (a.podId < b.podId ? -1 : a.podId > b.podId ? 1 : 0));
  }

  health(): DirectoryHealth {
    return this.#state.health();
  }

  on<E extends keyof DirectoryEvents>(event: E, listener: DirectoryEvents[E]): () => void {
    return this.#state.on(event, listener);
  }

  /** Resolves true once connected, false after `timeoutMs`. For boot and tests; never required. */
  waitUntilUp(timeoutMs: number): Promise<boolean> {
    if (this.#state.state === 'up') return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.#state.on('state', (next) => {
        if (next !== 'up') return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    this.#state.clear();
    if (!this.#ownsClient) return;
    if (this.#client.status === 'ready') {
      await this.#client.quit().catch(() => undefined);
    }
    this.#client.disconnect();
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new DirectoryClosedError();
    // ioredis would reject too (no offline queue), but checking first avoids building commands.
    if (this.#client.status !== 'ready') throw new DirectoryUnavailableError();
    try {
      const result = await operation();
      this.#state.set('up');
      return result;
    } catch (error) {
      const translated = translate(error);
      if (translated instanceof DirectoryUnavailableError) {
        this.#state.set('down', describe(error));
      }
      throw translated;
    }
  }

  #defineScripts(): void {
    const client = this.#client as Redis & Partial<DirectoryCommands>;
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (e.g. after a Redis restart).
    if (client.nullroomClaim !== undefined) return; // shared client, already defined
    client.defineCommand('nullroomClaim', { numberOfKeys: 1, lua: CLAIM_SCRIPT });
    client.defineCommand('nullroomTakeover', { numberOfKeys: 1, lua: TAKEOVER_SCRIPT });
    client.defineCommand('nullroomRefresh', { lua: REFRESH_SCRIPT });
    client.defineCommand('nullroomRelease', { lua: RELEASE_SCRIPT });
    client.defineCommand('nullroomRegisterPod', { numberOfKeys: 2, lua: REGISTER_POD_SCRIPT });
  }

  /** Connection events → state. The 'error' listener also keeps ioredis from printing anything. */
  #watch(): () => void {
    const onReady = () => this.#state.set('up');
    const onDown = () => this.#state.set('down');
    const onError = (error: unknown) => {
      this.#state.set(this.#client.status === 'ready' ? 'up' : 'down', describe(error));
    };
    this.#client.on('ready', onReady);
    this.#client.on('close', onDown);
    this.#client.on('end', onDown);
    this.#client.on('error', onError);
    return () => {
      this.#client.off('ready', onReady);
      this.#client.off('close', onDown);
      this.#client.off('end', onDown);
      // Keep a no-op error listener on a client we don't own: an unhandled 'error' event would
      // crash the process or print, and LOGGING=0 means zero bytes.
      this.#client.off('error', onError);
      if (!this.#ownsClient && this.#client.listenerCount('error') === 0)
        this.#client.on('error', () => undefined);
    };
  }

  #roomEntry(roomKey: RoomKey): string {
    return `${this.#prefix}room:${roomKey}`;
  }

  #podEntry(podId: string): string {
    return `${this.#prefix}pod:${podId}`;
  }

  #podIndex(): string {
    return `${this.#prefix}pods`;
  }
}

function parseClaim(reply: unknown): ClaimResult {
  if (Array.isArray(reply)) {
    if (reply[0] === 1) return { owned: true };
    if (reply[0] === 0 && typeof reply[1] === 'string') return { owned: false, owner: reply[1] };
  }
  throw new DirectoryProtocolError('claim: unexpected reply');
}

function indexes(value: unknown, size: number): number[] {
  if (!Array.isArray(value)) throw new DirectoryProtocolError('refresh: unexpected reply');
  return value.map((i) => {
    if (typeof i !== 'number' || i < 1 || i > size)
      throw new DirectoryProtocolError('refresh: unexpected reply');
    return i - 1;
  });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Replies that mean "Redis is there but can't serve now" (loading, failover, busy script) count as
 * unavailable like a dropped connection; any other reply error is a protocol error.
 */
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b/;

function translate(error: unknown): Error {
  if (error instanceof DirectoryProtocolError) return error;
  if (error instanceof Error && error.name === 'ReplyError') {
    return UNAVAILABLE_REPLIES.test(error.message)
      ? new DirectoryUnavailableError(undefined, { cause: error })
      : new DirectoryProtocolError('unexpected Redis error reply', { cause: error });
  }
  // Connection closed, stream not writeable, command timeout, max retries: all "not now".
  return new DirectoryUnavailableError(undefined, { cause: error });
}

/** A reason safe for /ready detail: an error code or class, never a message with an address. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,32}$/.test(code)) return code;
    if (/timed? ?out/i.test(error.message)) return 'TIMEOUT';
    return error.name;
  }
  return 'UNKNOWN';
}
