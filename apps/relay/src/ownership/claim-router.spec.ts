import { FakeCluster, type FakePod } from '../../test/support/fake-cluster';
import { settle } from '../../test/support/fakes';

/**
 * Claim races, slow owners, dead owners and lost answers, with the relay's own ownership classes
 * wired in memory (test/support/fake-cluster.ts): the timings the cluster e2e suite can only hit
 * by luck are set up here on purpose.
 */
describe('ClaimRouter', () => {
  let cluster: FakeCluster;
  let a: FakePod;
  let b: FakePod;
  let c: FakePod;

  beforeEach(async () => {
    cluster = new FakeCluster();
    a = await cluster.addPod('pod-a');
    b = await cluster.addPod('pod-b');
    c = await cluster.addPod('pod-c');
    await cluster.refreshAll(); // every pod knows every other's address
  });

  afterEach(() => cluster.stop());

  /**
   * pod-a is slow; pod-b's claim times out (its member is told to retry); pod-a then processes
   * it and hands the room over — to a claimer that no longer listens. The room is in limbo.
   */
  async function roomInLimbo(): Promise<{ room: { id: string }; joinToken: string }> {
    const created = await a.createRoom();
    a.pause();
    const attempt = b.join(created.room.id, 'x', created.joinToken);
    await cluster.clock.elapse(1500);
    expect((await attempt).outcome).toBe('unavailable');
    a.resume();
    await settle();
    expect(holders(created.room.id)).toEqual([]);
    return created;
  }

  const holders = (roomId: string) =>
    [...cluster.pods.values()].filter((p) => !p.dead && p.holds(roomId)).map((p) => p.name);

  it('an empty room moves to the pod a join reaches; the next join there is local', async () => {
    const { room, joinToken } = await a.createRoom();
    const first = await b.join(room.id, 'x', joinToken);
    expect(first).toMatchObject({ outcome: 'joined', on: 'pod-b' });
    expect(holders(room.id)).toEqual(['pod-b']);
    expect(b.metrics.claims.won).toBe(1);
    expect(await cluster.redis.lookup(b.ownership.router['keys'].of(room.id))).toBe('pod-b');
  });

  it("the creator's own join, right after the room moved away, is forwarded — never 4404 (issue 17, fault 1)", async () => {
    const { room, joinToken } = await a.createRoom();
    // pod-a hands the room to pod-b; the answer is still on the wire when pod-a's own join comes.
    const wire = cluster.network.holdAnswers('handoff', a.address);
    const viaB = b.join(room.id, 'x', joinToken);
    await settle();
    expect(wire.held).toBe(1);
    expect(a.holds(room.id)).toBe(false);
    const viaA = a.join(room.id, 'y', joinToken);
    await settle();
    await cluster.clock.elapse(10); // pod-b denies it for now; pod-a will ask again
    wire.release();
    await cluster.clock.elapse(30);
    expect(await viaB).toMatchObject({ outcome: 'joined', on: 'pod-b' });
    expect(await viaA).toMatchObject({ outcome: 'joined', on: 'pod-b' });
    expect(holders(room.id)).toEqual(['pod-b']);
  });

  it('two pods claiming the same empty room at once: one gets it, the other forwards to it', async () => {
    const { room, joinToken } = await a.createRoom();
    const [x, y] = await Promise.all([
      b.join(room.id, 'x', joinToken),
      c.join(room.id, 'y', joinToken),
    ]);
    expect(x.outcome).toBe('joined');
    expect(y.outcome).toBe('joined');
    expect(x.on).toBe(y.on);
    expect(holders(room.id)).toEqual([x.on]);
  });

  it('a third pod told "moved to X" by the owner follows it there', async () => {
    const { room, joinToken } = await a.createRoom();
    await b.join(room.id, 'x', joinToken);
    // pod-c asks pod-a (its lookup is stale in effect: pod-a answers 410 pod-b).
    const viaC = await c.join(room.id, 'y', joinToken);
    expect(viaC).toMatchObject({ outcome: 'joined', on: 'pod-b' });
    expect(c.metrics.claims.lost).toBe(1);
  });

  it('a slow owner is not taken over: joins elsewhere are told to retry, then forwarded (fault 2)', async () => {
    const { room, joinToken } = await a.createRoom();
    const member = await a.join(room.id, 'm', joinToken);
    await cluster.clock.elapse(100); // the standby copy is sent
    a.pause();
    const attempt = b.join(room.id, 'late', joinToken);
    await cluster.clock.elapse(1500); // CLUSTER_REQUEST_TIMEOUT_MS
    expect((await attempt).outcome).toBe('unavailable');
    expect(b.metrics.claims.error).toBe(1);
    expect(b.metrics.claims.recovered).toBe(0);
    expect(holders(room.id)).toEqual(['pod-a']);
    a.resume();
    await settle();
    const retry = await b.join(room.id, 'late', joinToken);
    expect(retry).toMatchObject({ outcome: 'joined', on: 'pod-a' });
    expect(member.member.ended).toBeUndefined();
    // Nothing split: refreshes find nothing to evict.
    await cluster.clock.elapse(2000);
    expect(holders(room.id)).toEqual(['pod-a']);
    expect(member.member.ended).toBeUndefined();
  });

  it('an owner gone from the directory is taken over from its standby, which must name it', async () => {
    const { room, joinToken } = await a.createRoom();
    await a.join(room.id, 'm', joinToken);
    await cluster.clock.elapse(100);
    a.kill();
    // Refused connections alone decide nothing: its pod entry still lives.
    expect((await b.join(room.id, 'x', joinToken)).outcome).toBe('unavailable');
    await cluster.clock.elapse(3100); // DIRECTORY_TTL_MS: the entry expires
    const again = await b.join(room.id, 'x', joinToken);
    expect(again).toMatchObject({ outcome: 'joined', on: 'pod-b' });
    expect(b.metrics.claims.recovered).toBe(1);
    expect(holders(room.id)).toEqual(['pod-b']);
  });

  it("a claim whose answer was lost while the owner was slow: the room isn't lost", async () => {
    const { room, joinToken } = await roomInLimbo();
    // The client retries (1013): pod-a sends the same room again to the same claimer.
    expect(await b.join(room.id, 'x', joinToken)).toMatchObject({ outcome: 'joined', on: 'pod-b' });
    expect(holders(room.id)).toEqual(['pod-b']);
  });

  it('a lost answer nobody retries: the room comes back to its owner by the next refreshes', async () => {
    const { room, joinToken } = await roomInLimbo();
    await cluster.clock.elapse(4000); // past 2 × CLUSTER_REQUEST_TIMEOUT_MS, a few refreshes
    expect(holders(room.id)).toEqual(['pod-a']);
    expect(await c.join(room.id, 'y', joinToken)).toMatchObject({ outcome: 'joined' });
  });

  it('the owner itself finds a room it gave away whose claimer gave up: it takes it back', async () => {
    const { room, joinToken } = await roomInLimbo();
    // pod-b denies having it; once pod-b can no longer be holding an answer (a request timeout)
    // and the directory still names pod-a, the room never left.
    const back = a.join(room.id, 'y', joinToken);
    await cluster.clock.elapse(1600);
    expect(await back).toMatchObject({ outcome: 'joined', on: 'pod-a' });
    expect(holders(room.id)).toEqual(['pod-a']);
  });

  it('a pod that says "moved to X" when X denies it hands the room to the asker instead', async () => {
    const { room, joinToken } = await roomInLimbo();
    // pod-c: pod-a says pod-b, pod-b says not here, pod-a (told so) gives it to pod-c.
    expect(await c.join(room.id, 'y', joinToken)).toMatchObject({ outcome: 'joined', on: 'pod-c' });
    expect(holders(room.id)).toEqual(['pod-c']);
    // pod-b's member retrying now follows it to pod-c.
    expect(await b.join(room.id, 'x', joinToken)).toMatchObject({ outcome: 'joined', on: 'pod-c' });
  });

  it('with the directory down it asks the pods it knows; a silent one means retry, not 4404', async () => {
    const { room, joinToken } = await a.createRoom();
    await a.join(room.id, 'm', joinToken);
    cluster.redis.down();
    expect(await b.join(room.id, 'x', joinToken)).toMatchObject({ outcome: 'joined', on: 'pod-a' });
    a.pause();
    const attempt = c.join(room.id, 'y', joinToken);
    await cluster.clock.elapse(1500);
    expect((await attempt).outcome).toBe('unavailable');
    a.resume();
    // A room nobody has is still "not found" when every pod answered.
    const unknown = '3f8c2a64-1111-4e6f-9a55-3d1e2f4a5b6c';
    expect((await c.join(unknown, 'z', joinToken)).outcome).toBe('missing');
  });

  it('a room claimed during an outage has its entry corrected when the directory returns', async () => {
    const { room, joinToken } = await a.createRoom();
    cluster.redis.down();
    expect(await b.join(room.id, 'x', joinToken)).toMatchObject({ outcome: 'joined', on: 'pod-b' });
    cluster.redis.up();
    await cluster.clock.elapse(600);
    expect(await cluster.redis.lookup(b.ownership.router['keys'].of(room.id))).toBe('pod-b');
  });

  it('a restarted owner (same name, new boot) lost its rooms: its standby copy is taken', async () => {
    const { room, joinToken } = await a.createRoom();
    await a.join(room.id, 'm', joinToken);
    await cluster.clock.elapse(100);
    a.kill();
    const reborn = await cluster.addPod('pod-a');
    expect(reborn.holds(room.id)).toBe(false);
    expect(await b.join(room.id, 'x', joinToken)).toMatchObject({ outcome: 'joined', on: 'pod-b' });
    expect(b.metrics.claims.recovered).toBe(1);
  });

  it('a room that ended stays ended: its standby copy is dropped, nothing resurrects it', async () => {
    const { room, joinToken } = await a.createRoom();
    const m = await a.join(room.id, 'm', joinToken);
    await cluster.clock.elapse(100);
    a.rooms.closeWith(room.id, { byKey: true });
    expect(m.member.ended?.code).toBe(4000);
    await settle();
    expect((await b.join(room.id, 'x', joinToken)).outcome).toBe('missing');
  });
});
