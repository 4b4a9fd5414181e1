// Redis-only behaviour: outages (stopped, hung) and privacy of what is stored.
import {
  DirectoryUnavailableError,
  RedisRoomDirectory,
  RoomKeyDeriver,
  type DirectoryState,
} from '../../src/cluster';
import { dumpRedis, type RedisServer, sleep, startRedis } from './support/redis';

const keys = new RoomKeyDeriver('redis-test-secret-0123456789abcdef');

describe('RedisRoomDirectory while Redis is down', () => {
  let redis: RedisServer;
  let directory: RedisRoomDirectory;
  const states: DirectoryState[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await directory?.close();
    await redis.dispose();
  });

  it('rejects fast with DirectoryUnavailableError, reports down, and recovers on restart', async () => {
    directory = RedisRoomDirectory.connect(redis.url);
    directory.on('state', (next) => states.push(next));
    expect(await directory.waitUntilUp(3000)).toBe(true);

    const live = [keys.keyFor('live-1'), keys.keyFor('live-2')];
    for (const key of live) await directory.claim(key, 'pod-a', 10_000);
    await directory.registerPod('pod-a', '127.0.0.1:9001', 10_000);

    await redis.stop();
    // The socket close is noticed at once; no command is needed to find out.
    const deadline = Date.now() + 2000;
    while (directory.health().state !== 'down' && Date.now() < deadline) await sleep(10);
    expect(directory.health()).toMatchObject({ backend: 'redis', state: 'down' });

    // Every operation rejects, typed, without waiting on timeouts or a queue.
    const started = performance.now();
    const attempts = [
      directory.claim(keys.keyFor('new-room'), 'pod-a', 10_000),
      directory.takeover(live[0]!, 'pod-a', 'pod-b', 10_000),
      directory.lookup(live[0]!),
      directory.refresh(live, 'pod-a', 10_000),
      directory.release(live, 'pod-a'),
      directory.registerPod('pod-a', '127.0.0.1:9001', 10_000),
      directory.refreshPod('pod-a', 10_000),
      directory.pods(),
    ];
    for (const attempt of attempts)
      await expect(attempt).rejects.toBeInstanceOf(DirectoryUnavailableError);
    expect(performance.now() - started).toBeLessThan(100);
    const error = await directory.lookup(live[0]!).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({
      name: 'DirectoryUnavailableError',
      code: 'DIRECTORY_UNAVAILABLE',
    });

    // Redis comes back empty (RAM only): the refresh loop puts the live rooms back.
    await redis.start();
    expect(await directory.waitUntilUp(5000)).toBe(true);
    expect(directory.health().state).toBe('up');
    await expect(directory.lookup(live[0]!)).resolves.toBeUndefined();
    await expect(directory.refresh(live, 'pod-a', 10_000)).resolves.toEqual({
      lost: [],
      reclaimed: live,
    });
    await expect(directory.lookup(live[1]!)).resolves.toBe('pod-a');
    await expect(directory.refreshPod('pod-a', 10_000)).resolves.toBe(false);
    await directory.registerPod('pod-a', '127.0.0.1:9001', 10_000);
    await expect(directory.pods()).resolves.toEqual([
      { podId: 'pod-a', address: '127.0.0.1:9001' },
    ]);

    expect(states).toEqual(['up', 'down', 'up']);
  });

  it('a hung Redis (SIGSTOP) costs one command timeout, not a hang', async () => {
    const hung = RedisRoomDirectory.connect(redis.url, { redis: { commandTimeout: 200 } });
    expect(await hung.waitUntilUp(3000)).toBe(true);
    process.kill(redis.pid!, 'SIGSTOP');
    try {
      const started = performance.now();
      await expect(hung.claim(keys.keyFor('hung'), 'pod-a', 1000)).rejects.toBeInstanceOf(
        DirectoryUnavailableError,
      );
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(150);
      expect(elapsed).toBeLessThan(1000);
      expect(hung.health()).toMatchObject({ state: 'down', lastError: 'TIMEOUT' });
    } finally {
      process.kill(redis.pid!, 'SIGCONT');
    }
    await expect(hung.lookup(keys.keyFor('hung'))).resolves.not.toBeNull();
    expect(hung.health().state).toBe('up');
    await hung.close();
  });
});

describe('RedisRoomDirectory privacy', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it('stores only HMAC room keys and pod names, every key with a TTL', async () => {
    const roomIds = Array.from({ length: 20 }, (_, i) => `Secret-Room-${i}-a9f3c2`);
    const pods = ['pod-a', 'pod-b', 'pod-c'];
    const directories = pods.map(() => RedisRoomDirectory.connect(redis.url));
    try {
      for (const d of directories) expect(await d.waitUntilUp(3000)).toBe(true);
      const [a, b, c] = directories as [RedisRoomDirectory, RedisRoomDirectory, RedisRoomDirectory];

      // A busy little scenario: pods register, claim, race, move rooms, refresh and release.
      await Promise.all(
        pods.map((pod, i) => directories[i]!.registerPod(pod, `127.0.0.1:${9000 + i}`, 60_000)),
      );
      const roomKeys = roomIds.map((id) => keys.keyFor(id));
      await Promise.all(
        roomKeys.flatMap((key) => pods.map((pod, i) => directories[i]!.claim(key, pod, 60_000))),
      );
      await Promise.all(
        roomKeys.slice(0, 5).map(async (key) => {
          const owner = await a.lookup(key);
          return b.takeover(key, owner!, 'pod-b', 60_000);
        }),
      );
      await c.refresh(roomKeys, 'pod-c', 60_000);
      const released = await a.release(roomKeys.slice(10), 'pod-a');
      await b.refreshPod('pod-b', 60_000);

      const stored = await dumpRedis(redis.url);
      expect(stored.length).toBeGreaterThan(4);
      const everything = stored
        .flatMap((entry) => [entry.key, ...entry.values])
        .join('\n')
        .toLowerCase();
      for (const id of roomIds) {
        expect(everything).not.toContain(id.toLowerCase());
        expect(everything).not.toContain('secret-room');
      }
      for (const entry of stored) {
        // Every directory key has a TTL (no key lives forever) and matches the documented layout.
        expect(entry.pttl).toBeGreaterThan(0);
        expect(entry.key).toMatch(/^nullroom:(room:[0-9a-f]{64}|pod:pod-[abc]|pods)$/);
        if (entry.key.startsWith('nullroom:room:')) expect(pods).toContain(entry.values[0]);
      }
      expect(stored.filter((e) => e.key.startsWith('nullroom:room:'))).toHaveLength(
        roomIds.length - released,
      );
    } finally {
      await Promise.all(directories.map((d) => d.close()));
    }
  });
});
