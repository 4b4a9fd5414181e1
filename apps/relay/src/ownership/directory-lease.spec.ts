import { CloseCode } from '@nullroom/protocol';
import { FakeCluster, type FakePod } from '../../test/support/fake-cluster';
import { settle } from '../../test/support/fakes';

describe('DirectoryLease', () => {
  let cluster: FakeCluster;
  let a: FakePod;
  let b: FakePod;

  beforeEach(async () => {
    cluster = new FakeCluster();
    a = await cluster.addPod('pod-a');
    b = await cluster.addPod('pod-b');
    await cluster.refreshAll();
  });

  afterEach(() => cluster.stop());

  const key = (pod: FakePod, roomId: string) => pod.ownership.router['keys'].of(roomId);
  const livePods = async () => (await cluster.memory.pods()).map((p) => p.podId);

  it('registers at start, and again the moment the directory is back, not at the next tick', async () => {
    expect(await livePods()).toEqual(['pod-a', 'pod-b']);
    a.directory.down();
    await cluster.clock.elapse(3500); // its pod entry expires (DIRECTORY_TTL_MS 3000)
    expect(await livePods()).toEqual(['pod-b']);
    a.directory.up();
    await settle();
    expect(await livePods()).toEqual(['pod-a', 'pod-b']);
  });

  it('keeps every local room leased with one batched refresh, and releases an ended room at once', async () => {
    const one = await a.createRoom();
    const two = await a.createRoom();
    await cluster.clock.elapse(10_000); // many TTLs: only the refreshes keep them
    expect(await cluster.memory.lookup(key(a, one.room.id))).toBe('pod-a');
    a.rooms.closeWith(two.room.id, { byKey: true });
    await settle();
    expect(await cluster.memory.lookup(key(a, two.room.id))).toBeUndefined();
  });

  it('a pod cut off past its TTL loses only the room another pod took meanwhile', async () => {
    const taken = await a.createRoom();
    const kept = await a.createRoom();
    const inTaken = await a.join(taken.room.id, 'm1', taken.joinToken);
    const inKept = await a.join(kept.room.id, 'm2', kept.joinToken);
    await cluster.clock.elapse(100); // standbys on pod-b
    // Cut off from the directory and from its peers (frozen), past its TTL.
    a.directory.down();
    a.pause();
    await cluster.clock.elapse(3500);
    // pod-b finds pod-a gone and continues `taken` from its standby for a new member.
    const late = await b.join(taken.room.id, 'late', taken.joinToken);
    expect(late).toMatchObject({ outcome: 'joined', on: 'pod-b' });
    // pod-a is back: its next refresh fences it.
    a.resume();
    a.directory.up();
    await cluster.clock.elapse(600);
    expect(a.holds(taken.room.id)).toBe(false);
    expect(inTaken.member.ended?.code).toBe(CloseCode.SERVICE_RESTART);
    expect(a.holds(kept.room.id)).toBe(true);
    expect(inKept.member.ended).toBeUndefined();
    expect(await cluster.memory.lookup(key(a, kept.room.id))).toBe('pod-a');
  });

  it('after a stall, a join for a local room waits for a renewal and follows a lost room', async () => {
    const r = await a.createRoom();
    await a.join(r.room.id, 'm', r.joinToken);
    await cluster.clock.elapse(100);
    a.directory.down();
    a.pause();
    await cluster.clock.elapse(3500);
    await b.join(r.room.id, 'late', r.joinToken); // pod-b took it over
    a.resume();
    a.directory.up();
    // Before any refresh tick on pod-a: its lease is stale, so the join asks the directory first.
    expect(a.ownership.lease.fresh).toBe(false);
    const join = await a.join(r.room.id, 'next', r.joinToken);
    expect(join).toMatchObject({ outcome: 'joined', on: 'pod-b' });
  });

  it('releaseAll leaves the directory for good: no refresh in flight registers the pod again', async () => {
    const r = await a.createRoom();
    const refreshing = a.ownership.lease.refresh();
    await a.ownership.releaseAll();
    await refreshing;
    await cluster.clock.elapse(2000);
    expect(await livePods()).toEqual(['pod-b']);
    expect(await cluster.memory.lookup(key(a, r.room.id))).toBeUndefined();
  });
});
