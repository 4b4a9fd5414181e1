// One contract, two implementations: every behaviour the relay relies on is checked against the
// embedded MemoryRoomDirectory and against RedisRoomDirectory on a real redis-server.
import {
  DirectoryClosedError,
  MemoryRoomDirectory,
  RedisRoomDirectory,
  RoomKeyDeriver,
  type RoomDirectory,
  type RoomKey,
} from '../../src/cluster';
import { type RedisServer, sleep, startRedis } from './support/redis';

const keys = new RoomKeyDeriver('contract-test-secret-0123456789abcdef');
let counter = 0;
/** A fresh room key per call, so tests never see each other's entries. */
const room = (): RoomKey => keys.keyFor(`room-${process.pid}-${++counter}`);

let redis: RedisServer;
let prefixCounter = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.dispose();
});

const backends: [string, () => Promise<RoomDirectory>][] = [
  ['memory', () => Promise.resolve(new MemoryRoomDirectory())],
  [
    'redis',
    async () => {
      // A prefix per test keeps the pods index of one test out of the next.
      const directory = RedisRoomDirectory.connect(redis.url, {
        keyPrefix: `contract${++prefixCounter}:`,
      });
      if (!(await directory.waitUntilUp(3000))) throw new Error('redis directory did not come up');
      return directory;
    },
  ],
];

