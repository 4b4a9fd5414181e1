import { type PodEntry } from '../cluster';
import { type Clock, type Timer } from '../common/clock';
import { type RoomHandoff } from '../rooms/room-handoff';
import { type RoomsService } from '../rooms/rooms.service';
import {
  MAX_SHAPES_PER_REQUEST,
  type Peers,
  type StandbyBatch,
  type StandbyInfo,
  TakeOutcome,
} from './peer-api';
import { type PodRoster } from './pod-roster';
import { StandbyStore, rankedPodsFor, standbyPodFor } from './standby';

/** A new local room gets its standby this soon, rather than at the next refresh. */
export const STANDBY_SYNC_DELAY_MS = 50;

/** Where a standby copy of a room was found. */
export interface FoundStandby {
  /** undefined: this pod holds the copy itself. */
  readonly holder: PodEntry | undefined;
  readonly info: StandbyInfo;
}

/**
 * Standby replication, both ways. Outgoing: every local room's shape lives in the RAM of one other
 * pod (rendezvous hashing over the live pods), sent within ~50 ms of a create or claim, renewed on
 * every refresh (one request per peer), dropped at once when the room ends or moves. Incoming: the
 * copies other pods keep here (StandbyStore). And the search a claimer runs when a room's owner is
 * gone: which pod holds a copy, and taking it — only if it names the owner found gone.
 */
export class StandbyReplicator {
  private readonly store: StandbyStore;
  /** Where each local room's copy lives, to tell that pod when the room ends or moves. */
  private readonly standbyOf = new Map<string, string>();
  private pending: Timer | undefined;

  constructor(
    private readonly self: { readonly podName: string; readonly boot: string },
    private readonly rooms: Pick<RoomsService, 'list' | 'shapeOf'>,
    private readonly roster: PodRoster,
    private readonly peers: Peers,
    private readonly clock: Clock,
    /** Copies outlive a few missed renewals and the directory entry of a dead owner. */
    ttlMs: number,
  ) {
    this.store = new StandbyStore(ttlMs);
  }

  // -- outgoing -------------------------------------------------------------------------------

  /** Batched: one sync per burst of creates and claims. */
  schedule(): void {
    if (this.pending !== undefined) return;
    this.pending = this.clock.setTimeout(() => {
      this.pending = undefined;
      void this.sync();
    }, STANDBY_SYNC_DELAY_MS);
  }

  /** Sends every local room's shape to its standby pod: one request per peer (chunked). */
  async sync(): Promise<void> {
    const others = this.roster.others();
    if (others.length === 0) return;
    const ids = others.map((p) => p.podId);
    const batches = new Map<string, RoomHandoff[]>();
    for (const room of this.rooms.list()) {
      const pod = standbyPodFor(room.id, ids)!;
      // When pods change, a room's standby may move; the old copy expires on its own.
      this.standbyOf.set(room.id, pod);
      let batch = batches.get(pod);
      if (batch === undefined) batches.set(pod, (batch = []));
      batch.push(this.rooms.shapeOf(room));
    }
    await Promise.all(
      others.map(async (peer) => {
        const shapes = batches.get(peer.podId) ?? [];
        for (let at = 0; at === 0 || at < shapes.length; at += MAX_SHAPES_PER_REQUEST) {
          await this.send(peer.address, shapes.slice(at, at + MAX_SHAPES_PER_REQUEST), []);
        }
      }),
    );
  }

  /** The room left this pod (ended or moved): its copy must not outlive it. */
  drop(roomId: string): void {
    const pod = this.standbyOf.get(roomId);
    this.standbyOf.delete(roomId);
    const peer = pod === undefined ? undefined : this.roster.others().find((p) => p.podId === pod);
    if (peer !== undefined) void this.send(peer.address, [], [roomId]);
  }

  /** A drained room stays findable through its copy: stop tracking it without dropping it. */
  keep(roomId: string): void {
    this.standbyOf.delete(roomId);
  }

  stop(): void {
    this.pending?.cancel();
    this.pending = undefined;
  }

  private async send(address: string, rooms: RoomHandoff[], dropped: string[]): Promise<void> {
    const batch: StandbyBatch = { from: this.self.podName, boot: this.self.boot, rooms, dropped };
    await this.peers.putStandbys(address, batch).catch(() => undefined);
  }

  // -- incoming -------------------------------------------------------------------------------

  accept(batch: StandbyBatch): void {
    if (batch.from === this.self.podName) return;
    this.store.put(batch, this.clock.now());
  }

  list(): Array<{ roomId: string; owner: string }> {
    return this.store.list(this.clock.now());
  }

  peek(roomId: string): StandbyInfo | undefined {
    return this.store.peek(roomId, this.clock.now());
  }

  take(roomId: string, owner: string): ReturnType<StandbyStore['take']> {
    return this.store.take(roomId, owner, this.clock.now());
  }

  /** This pod holds the room now: its own copy of it goes. */
  forget(roomId: string): void {
    this.store.forget(roomId);
  }

  get count(): number {
    return this.store.size;
  }

  // -- recovery -------------------------------------------------------------------------------

  /**
   * Who holds a copy of the room: this pod, else the pod rendezvous hashing names, else any
   * other (asked together). undefined when nobody answers with one.
   */
  async find(roomId: string): Promise<FoundStandby | undefined> {
    const own = this.peek(roomId);
    if (own !== undefined) return { holder: undefined, info: own };
    const others = this.roster.others();
    const ranked = rankedPodsFor(
      roomId,
      others.map((p) => p.podId),
    ).map((id) => others.find((p) => p.podId === id)!);
    const ask = async (peer: PodEntry): Promise<FoundStandby | undefined> => {
      const info = await this.peers.peekStandby(peer.address, roomId).catch(() => undefined);
      return info === undefined ? undefined : { holder: peer, info };
    };
    const [first, ...rest] = ranked;
    if (first === undefined) return undefined;
    const likely = await ask(first);
    if (likely !== undefined) return likely;
    const answers = await Promise.all(rest.map(ask));
    return answers.find((a) => a !== undefined);
  }

  /** Takes the copy a `find` located, if it still names `owner`. */
  async takeFound(
    found: FoundStandby,
    roomId: string,
    owner: string,
  ): Promise<RoomHandoff | undefined> {
    if (found.holder === undefined) {
      const reply = this.take(roomId, owner);
      return reply.outcome === TakeOutcome.Taken ? reply.room : undefined;
    }
    const reply = await this.peers
      .takeStandby(found.holder.address, roomId, owner)
      .catch(() => undefined);
    return reply?.outcome === TakeOutcome.Taken ? reply.room : undefined;
  }
}
