/**
 * Code rooms on a real local cluster (deploy/local-cluster: 3 relay pods, Redis, nginx hashing
 * roomId, haproxy hashing roomId): nameplates are unique cluster-wide and leave nothing readable
 * in Redis; a code reaches its room's owner through either ingress; a wrong code counted on one
 * pod stays counted when a drain moves the room to another. Needs redis-server, nginx, haproxy
 * (NULLROOM_CLUSTER_TESTS=0 skips it, as for the other cluster tests).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeCode, toHex } from '@nullroom/e2ee';
import { codeRoomId } from '@nullroom/protocol';
// The cluster harness and the Redis dump helper (tests only): real processes playing Kubernetes.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { LocalCluster } from '../../../deploy/local-cluster/cluster';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { dumpRedis } from '../../../apps/relay/test/cluster/support/redis';
import { CodeRoomError, CodeRoomErrorCode, CodeRoomLink, createCodeRoom } from '../src';
import { nextEvent } from './code-room-events';

const ROOT = join(__dirname, '..', '..', '..');
const API_KEY = 'code-cluster-api-key-0123456789';
const ADMIN_KEY = 'code-cluster-admin-key-0123456789';
const haveTools = ['redis-server', 'nginx', 'haproxy'].every(
  (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0,
);
const built = existsSync(join(ROOT, 'apps/relay/dist/main.js'));
const optedOut = process.env.NULLROOM_CLUSTER_TESTS === '0';
const suite = optedOut ? describe.skip : describe;
if (!optedOut && (!haveTools || !built)) {
  throw new Error(
    'the code-room cluster test needs redis-server, nginx, haproxy and a built relay; ' +
      'NULLROOM_CLUSTER_TESTS=0 skips it',
  );
}

async function wrongCode(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CodeRoomError);
  expect((error as CodeRoomError).code).toBe(CodeRoomErrorCode.WRONG_CODE);
}

suite('code rooms on a local cluster', () => {
  let cluster: LocalCluster;
  const links: CodeRoomLink[] = [];

  beforeAll(async () => {
    cluster = await LocalCluster.up(3, {
      repoRoot: ROOT,
      ...(process.env.CLUSTER_ECHO ? { logging: '1', echo: true } : {}),
      env: {
        ANOCHAT_API_KEY: API_KEY,
        ANOCHAT_ADMIN_KEY: ADMIN_KEY,
        RATE_LIMIT_ROOMS_MAX: '0',
        RATE_LIMIT_CODE_ATTEMPTS_MAX: '0',
        DIRECTORY_TTL_MS: '3000',
        DIRECTORY_REFRESH_MS: '500',
        DRAIN_GRACE_MS: '300',
        DRAIN_RECONNECT_JITTER_MS: '400',
        DRAIN_HANDOFF_MS: '4000',
        // A small nameplate space, so that three pods creating at once would collide if the
        // directory did not hand nameplates out atomically.
        CODE_NAMEPLATE_MAX: '99',
      },
    });
  }, 60_000);

  afterEach(() => {
    for (const link of links.splice(0)) link.close();
  });

  afterAll(async () => {
    await cluster?.down();
  }, 60_000);

  it('nameplates are unique across pods, and Redis holds neither nameplates nor room ids', async () => {
    const pods = cluster.members();
    const created = await Promise.all(
      Array.from({ length: 45 }, (_, i) =>
        createCodeRoom(pods[i % pods.length]!.url, { apiKey: API_KEY }),
      ),
    );
    const nameplates = created.map((c) => c.nameplate);
    expect(new Set(nameplates).size).toBe(45);
    for (const c of created) expect(c.roomId).toBe(await codeRoomId(c.nameplate));
    const entries = await dumpRedis(cluster.redis.url);
    const roomKeys = entries.filter((e) => /:room:/.test(e.key));
    expect(roomKeys.length).toBeGreaterThanOrEqual(45);
    for (const e of entries) {
      const text = [e.key, ...e.values].join(' ');
      expect(text).not.toMatch(/c0de[0-9a-f]{4}-/);
      for (const c of created) expect(text).not.toContain(c.joinToken);
      expect(e.pttl).toBeGreaterThan(0);
    }
    for (const e of roomKeys) expect(e.key).toMatch(/:room:[0-9a-f]{64}$/);
    for (const c of created) {
      const res = await fetch(`${cluster.nginxUrl!}/rooms/${c.roomId}`, {
        method: 'DELETE',
        headers: { 'x-join-token': c.joinToken },
      });
      expect(res.status).toBe(200);
    }
  });

  it('a code reaches the owner through either ingress; its count survives a drain of the owner', async () => {
    const pods = cluster.members();
    // Three seats: host, the right guest, and room for one more (wrong) attempt at the end.
    const created = await createCodeRoom(pods[0]!.url, { apiKey: API_KEY, maxParticipants: 3 });
    const code = makeCode(created.nameplate, ['zucchini', 'aardvark', 'ethics']);
    const wrong = makeCode(created.nameplate, ['zucchini', 'aardvark', 'etching']);
    // The host comes through nginx, the guests through haproxy: two different hash rings, so
    // they may land on different pods and meet on the owner by claim or forward.
    const host = await CodeRoomLink.host({
      url: cluster.nginxUrl!,
      code,
      joinToken: created.joinToken,
    });
    links.push(host);
    const firstFailure = nextEvent(host, 'attempt-failed', 15_000);
    await wrongCode(CodeRoomLink.join({ url: cluster.haproxyUrl!, code: wrong }));
    expect(await firstFailure).toMatchObject({ reason: 'wrong_code', attemptsLeft: 2 });

    // Drain the pod that owns the room: the host is told to come back (1012), the room moves to
    // its new ring pod with its shape — including the failure already counted.
    const owner = await ownerOf(cluster);
    if (owner === undefined) throw new Error('no pod holds the room');
    const back = nextEvent(host, 'reconnecting', 15_000);
    const removed = cluster.removePod(owner);
    expect((await back).closeCode).toBe(1012);
    await removed;
    await waitFor(async () => {
      const now = await ownerOf(cluster);
      return now !== undefined && now !== owner;
    }, 15_000);

    const verified = nextEvent(host, 'guest-verified', 15_000);
    const joined = await CodeRoomLink.join({ url: cluster.haproxyUrl!, code, retries: 5 });
    links.push(joined.link);
    expect(toHex((await verified).outcome.sessionId)).toBe(toHex(joined.outcome.sessionId));
    // One wrong code before the move, one now: 3 − 2 = 1 left. The count moved with the room.
    const secondFailure = nextEvent(host, 'attempt-failed', 15_000);
    await wrongCode(CodeRoomLink.join({ url: cluster.haproxyUrl!, code: wrong }));
    expect(await secondFailure).toMatchObject({ reason: 'wrong_code', attemptsLeft: 1 });
  }, 60_000);
});

/** The live member pod whose own stats count a code room, if any. */
async function ownerOf(cluster: LocalCluster): Promise<string | undefined> {
  for (const pod of cluster.members()) {
    const res = await fetch(`${pod.url}/admin/api/stats`, {
      headers: { 'x-admin-key': ADMIN_KEY },
    }).catch(() => undefined);
    if (res?.status !== 200) continue;
    const stats = (await res.json()) as { rooms: { code: number } };
    if (stats.rooms.code > 0) return pod.name;
  }
  return undefined;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