describe.each(backends)('RoomDirectory contract (%s)', (_name, create) => {
  let directory: RoomDirectory;

  beforeEach(async () => {
    directory = await create();
  });
  afterEach(async () => {
    await directory.close();
  });

  it('claim: the first pod owns the room, re-claims by it succeed, other pods learn the owner', async () => {
    const key = room();
    await expect(directory.lookup(key)).resolves.toBeUndefined();
    await expect(directory.claim(key, 'pod-a', 5000)).resolves.toEqual({ owned: true });
    await expect(directory.claim(key, 'pod-a', 5000)).resolves.toEqual({ owned: true });
    await expect(directory.claim(key, 'pod-b', 5000)).resolves.toEqual({
      owned: false,
      owner: 'pod-a',
    });
    await expect(directory.lookup(key)).resolves.toBe('pod-a');
  });

  it('claim race: of 40 concurrent claims from 40 pods exactly one wins and all others name it', async () => {
    for (let round = 0; round < 5; round++) {
      const key = room();
      const pods = Array.from({ length: 40 }, (_, i) => `pod-${i}`);
      const results = await Promise.all(pods.map((pod) => directory.claim(key, pod, 5000)));
      const winners = pods.filter((_, i) => results[i]!.owned);
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (!result.owned) expect(result.owner).toBe(winners[0]);
      }
      await expect(directory.lookup(key)).resolves.toBe(winners[0]);
    }
  });

  it('takeover: compare-and-set from the expected owner; refused when a third pod owns it', async () => {
    const key = room();
    await directory.claim(key, 'pod-a', 5000);
    // pod-c thinks the room is on pod-b: wrong, pod-a has it.
    await expect(directory.takeover(key, 'pod-b', 'pod-c', 5000)).resolves.toEqual({
      owned: false,
      owner: 'pod-a',
    });
    await expect(directory.lookup(key)).resolves.toBe('pod-a');
    // The room moves from pod-a to pod-c.
    await expect(directory.takeover(key, 'pod-a', 'pod-c', 5000)).resolves.toEqual({ owned: true });
    await expect(directory.lookup(key)).resolves.toBe('pod-c');
    // Repeating it is harmless (already ours); pod-a can no longer claim it.
    await expect(directory.takeover(key, 'pod-a', 'pod-c', 5000)).resolves.toEqual({ owned: true });
    await expect(directory.claim(key, 'pod-a', 5000)).resolves.toEqual({
      owned: false,
      owner: 'pod-c',
    });
    // The entry vanished meanwhile (expired): the takeover still succeeds.
    const gone = room();
    await expect(directory.takeover(gone, 'pod-a', 'pod-c', 5000)).resolves.toEqual({
      owned: true,
    });
  });

  it('takeover race: two ring pods take over the same room, exactly one wins', async () => {
    const key = room();
    await directory.claim(key, 'pod-a', 5000);
    const results = await Promise.all([
      directory.takeover(key, 'pod-a', 'pod-b', 5000),
      directory.takeover(key, 'pod-a', 'pod-c', 5000),
    ]);
    expect(results.filter((r) => r.owned)).toHaveLength(1);
  });

  it('TTL: an entry expires and the room can be claimed by another pod', async () => {
    const key = room();
    await directory.claim(key, 'pod-a', 300);
    await expect(directory.claim(key, 'pod-b', 300)).resolves.toEqual({
      owned: false,
      owner: 'pod-a',
    });
    await sleep(400);
    await expect(directory.lookup(key)).resolves.toBeUndefined();
    await expect(directory.claim(key, 'pod-b', 300)).resolves.toEqual({ owned: true });
  });

  it('refresh: re-arms only own keys, reports keys of other pods, reclaims vanished ones', async () => {
    const mine = [room(), room(), room()];
    const theirs = room();
    const vanished = room();
    for (const key of mine) await directory.claim(key, 'pod-a', 300);
    await directory.claim(theirs, 'pod-b', 5000);

    // Keep refreshing past the original TTL: the keys must survive.
    for (let i = 0; i < 3; i++) {
      await sleep(150);
      const result = await directory.refresh([...mine, theirs], 'pod-a', 300);
      expect(result).toEqual({ lost: [theirs], reclaimed: [] });
    }
    for (const key of mine) await expect(directory.lookup(key)).resolves.toBe('pod-a');
    await expect(directory.lookup(theirs)).resolves.toBe('pod-b');

    const result = await directory.refresh([mine[0]!, vanished], 'pod-a', 5000);
    expect(result).toEqual({ lost: [], reclaimed: [vanished] });
    await expect(directory.lookup(vanished)).resolves.toBe('pod-a');

    // Not refreshed any more: they expire.
    await sleep(400);
    await expect(directory.lookup(mine[1]!)).resolves.toBeUndefined();
    await expect(directory.refresh([], 'pod-a', 300)).resolves.toEqual({ lost: [], reclaimed: [] });
  });

  it('refresh and release work in batches larger than one script call', async () => {
    const many = Array.from({ length: 1200 }, () => room());
    const result = await directory.refresh(many, 'pod-a', 5000);
    expect(result.reclaimed).toHaveLength(1200);
    await directory.takeover(many[700]!, 'pod-a', 'pod-b', 5000);
    const again = await directory.refresh(many, 'pod-a', 5000);
    expect(again).toEqual({ lost: [many[700]], reclaimed: [] });
    await expect(directory.release(many, 'pod-a')).resolves.toBe(1199);
    await expect(directory.lookup(many[700]!)).resolves.toBe('pod-b');
    await expect(directory.lookup(many[0]!)).resolves.toBeUndefined();
  });

  it('release: deletes only the entries the pod still owns', async () => {
    const mine = room();
    const theirs = room();
    await directory.claim(mine, 'pod-a', 5000);
    await directory.claim(theirs, 'pod-b', 5000);
    await expect(directory.release([mine, theirs, room()], 'pod-a')).resolves.toBe(1);
    await expect(directory.lookup(mine)).resolves.toBeUndefined();
    await expect(directory.lookup(theirs)).resolves.toBe('pod-b');
    await expect(directory.release([], 'pod-a')).resolves.toBe(0);
  });

  it('pods: register, list sorted, refresh, expire, unregister', async () => {
    await expect(directory.pods()).resolves.toEqual([]);
    await directory.registerPod('pod-b', '127.0.0.1:9002', 5000);
    await directory.registerPod('pod-a', '127.0.0.1:9001', 300);
    await directory.registerPod('pod-c', '127.0.0.1:9003', 5000);
    await expect(directory.pods()).resolves.toEqual([
      { podId: 'pod-a', address: '127.0.0.1:9001' },
      { podId: 'pod-b', address: '127.0.0.1:9002' },
      { podId: 'pod-c', address: '127.0.0.1:9003' },
    ]);
    // Re-registering replaces the address.
    await directory.registerPod('pod-c', '127.0.0.1:9333', 5000);
    await directory.unregisterPod('pod-b');
    await sleep(150);
    await expect(directory.refreshPod('pod-a', 300)).resolves.toBe(true);
    await sleep(200);
    // pod-a is alive only thanks to the refresh.
    await expect(directory.pods()).resolves.toEqual([
      { podId: 'pod-a', address: '127.0.0.1:9001' },
      { podId: 'pod-c', address: '127.0.0.1:9333' },
    ]);
    await sleep(250);
    await expect(directory.pods()).resolves.toEqual([
      { podId: 'pod-c', address: '127.0.0.1:9333' },
    ]);
    await expect(directory.refreshPod('pod-a', 300)).resolves.toBe(false);
    await expect(directory.refreshPod('pod-b', 300)).resolves.toBe(false);
  });

  it('checks arguments and names the bad one; a raw room id never gets in', async () => {
    await expect(directory.claim('my-secret-room' as RoomKey, 'pod-a', 1000)).rejects.toThrow(
      new RangeError('roomKey: not an HMAC room key'),
    );
    await expect(directory.release(['x' as RoomKey], 'pod-a')).rejects.toThrow(RangeError);
    await expect(directory.claim(room(), '', 1000)).rejects.toThrow(/^podId/);
    await expect(directory.claim(room(), 'pod a', 1000)).rejects.toThrow(RangeError);
    await expect(directory.claim(room(), 'pod-a', 0)).rejects.toThrow(
      new RangeError('ttlMs: must be between 10 and 86400000'),
    );
    await expect(directory.claim(room(), 'pod-a', 1.5)).rejects.toThrow(TypeError);
    await expect(directory.takeover(room(), 'pod-a', '', 1000)).rejects.toThrow(/^toPodId/);
    await expect(directory.registerPod('pod-a', '', 1000)).rejects.toThrow(/^internalAddress/);
  });

  it('reports healthy, and rejects with DirectoryClosedError after close()', async () => {
    expect(directory.health()).toMatchObject({ state: 'up' });
    await directory.close();
    await expect(directory.lookup(room())).rejects.toBeInstanceOf(DirectoryClosedError);
  });
});

describe('RoomKeyDeriver', () => {
  it('derives a stable 64-hex HMAC that depends on the secret', () => {
    const a = new RoomKeyDeriver('secret-number-one-0123456789');
    const b = new RoomKeyDeriver('secret-number-two-0123456789');
    expect(a.keyFor('room-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(a.keyFor('room-1')).toBe(a.keyFor('room-1'));
    expect(a.keyFor('room-1')).not.toBe(a.keyFor('room-2'));
    expect(a.keyFor('room-1')).not.toBe(b.keyFor('room-1'));
  });

  it('refuses short secrets and empty room ids', () => {
    expect(() => new RoomKeyDeriver('short')).toThrow(RangeError);
    expect(() => a().keyFor('')).toThrow(TypeError);
    function a() {
      return new RoomKeyDeriver('a-long-enough-secret-0123456789');
    }
  });
});
