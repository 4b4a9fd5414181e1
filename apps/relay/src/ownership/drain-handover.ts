import { type AppLogger } from '../common/logger';
import { type Clock } from '../common/clock';
import { type ClusterMetrics } from '../metrics/cluster-metrics';
import { type Room } from '../rooms/room';
import { type RoomsService } from '../rooms/rooms.service';
import { type DirectoryLease } from './directory-lease';
import { type MovedRooms } from './moved-rooms';
import { type AdoptRequest, MAX_SHAPES_PER_REQUEST, type Peers } from './peer-api';
import { type PodRoster } from './pod-roster';
import { type RoomTransit } from './room-transit';
import { rankedPodsFor } from './standby';
import { type StandbyReplicator } from './standby-replicator';

/**
 * A draining pod's rooms outlive it (issue 17): once its members are told to reconnect, every
 * room still here is handed to a successor — its standby pod first (rendezvous order), the next
 * pod if that one is full or draining — which adopts the room empty and takes its directory entry
 * over. A member coming back at any time until the room's own idle limit (ROOM_MAX_IDLE_MS) finds
 * it through the directory, wherever the ring sends it. A room nobody could take is released (and
 * stays findable through its standby copy for a while).
 */
export class DrainHandover {
  constructor(
    private readonly self: { readonly podName: string },
    private readonly rooms: RoomsService,
    private readonly roster: PodRoster,
    private readonly peers: Peers,
    private readonly moved: MovedRooms,
    private readonly transit: RoomTransit,
    private readonly lease: Pick<DirectoryLease, 'takeOver' | 'movedAway'>,
    private readonly standbys: Pick<StandbyReplicator, 'drop' | 'forget' | 'schedule'>,
    private readonly metrics: ClusterMetrics,
    private readonly logger: AppLogger,
    private readonly clock: Clock,
  ) {}

  /** Giving side. Resolves with the number of rooms no successor took, by `deadlineMs`. */
  async handOverAll(deadlineMs: number): Promise<number> {
    const deadline = this.clock.now() + deadlineMs;
    const candidates = this.roster.others().map((p) => p.podId);
    for (let round = 0; round < candidates.length; round++) {
      const left = this.rooms.list().filter((r) => r.size === 0);
      if (left.length === 0 || this.clock.now() >= deadline) break;
      const byPod = new Map<string, Room[]>();
      for (const room of left) {
        const pod = rankedPodsFor(room.id, candidates)[round]!;
        byPod.set(pod, [...(byPod.get(pod) ?? []), room]);
      }
      await Promise.all([...byPod].map(([pod, rooms]) => this.offer(pod, rooms)));
    }
    const left = this.rooms.count;
    if (left > 0) this.logger.warn(`drain: ${left} room(s) found no successor`);
    for (let i = 0; i < left; i++) this.metrics.handover('released');
    return left;
  }

  private async offer(pod: string, rooms: Room[]): Promise<void> {
    const address = await this.roster.addressOf(pod);
    if (address === undefined) return;
    for (let at = 0; at < rooms.length; at += MAX_SHAPES_PER_REQUEST) {
      const chunk = rooms.slice(at, at + MAX_SHAPES_PER_REQUEST);
      const request = this.peers
        .adopt(address, { from: this.self.podName, rooms: chunk.map((r) => this.rooms.shapeOf(r)) })
        .catch(() => [] as string[]);
      // Claims for these rooms wait here until the successor answered.
      await Promise.all(chunk.map((r) => this.transit.run(r.id, () => request)));
      const adopted = new Set(await request);
      for (const room of chunk) {
        if (!adopted.has(room.id) || room.closed || room.size > 0) continue;
        const shape = this.rooms.shapeOf(room);
        this.rooms.discard(room);
        this.moved.record(room.id, pod, shape, true);
        this.lease.movedAway(room.id);
        this.standbys.drop(room.id);
        this.metrics.handover('adopted');
      }
    }
  }

  /** Receiving side (`POST /internal/rooms/adopt`): the ids adopted here. */
  async adopt(request: AdoptRequest): Promise<string[]> {
    if (!this.rooms.isAccepting) return [];
    const adopted: string[] = [];
    await Promise.all(
      request.rooms.map((shape) =>
        this.transit.run(shape.roomId, async () => {
          if (this.rooms.get(shape.roomId) !== undefined) {
            adopted.push(shape.roomId);
            return;
          }
          if (!this.rooms.canAdopt()) return;
          // The entry first: only a room whose entry moved here may be served here.
          const result = await this.lease.takeOver(shape.roomId, request.from);
          if (result !== 'pending' && !result.owned) {
            this.lease.movedAway(shape.roomId);
            return;
          }
          this.rooms.adopt(shape, { forJoin: false });
          this.standbys.forget(shape.roomId);
          adopted.push(shape.roomId);
        }),
      ),
    );
    if (adopted.length > 0) this.standbys.schedule();
    return adopted;
  }
}
