import { createHash, createHmac, randomBytes } from 'node:crypto';
// The harness is a deploy tool, not a library: tests may reach it by path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type PodInfo, LocalCluster } from '../../../../deploy/local-cluster/cluster';
import { CloseCode } from '@nullroom/protocol';
import { ClusterAuth } from '../../src/ownership/cluster-auth';
import { type RoomView } from '../../src/rooms/rooms.service';
import { ClusterMember } from './cluster-member';
import { eventually } from './eventually';
import { type Room, createP2pRoom } from './rooms';
import { RecordingProxy, sendRaw } from './recording-proxy';

/**
 * The cluster under faults (issue 17), on real pods, a real Redis and nginx: concurrent joins
 * through two pods, an owner frozen with SIGSTOP, members coming back late after a drain, and an
 * on-path observer of pod-to-pod traffic (a recording proxy in front of every internal port).
 */
const API_KEY = 'faults-api-key-0123456789';
const POD_ENV = {
  ANOCHAT_API_KEY: API_KEY,
  RATE_LIMIT_HTTP_MAX: '0',
  RATE_LIMIT_ROOMS_MAX: '0',
  RATE_LIMIT_WS_CONNECT_MAX: '0',
  // A pod is dead once its directory entry is 8 s stale (DIRECTORY_TTL_MS): longer than the
  // 2.5 s and 4 s pauses below, which therefore are a slow pod, not a dead one.
  DIRECTORY_TTL_MS: '8000',
  DIRECTORY_REFRESH_MS: '1000',
  DRAIN_GRACE_MS: '300',
  DRAIN_RECONNECT_JITTER_MS: '400',
  MAX_ROOMS: '0',
};

const createRoom = (baseUrl: string): Promise<Room> => createP2pRoom(baseUrl, API_KEY, 8);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wsOf = (baseUrl: string) => () => `${baseUrl.replace('http', 'ws')}/ws`;

