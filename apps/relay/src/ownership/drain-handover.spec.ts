import { FakeCluster, type FakePod } from '../../test/support/fake-cluster';
import { standbyPodFor } from './standby';

describe('DrainHandover', () => {
  let cluster: FakeCluster;
  let a: FakePod;
  let b: FakePod;
  let c: FakePod;

  async function start(env: Record<string, Record<string, string>> = {}): Promise<void> {
    cluster = new FakeCluster();
    a = await cluster.addPod('pod-a', env['pod-a']);
    b = await cluster.addPod('pod-b', env['pod-b']);
    c = await cluster.addPod('pod-c', env['pod-c']);
    await cluster.refreshAll();
  }

  afterEach(() => cluster.stop());

  const holders = (roomId: string) =>
    [...cluster.pods.values()].filter((p) => p.holds(roomId)).map((p) => p.name);
  const key = (roomId: string) => a.ownership.router['keys'].of(roomId);

  /** What DrainService does, minus the members (there are none here). */
  async function drain(pod: FakePod): Promise<void> {
    pod.rooms.stopAccepting(true);
    await pod.ownership.handOver(5000);
    for (const room of pod.rooms.list()) pod.rooms.end(room, 'drained');
    await pod.ownership.releaseAll();
  }

  it('hands every room to its rendezvous successor, directory entry included; a late join finds it there', async () => {
    await start();
    const rooms = [await a.createRoom(), await a.createRoom(), await a.createRoom()];
    await drain(a);
    for (const { room } of rooms) {
      const successor = standbyPodFor(room.id, ['pod-b', 'pod-c'])!;
      expect(holders(room.id)).toEqual([successor]);
      expect(await cluster.memory.lookup(key(room.id))).toBe(successor);
    }
    expect(a.metrics.handovers.adopted).toBe(3);
    // Long after pod-a is gone (far past any fixed handoff window), members come back.
    a.kill();
    await cluster.clock.elapse(60_000);
    for (const { room, joinToken } of rooms) {
      expect(await c.join(room.id, 'late', joinToken)).toMatchObject({ outcome: 'joined' });
    }
  });

  it('a successor that is full hands the room on to the next pod', async () => {
    await start({ 'pod-b': { MAX_ROOMS: '1' }, 'pod-c': { MAX_ROOMS: '1' } });
    b.rooms.create({ mode: 'p2p' }); // pod-b is full
    const { room } = await a.createRoom();
    await drain(a);
    expect(holders(room.id)).toEqual(['pod-c']);
  });

  it('with no successor left the rooms are released and counted', async () => {
    await start({ 'pod-b': { MAX_ROOMS: '1' }, 'pod-c': { MAX_ROOMS: '1' } });
    b.rooms.create({ mode: 'p2p' });
    c.rooms.create({ mode: 'p2p' });
    const { room } = await a.createRoom();
    await drain(a);
    expect(holders(room.id)).toEqual([]);
    expect(a.metrics.handovers.released).toBe(1);
    expect(await cluster.memory.lookup(key(room.id))).toBeUndefined();
  });

  it('a claim that arrives while the handover is in flight waits, then follows the room', async () => {
    await start();
    const { room, joinToken } = await a.createRoom();
    const successor = cluster.pod(standbyPodFor(room.id, ['pod-b', 'pod-c'])!);
    const other = successor === b ? c : b;
    a.rooms.stopAccepting(true);
    const wire = cluster.network.holdAnswers('adopt', successor.address);
    const handover = a.ownership.handOver(5000);
    await cluster.clock.elapse(0);
    const join = other.join(room.id, 'x', joinToken);
    await cluster.clock.elapse(0);
    wire.release();
    await handover;
    expect(await join).toMatchObject({ outcome: 'joined', on: other.name });
    expect(holders(room.id)).toEqual([other.name]);
  });
});
