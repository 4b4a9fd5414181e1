import { FakeCluster, type FakePod } from '../../test/support/fake-cluster';
import { BOOT, ROOM, aShape } from '../../test/support/fixtures';
import { TakeOutcome } from './peer-api';
import { StandbyStore, rankedPodsFor, standbyPodFor } from './standby';

const shape = aShape();

describe('StandbyStore', () => {
  it('hands a copy over once, and only to a taker that found its owner gone', () => {
    const store = new StandbyStore(1000);
    store.put({ from: 'pod-a', boot: BOOT, rooms: [shape], dropped: [] }, 0);
    expect(store.peek(ROOM, 10)).toEqual({ owner: 'pod-a', ownerBoot: BOOT });
    expect(store.take(ROOM, 'pod-z', 10)).toEqual({
      outcome: TakeOutcome.OwnerMismatch,
      owner: 'pod-a',
    });
    expect(store.take(ROOM, 'pod-a', 10)).toEqual({ outcome: TakeOutcome.Taken, room: shape });
    expect(store.take(ROOM, 'pod-a', 10)).toEqual({ outcome: TakeOutcome.Missing });
  });

  it('forgets copies not renewed within their TTL, and drops only on the owner’s word', () => {
    const store = new StandbyStore(1000);
    store.put({ from: 'pod-a', boot: BOOT, rooms: [shape], dropped: [] }, 0);
    store.put({ from: 'pod-b', boot: BOOT, rooms: [], dropped: [ROOM] }, 10);
    expect(store.peek(ROOM, 10)?.owner).toBe('pod-a');
    expect(store.peek(ROOM, 1001)).toBeUndefined();
    expect(store.list(1001)).toEqual([]);
  });

  it('ranks pods by rendezvous hashing: stable, and the standby pod comes first', () => {
    const pods = ['pod-a', 'pod-b', 'pod-c'];
    const ranked = rankedPodsFor(ROOM, pods);
    expect([...ranked].sort()).toEqual(pods);
    expect(standbyPodFor(ROOM, pods)).toBe(ranked[0]);
    expect(rankedPodsFor(ROOM, ['pod-c', 'pod-b', 'pod-a'])).toEqual(ranked);
  });
});

describe('StandbyReplicator', () => {
  let cluster: FakeCluster;
  let pods: FakePod[];

  beforeEach(async () => {
    cluster = new FakeCluster();
    pods = [
      await cluster.addPod('pod-a'),
      await cluster.addPod('pod-b'),
      await cluster.addPod('pod-c'),
    ];
    await cluster.refreshAll();
  });

  afterEach(() => cluster.stop());

  const holderOf = (roomId: string) =>
    pods.find((p) => p.ownership.standbys.list().some((s) => s.roomId === roomId))?.name;

  it('a new room has its copy on its rendezvous pod within ~50 ms, not a refresh later', async () => {
    const [a] = pods as [FakePod];
    const { room } = await a.createRoom();
    expect(holderOf(room.id)).toBeUndefined();
    await cluster.clock.elapse(60);
    expect(holderOf(room.id)).toBe(standbyPodFor(room.id, ['pod-b', 'pod-c']));
  });

  it('drops the copy when the room ends, keeps it when a drain leaves the room behind', async () => {
    const [a] = pods as [FakePod];
    const ended = await a.createRoom();
    const drained = await a.createRoom();
    await cluster.clock.elapse(60);
    a.rooms.closeWith(ended.room.id, { byKey: true });
    a.rooms.end(drained.room, 'drained');
    await cluster.clock.elapse(0);
    expect(holderOf(ended.room.id)).toBeUndefined();
    expect(holderOf(drained.room.id)).toBeDefined();
  });

  it('finds a copy on whichever pod holds it', async () => {
    const [a, b] = pods as [FakePod, FakePod];
    const { room } = await a.createRoom();
    await cluster.clock.elapse(60);
    const found = await b.ownership.standbys.find(room.id);
    expect(found?.info.owner).toBe('pod-a');
    const unknown = await b.ownership.standbys.find('9a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
    expect(unknown).toBeUndefined();
  });
});
