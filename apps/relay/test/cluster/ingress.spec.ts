// The local cluster harness with stand-in pods behind real nginx and haproxy: both hash roomId
// consistently, carry WebSocket upgrades, and move only the removed pod's rooms on a reload.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import WebSocket from 'ws';
// deploy/local-cluster is a script folder, not an Nx project: nothing to depend on by tag.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { FAKE_POD_SCRIPT, LocalCluster } from '../../../../deploy/local-cluster/cluster';

const repoRoot = resolve(__dirname, '../../../..');
const run = randomBytes(4).toString('hex');
const rooms = Array.from({ length: 60 }, (_, i) => `room-${run}-${i}`);

async function podFor(base: string, roomId: string): Promise<string> {
  const response = await fetch(`${base}/api/whoami?roomId=${encodeURIComponent(roomId)}`, {
    signal: AbortSignal.timeout(3000),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { pod: string }).pod;
}

async function mapping(base: string): Promise<Map<string, string>> {
  const pods = await Promise.all(rooms.map((room) => podFor(base, room)));
  return new Map(rooms.map((room, i) => [room, pods[i]!]));
}

/** Opens a WebSocket through `base`; resolves with the pod that answered and the socket. */
function openSocket(base: string, roomId: string): Promise<{ pod: string; ws: WebSocket }> {
  return new Promise((resolveOpen, reject) => {
    const ws = new WebSocket(
      `${base.replace('http', 'ws')}/ws?roomId=${encodeURIComponent(roomId)}`,
    );
    const timer = setTimeout(() => reject(new Error('websocket: no hello in 3 s')), 3000);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      resolveOpen({ pod: (JSON.parse(data.toString('utf8')) as { pod: string }).pod, ws });
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function echo(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolveEcho) => {
    ws.once('message', (data: Buffer) => resolveEcho(data.toString('utf8')));
    ws.send(text);
  });
}

async function eventually(timeoutMs: number, check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolveClose) => ws.once('close', (code) => resolveClose(code)));
}

describe('local cluster ingress (nginx + haproxy, stand-in pods)', () => {
  let cluster: LocalCluster;
  let ingresses: [string, string][];

  beforeAll(async () => {
    cluster = await LocalCluster.up(3, {
      repoRoot,
      podCommand: [process.execPath, FAKE_POD_SCRIPT],
      startTimeoutMs: 10_000,
      drainTimeoutMs: 5_000,
    });
    ingresses = [
      ['nginx', cluster.nginxUrl!],
      ['haproxy', cluster.haproxyUrl!],
    ];
  }, 30_000);

  afterAll(async () => {
    if (!cluster) return;
    await cluster.down();
    expect(cluster.livePids()).toEqual([]);
  }, 30_000);

  it('the same roomId always lands on the same pod, and rooms spread over all pods', async () => {
    for (const [, base] of ingresses) {
      const first = await mapping(base);
      const second = await mapping(base);
      expect(second).toEqual(first);
      expect(new Set(first.values())).toEqual(new Set(['pod-1', 'pod-2', 'pod-3']));
    }
  });

  it('carries WebSocket upgrades to the ring pod of the room', async () => {
    for (const [, base] of ingresses) {
      for (const room of rooms.slice(0, 6)) {
        const { pod, ws } = await openSocket(base, room);
        expect(pod).toBe(await podFor(base, room));
        await expect(echo(ws, `hello ${room}`)).resolves.toBe(`hello ${room}`);
        ws.close();
      }
    }
  });

  it('removePod drains the pod (1012) and moves only its rooms', async () => {
    const before = await Promise.all(ingresses.map(([, base]) => mapping(base)));
    const victim = 'pod-2';
    const roomOnVictim = rooms.find((room) => before[0]!.get(room) === victim)!;
    const { ws } = await openSocket(cluster.nginxUrl!, roomOnVictim);
    const closeCode = closed(ws);

    await cluster.removePod(victim);
    await expect(closeCode).resolves.toBe(1012);
    expect(cluster.pod(victim)).toMatchObject({ state: 'stopped', pid: undefined });

    for (const [i, [, base]] of ingresses.entries()) {
      const after = await mapping(base);
      for (const room of rooms) {
        const was = before[i]!.get(room)!;
        if (was === victim) expect(['pod-1', 'pod-3']).toContain(after.get(room));
        else expect(after.get(room)).toBe(was);
      }
    }
  });

  it('addPod takes rooms from the others and moves nothing between them', async () => {
    const before = await Promise.all(ingresses.map(([, base]) => mapping(base)));
    const added = await cluster.addPod();
    expect(added.name).toBe('pod-4');
    for (const [i, [, base]] of ingresses.entries()) {
      const after = await mapping(base);
      const moved = rooms.filter((room) => after.get(room) !== before[i]!.get(room));
      expect(moved.length).toBeGreaterThan(0);
      for (const room of moved) expect(after.get(room)).toBe('pod-4');
    }
  });

  it('survives kill -9 of a pod, then restarts it on the same ports', async () => {
    const before = await Promise.all(ingresses.map(([, base]) => mapping(base)));
    const killed = cluster.pod('pod-3');
    await cluster.killPod('pod-3');
    expect(cluster.pod('pod-3')).toMatchObject({ state: 'killed', pid: undefined });

    // nginx retries the next upstream at once; haproxy needs its health check (2 × 500 ms) to
    // take pod-3 out. Either way every room is served again, and rooms of live pods stay put.
    for (const [i, [, base]] of ingresses.entries()) {
      await eventually(5000, async () => {
        const after = await mapping(base);
        for (const room of rooms) {
          const was = before[i]!.get(room);
          if (was === 'pod-3') expect(after.get(room)).not.toBe('pod-3');
          else expect(after.get(room)).toBe(was);
        }
      });
    }

    const restarted = await cluster.restartPod('pod-3');
    expect(restarted).toMatchObject({
      state: 'running',
      port: killed.port,
      internalPort: killed.internalPort,
    });
    expect(restarted.pid).not.toBe(killed.pid);
    // nginx puts a failed upstream back after fail_timeout (2 s), haproxy after one good check.
    for (const [i, [, base]] of ingresses.entries()) {
      await eventually(5000, async () => expect(await mapping(base)).toEqual(before[i]));
    }
  });

  it('reaches the pods internal ports and Redis', async () => {
    for (const pod of cluster.members()) {
      const response = await fetch(`http://${pod.address}/`, { signal: AbortSignal.timeout(2000) });
      await expect(response.json()).resolves.toEqual({ pod: pod.name, internal: true });
    }
    await cluster.stopRedis();
    expect(cluster.redis.running).toBe(false);
    await cluster.startRedis();
    expect(cluster.redis.running).toBe(true);
  });
});
