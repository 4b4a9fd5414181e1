/**
 * Resume after a drain on a real local cluster (deploy/local-cluster: relay pods, Redis, nginx
 * hashing roomId): the pod that owns the room is scaled in (SIGTERM → close 1012 with retryMs),
 * the clients reconnect through the ingress to the new owner, start new sessions and re-key, and
 * keep talking. Needs redis-server and nginx.
 *
 * Part of the suite (it starts 3 pods, Redis and two ingresses: ~10 s); NULLROOM_CLUSTER_TESTS=0
 * skips it on a machine without redis-server and nginx. On failure it prints every client's state,
 * presence and epoch events.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// The cluster harness (tests only): it plays Kubernetes with real processes.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { LocalCluster } from '../../../deploy/local-cluster/cluster';
import { type ClientEvents, createRoom, NullroomClient } from '../src';

const ROOT = join(__dirname, '..', '..', '..');
const API_KEY = 'drain-api-key-0123456789';
const ADMIN_KEY = 'drain-admin-key-0123456789';
const haveTools = ['redis-server', 'nginx'].every(
  (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0,
);
const built = existsSync(join(ROOT, 'apps/relay/dist/main.js'));
const optedOut = process.env.NULLROOM_CLUSTER_TESTS === '0';
const suite = optedOut ? describe.skip : describe;
// Missing tools are a failure, not a skip: CI installs them (scripts/install-test-deps.sh).
if (!optedOut && (!haveTools || !built)) {
  throw new Error(
    'the cluster drain test needs redis-server, nginx and a built relay (apps/relay/dist); ' +
      'NULLROOM_CLUSTER_TESTS=0 skips it',
  );
}

async function converge(clients: NullroomClient[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const fps = new Set(clients.map((c) => c.fingerprint()));
    const keyed = clients.every(
      (c) => c.members().filter((m) => m.inEpoch).length === clients.length,
    );
    if (fps.size === 1 && !fps.has(undefined) && keyed && clients.every((c) => c.state === 'ready'))
      return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('clients did not converge on one epoch');
}

suite('resume after a drain on a local cluster', () => {
  let cluster: LocalCluster;
  const clients: NullroomClient[] = [];

  beforeAll(async () => {
    cluster = await LocalCluster.up(3, {
      repoRoot: ROOT,
      env: {
        ANOCHAT_API_KEY: API_KEY,
        ANOCHAT_ADMIN_KEY: ADMIN_KEY,
        DIRECTORY_TTL_MS: '3000',
        DIRECTORY_REFRESH_MS: '500',
        DRAIN_GRACE_MS: '300',
        DRAIN_RECONNECT_JITTER_MS: '400',
        DRAIN_HANDOFF_MS: '4000',
      },
    });
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.down();
  }, 60_000);

  it('reconnects through the ingress to the new owner, re-keys and keeps talking', async () => {
    const base = cluster.nginxUrl!;
    const { roomId, joinToken } = await createRoom(base, API_KEY, 'p2p');
    for (const clientId of ['alice', 'bob', 'carol']) {
      const c = new NullroomClient({
        url: base,
        roomId,
        clientId,
        ...(joinToken ? { joinToken } : {}),
      });
      clients.push(c);
      await c.connect();
    }
    const [alice, bob, carol] = clients as [NullroomClient, NullroomClient, NullroomClient];
    await converge(clients);
    const before = alice.fingerprint();

    // The owner is the pod holding the sockets.
    let owner: string | undefined;
    for (const pod of cluster.pods()) {
      const res = await fetch(`${pod.url}/admin/api/stats`, {
        headers: { 'x-admin-key': ADMIN_KEY },
      });
      const stats = (await res.json()) as { connections: { open: number } };
      if (stats.connections.open >= 3) owner = pod.name;
    }
    expect(owner).toBeDefined();

    const drained = clients.map(
      (c) =>
        new Promise<ClientEvents['state']>((resolve) => {
          const off = c.on('state', (s) => {
            if (s.state === 'reconnecting' && s.closeCode === 1012) {
              off();
              resolve(s);
            }
          });
        }),
    );
    const log: string[] = [];
    for (const c of clients) {
      c.on('state', (s) => log.push(`${c.clientId} state ${JSON.stringify(s)}`));
      c.on('security', (s) =>
        log.push(
          `${c.clientId} security ${s.from} ${s.error.name} ${s.error.code} ${s.error.message}`,
        ),
      );
      c.on('epoch', (e) => log.push(`${c.clientId} epoch ${e.epoch} ${e.members.join(',')}`));
      c.on('presence', (p) =>
        log.push(`${c.clientId} presence ${p.event} ${p.clientId} ${p.members.join(',')}`),
      );
    }
    const removal = cluster.removePod(owner!);
    await Promise.all(drained);
    try {
      await converge(clients);
    } catch (e) {
      process.stderr.write(log.join('\n') + '\n');
      throw e;
    }
    await removal;

    expect(alice.fingerprint()).not.toBe(before);
    const heard = new Promise<string>((resolve) => carol.on('message', (m) => resolve(m.text)));
    await bob.sendText('still here after the drain');
    expect(await heard).toBe('still here after the drain');
  }, 90_000);
});