describe('cluster under faults', () => {
  let cluster: LocalCluster;
  let auth: ClusterAuth;
  /** pod name → the recording proxy in front of its internal port (what peers dial). */
  const proxies = new Map<string, RecordingProxy>();
  const members: ClusterMember[] = [];
  /** Every join token handed out in this suite: none may ever cross between pods. */
  const tokens = new Set<string>();

  const running = (): PodInfo[] => cluster.pods().filter((p) => p.pid !== undefined);

  /** A signed call straight to a pod's internal port (not through its proxy). */
  async function internal(pod: PodInfo, path: string): Promise<unknown> {
    const res = await fetch(`http://127.0.0.1:${pod.internalPort}${path}`, {
      headers: { 'x-nullroom-cluster': auth.sign('GET', path) },
    });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    return res.json();
  }

  async function holders(): Promise<Map<string, Array<{ pod: string; view: RoomView }>>> {
    const result = new Map<string, Array<{ pod: string; view: RoomView }>>();
    for (const pod of running()) {
      const { rooms } = (await internal(pod, '/internal/rooms')) as { rooms: RoomView[] };
      for (const view of rooms) {
        result.set(view.roomId, [...(result.get(view.roomId) ?? []), { pod: pod.name, view }]);
      }
    }
    return result;
  }

  /** Room id → owner named by the standby copies held on the other pods. */
  async function standbys(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const pod of running()) {
      const { standbys } = (await internal(pod, '/internal/standby')) as {
        standbys: Array<{ roomId: string; owner: string }>;
      };
      for (const s of standbys) if (s.owner !== pod.name) found.set(s.roomId, s.owner);
    }
    return found;
  }

  async function room(on: PodInfo): Promise<Room> {
    const created = await createRoom(on.url);
    tokens.add(created.joinToken);
    return created;
  }

  function member(url: () => string, r: Room, clientId: string): ClusterMember {
    const m = new ClusterMember(url, r.roomId, clientId, r.joinToken);
    members.push(m);
    return m;
  }

  beforeAll(async () => {
    cluster = await LocalCluster.up(3, {
      env: POD_ENV,
      haproxy: false,
      advertise: async ({ name, internalPort }) => {
        await proxies.get(name)?.close();
        const proxy = await RecordingProxy.start(internalPort);
        proxies.set(name, proxy);
        return proxy.address;
      },
      ...(process.env.CLUSTER_ECHO ? { logging: '1', echo: true } : {}),
    });
    auth = new ClusterAuth(cluster.clusterSecret);
  }, 60_000);

  afterEach(() => {
    for (const m of members.splice(0)) m.terminate();
  });

  afterAll(async () => {
    await cluster?.down();
    for (const proxy of proxies.values()) await proxy.close();
  }, 60_000);

  it('two members joining a new room at once through two pods: 200 tries, never a 4404', async () => {
    const [creator, other] = running() as [PodInfo, PodInfo];
    const notFound: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await room(creator);
      // The second join starts −5…+10 ms after the first one (the window where it broke).
      const offset = (i % 16) - 5;
      const viaOther = member(wsOf(other.url), r, 'x');
      const viaCreator = member(wsOf(creator.url), r, 'y');
      const [first, second] = offset < 0 ? [viaCreator, viaOther] : [viaOther, viaCreator];
      const joined = [first.connect()];
      await sleep(Math.abs(offset));
      joined.push(second.connect());
      const outcome = await Promise.allSettled(joined);
      for (const m of [viaOther, viaCreator]) {
        if (m.closes.includes(CloseCode.ROOM_NOT_FOUND)) notFound.push(`try ${i}: ${m.clientId}`);
      }
      if (outcome.every((o) => o.status === 'fulfilled')) {
        // One room, not two copies: each member sees the other.
        await eventually(
          () => viaOther.peers.has('y') && viaCreator.peers.has('x'),
          5000,
          `try ${i}: both members in one room`,
        );
      }
      viaOther.terminate();
      viaCreator.terminate();
    }
    expect(notFound).toEqual([]);
  }, 120_000);

  it.each([2500, 4000])(
    'an owner frozen for %i ms while members join through another pod: no established member is closed',
    async (pauseMs) => {
      const [owner, other] = running() as [PodInfo, PodInfo];
      const rooms: Room[] = [];
      const established: ClusterMember[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await room(owner);
        rooms.push(r);
        for (const id of ['a', 'b']) {
          const m = member(wsOf(owner.url), r, id);
          established.push(m);
          await m.connect();
        }
      }
      // Each room has its standby on another pod: taking a room from its standby is possible,
      // and must not happen while the owner is alive.
      await eventually(
        async () => {
          const copies = await standbys();
          return rooms.every((r) => copies.get(r.roomId) === owner.name);
        },
        10_000,
        'standbys in place',
      );
      cluster.pausePod(owner.name);
      let joining: Array<Promise<void>>;
      const joiners = rooms.map((r) => member(wsOf(other.url), r, 'late'));
      try {
        joining = joiners.map((m) => m.connect(pauseMs + 20_000));
        await sleep(pauseMs);
      } finally {
        cluster.resumePod(owner.name);
      }
      await Promise.all(joining);
      await eventually(
        () => established.every((m) => m.peers.has('late')),
        10_000,
        'every established member sees the new one',
      );
      for (const m of [...established, ...joiners]) m.send();
      await eventually(
        () => established.every((m) => (m.received.get('late') ?? []).length === 1),
        10_000,
        'the new members are heard',
      );
      await sleep(2 * 1000); // two refreshes: a split room would be found and evicted by now
      expect(established.filter((m) => m.interrupted).map((m) => m.clientId)).toEqual([]);
      expect(
        joiners.flatMap((m) => m.closes).filter((c) => c === CloseCode.ROOM_NOT_FOUND),
      ).toEqual([]);
      const held = await holders();
      for (const r of rooms) {
        const where = held.get(r.roomId) ?? [];
        expect(where.map((w) => [w.pod, w.view.participants])).toEqual([[owner.name, 3]]);
      }
    },
    60_000,
  );

  it('drained members reconnecting 6 s and 30 s after the advised delay find their rooms', async () => {
    const victim = running()[2]!;
    const rooms: Room[] = [];
    const drained: ClusterMember[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await room(victim);
      rooms.push(r);
      for (const id of ['a', 'b']) {
        // The first join goes to the pod itself; every reconnect goes through the ingress.
        const m = member(() => wsOf(m.connects === 0 ? victim.url : cluster.nginxUrl!)(), r, id);
        m.reconnectLateMs = i % 2 === 0 ? 6000 : 30_000;
        drained.push(m);
        await m.connect();
      }
    }
    await cluster.removePod(victim.name);
    await eventually(
      () => drained.every((m) => m.joined && m.connects >= 2),
      50_000,
      'every drained member is back in its room',
    ).catch((error: Error) => {
      const stuck = drained
        .filter((m) => !m.joined)
        .map((m) => `${m.clientId}:${m.closes.join(',')}`);
      throw new Error(`${error.message}; not back: ${stuck.join(' ')}`);
    });
    expect(drained.flatMap((m) => m.closes).filter((c) => c === CloseCode.ROOM_NOT_FOUND)).toEqual(
      [],
    );
    const held = await holders();
    for (const r of rooms) {
      const where = held.get(r.roomId) ?? [];
      expect(where).toHaveLength(1);
      expect(where[0]!.view.participants).toBe(2);
    }
    await cluster.addPod();
  }, 90_000);

  describe('pod-to-pod requests (what an on-path observer sees)', () => {
    /** A signature built from docs/architecture.md alone ("Pod-to-pod requests"). */
    function signFromDocs(
      secret: string,
      method: string,
      target: string,
      body: Buffer,
      time = Date.now(),
    ): string {
      const nonce = randomBytes(16).toString('hex');
      const bodyHash = createHash('sha256').update(body).digest('hex');
      const mac = createHmac('sha256', Buffer.from(`nullroom-internal:${secret}`, 'utf8'))
        .update(['nullroom-cluster-v1', time, nonce, method, target, bodyHash].join('\n'))
        .digest('hex');
      return `${time}.${nonce}.${mac}`;
    }

    it('carries no join token: rooms travel with a hash of it', async () => {
      // Traffic of every kind: a claim (a join through a pod that doesn't hold the room), a
      // forwarded member, standby copies, and everything the tests above did.
      const [a, b] = running() as [PodInfo, PodInfo];
      const r = await room(a);
      const first = member(wsOf(b.url), r, 'first');
      await first.connect();
      const second = member(wsOf(a.url), r, 'second');
      await second.connect();
      await sleep(1500); // a standby sync
      const streams = [...proxies.values()].flatMap((p) => p.streams());
      expect(streams.length).toBeGreaterThan(10);
      const leaks = [...tokens].filter((t) => streams.some((s) => s.includes(t)));
      expect(leaks).toEqual([]);
      expect(streams.some((s) => s.includes(API_KEY))).toBe(false);
      const hash = createHash('sha256').update(r.joinToken, 'utf8').digest('base64url');
      expect(streams.some((s) => s.includes(hash))).toBe(true);
    });

    it('refuses a replayed request, a tampered body and a forged signature', async () => {
      const live = new Set(running().map((p) => p.name));
      const captured = [...proxies.entries()]
        .filter(([name]) => live.has(name))
        .flatMap(([name, proxy]) =>
          proxy
            .requests()
            .filter((q) => q.method === 'POST' && q.target.startsWith('/internal/standby?'))
            .map((q) => ({ pod: cluster.pod(name), request: q })),
        );
      expect(captured.length).toBeGreaterThan(0);
      const { pod, request } = captured.at(-1)!;
      // Replayed as captured, within the clock window: refused (its nonce was seen).
      expect(await sendRaw(pod.internalPort, request.raw)).toBe(401);
      // The body changed by one byte, same length, same signature: refused.
      const body = Buffer.from(request.body);
      const at = body.indexOf('"maxParticipants":') + '"maxParticipants":'.length;
      body[at] = body[at] === 0x39 ? 0x38 : 0x39;
      const head = request.raw.subarray(0, request.raw.length - request.body.length);
      expect(await sendRaw(pod.internalPort, Buffer.concat([head, body]))).toBe(401);
      // Signed as the docs say, with the real secret: accepted; with another secret: refused.
      const path = '/internal/stats';
      const call = (header: string) =>
        fetch(`http://127.0.0.1:${pod.internalPort}${path}`, {
          headers: { 'x-nullroom-cluster': header },
        });
      const empty = Buffer.alloc(0);
      expect((await call(signFromDocs(cluster.clusterSecret, 'GET', path, empty))).status).toBe(
        200,
      );
      const forged = signFromDocs(randomBytes(32).toString('hex'), 'GET', path, empty);
      expect((await call(forged)).status).toBe(401);
      // Outside the ±30 s window: refused even when correctly signed.
      const stale = signFromDocs(cluster.clusterSecret, 'GET', path, empty, Date.now() - 31_000);
      expect((await call(stale)).status).toBe(401);
    });
  });
});
