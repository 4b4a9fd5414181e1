import { DirectoryUnavailableError, type RoomDirectory } from '../cluster';
import { type Clock } from '../common/clock';
import { type AppLogger } from '../common/logger';
import { RelayError } from '../common/relay.exception';
import { type RelayConfig } from '../config/config';
import { type ClaimOutcome, type ClusterMetrics } from '../metrics/cluster-metrics';
import { type Room } from '../rooms/room';
import { type RoomHandoff } from '../rooms/room-handoff';
import { type RoomsService } from '../rooms/rooms.service';
import { SpanName, annotate, traced } from '../tracing/spans';
import { type DirectoryLease } from './directory-lease';
import { type MovedRooms } from './moved-rooms';
import { HandoffOutcome, PeerError, type Peers } from './peer-api';
import { type PodRoster } from './pod-roster';
import { type RoomKeys } from './room-keys';
import { type RoomTransit } from './room-transit';
import { type FoundStandby, type StandbyReplicator } from './standby-replicator';

/** Where a join for a room must go. */
export type Route =
  | { readonly kind: 'local'; readonly room: Room }
  | { readonly kind: 'forward'; readonly podId: string; readonly address: string }
  /** No pod holds the room: 4404. */
  | { readonly kind: 'missing' }
  /** The room's owner is alive but did not answer in time (or nobody can tell): retry, 1013. */
  | { readonly kind: 'unavailable' };

/** Claims answered with a move to another pod are followed at most this many hops. */
const MAX_HOPS = 4;

interface Hop {
  readonly depth: number;
  /** This pod handed the room to the pod asked now (a MovedRooms record sent us there). */
  readonly fromMove?: boolean;
  /** The pod that said the room moved to the one asked now. */
  readonly sentBy?: string;
  /** Tell the pod asked now that `notAt` denied having the room (see HandoffRequest.notAt). */
  readonly notAt?: string;
}

/**
 * Where a pod claims a room: the join for a room this pod doesn't hold. The directory says who
 * owns it; the owner is asked to hand it over (empty: it moves here) or keeps it (members: the
 * join is forwarded). One claim per room at a time on this pod; concurrent joins share it.
 *
 * Death is decided by the directory, never by one slow request (issue 17): an owner that doesn't
 * answer is taken over only once its pod entry is gone (expired, or removed by its drain); while
 * the entry lives the join is told to retry (1013). A room whose owner is gone continues from its
 * standby copy, taken only if the copy names that very owner.
 */
/** How soon a pod asks again when the pod it just gave a room to doesn't have it yet. */
const MOVE_RECHECK_MS = 25;

export class ClaimRouter {
  private readonly inFlight = new Map<string, Promise<Route>>();

  constructor(
    private readonly self: { readonly podName: string; readonly boot: string },
    private readonly config: RelayConfig['cluster'],
    private readonly directory: RoomDirectory,
    private readonly keys: RoomKeys,
    private readonly rooms: RoomsService,
    private readonly roster: PodRoster,
    private readonly peers: Peers,
    private readonly moved: MovedRooms,
    private readonly transit: RoomTransit,
    private readonly standbys: StandbyReplicator,
    private readonly lease: DirectoryLease,
    private readonly metrics: ClusterMetrics,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {}

  /** Where a join for `roomId` goes. Never rejects for a peer's or the directory's fault. */
  async locate(roomId: string): Promise<Route> {
    if (!this.config.enabled) {
      const room = this.rooms.get(roomId);
      return room === undefined ? { kind: 'missing' } : { kind: 'local', room };
    }
    // A room arriving here (adoption in flight) is waited for, not claimed a second time.
    await this.transit.settled(roomId, this.config.requestTimeoutMs);
    if (this.rooms.get(roomId) !== undefined && !this.lease.fresh) {
      // Fencing: after a stall this pod may have lost rooms without knowing; ask first.
      if (this.directory.health().state === 'up') await this.lease.renew();
    }
    const local = this.rooms.get(roomId);
    if (local !== undefined) return { kind: 'local', room: local };
    let pending = this.inFlight.get(roomId);
    if (pending === undefined) {
      // One span per claim (concurrent joins share it), its outcome set where it is counted.
      pending = traced(SpanName.Claim, {}, () => this.route(roomId)).finally(() =>
        this.inFlight.delete(roomId),
      );
      this.inFlight.set(roomId, pending);
    }
    return pending;
  }

  private count(outcome: ClaimOutcome): void {
    this.metrics.claim(outcome);
    annotate({ 'nullroom.claim.outcome': outcome });
  }

  /** The owner's internal address (no claim): for reads and closes of one room. */
  async ownerAddress(roomId: string): Promise<string | undefined> {
    try {
      const owner = await this.directory.lookup(this.keys.of(roomId));
      if (owner === undefined || owner === this.self.podName) return undefined;
      return await this.roster.addressOf(owner);
    } catch {
      return undefined;
    }
  }

  private async route(roomId: string): Promise<Route> {
    // Handed away a moment ago: follow it there (the directory may not say so yet).
    const move = this.moved.get(roomId);
    if (move !== undefined) return this.claimFrom(roomId, move.to, { depth: 0, fromMove: true });
    let owner: string | undefined;
    try {
      owner = await this.directory.lookup(this.keys.of(roomId));
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      return this.withoutDirectory(roomId);
    }
    if (owner === undefined) return this.unowned(roomId);
    if (owner === this.self.podName) return this.ownedButAbsent(roomId);
    return this.claimFrom(roomId, owner, { depth: 0 });
  }

  /** Asks `owner` for the room. */
  private async claimFrom(roomId: string, owner: string, hop: Hop): Promise<Route> {
    if (hop.depth > MAX_HOPS || owner === this.self.podName) return { kind: 'unavailable' };
    const address = await this.roster.addressOf(owner);
    if (address === undefined) return this.ownerGone(roomId, owner, hop);
    if (!this.rooms.canAdopt()) {
      // No room for it here (MAX_ROOMS): leave it where it is and forward the member there.
      return { kind: 'forward', podId: owner, address };
    }
    let reply;
    try {
      reply = await this.peers.handoff(address, roomId, {
        to: this.self.podName,
        ...(hop.notAt === undefined ? {} : { notAt: hop.notAt }),
      });
    } catch (error) {
      if (!(error instanceof PeerError)) throw error;
      const live = await this.roster.isLive(owner);
      if (live === false) return this.ownerGone(roomId, owner, hop);
      // Alive (or nobody can tell): slow, not dead. Never take a live pod's room.
      this.count('error');
      return { kind: 'unavailable' };
    }
    switch (reply.outcome) {
      case HandoffOutcome.Moved:
        return this.adopt(roomId, reply.room, owner, 'won', hop);
      case HandoffOutcome.Busy:
        this.count('lost');
        return { kind: 'forward', podId: owner, address };
      case HandoffOutcome.MovedAway:
        return this.claimFrom(roomId, reply.owner, { depth: hop.depth + 1, sentBy: owner });
      case HandoffOutcome.Missing:
        if (hop.fromMove) return this.moveDenied(roomId, owner, hop);
        if (hop.sentBy !== undefined) {
          // `sentBy` said the room came here and it didn't (its claimer gave up on the answer):
          // ask `sentBy` again, saying so.
          return this.claimFrom(roomId, hop.sentBy, { depth: hop.depth + 1, notAt: owner });
        }
        return this.missingAt(roomId, owner, reply.boot, hop);
    }
  }

  /**
   * This pod handed the room to `to`, and `to` says it doesn't have it. Either the answer is still
   * on its way there (ask again in a moment), or the claim that asked gave up before it arrived —
   * certain once the move is older than a request timeout. Then the directory decides: still ours
   * (the receiver never took the entry over) — the room never left, it is served here again;
   * someone else's — follow it; nobody's — it ended there.
   */
  private async moveDenied(roomId: string, to: string, hop: Hop): Promise<Route> {
    const move = this.moved.get(roomId);
    if (move !== undefined && !move.confirmed) {
      const age = this.clock.now() - move.at;
      if (age <= this.config.requestTimeoutMs) {
        await this.clock.sleep(MOVE_RECHECK_MS);
        return this.claimFrom(roomId, to, hop);
      }
    }
    let owner: string | undefined;
    try {
      owner = await this.directory.lookup(this.keys.of(roomId));
    } catch {
      return { kind: 'unavailable' };
    }
    if (owner === this.self.podName && move !== undefined && !move.confirmed) {
      this.moved.delete(roomId);
      return this.adopt(roomId, move.shape, this.self.podName, 'won', hop);
    }
    if (owner !== undefined && owner !== this.self.podName && owner !== to)
      return this.claimFrom(roomId, owner, { depth: hop.depth + 1 });
    return { kind: 'missing' };
  }

  /** A live owner says it doesn't have the room. Unless it restarted and lost it, it is gone. */
  private async missingAt(roomId: string, owner: string, boot: string, hop: Hop): Promise<Route> {
    const found = await this.standbys.find(roomId);
    if (found !== undefined && found.info.owner === owner && found.info.ownerBoot !== boot) {
      // A copy from the owner's previous boot: the room was lost with that process.
      return this.recover(found, roomId, owner, owner, hop);
    }
    return { kind: 'missing' };
  }

  /** The owner's pod entry is gone (expired: dead; removed: drained). */
  private async ownerGone(roomId: string, owner: string, hop: Hop): Promise<Route> {
    // Read the room's entry again: a drained pod's successor may hold it by now.
    let current: string | undefined;
    try {
      current = await this.directory.lookup(this.keys.of(roomId));
    } catch {
      return { kind: 'unavailable' };
    }
    if (current === this.self.podName) return this.ownedButAbsent(roomId);
    if (current !== undefined && current !== owner)
      return this.claimFrom(roomId, current, { depth: hop.depth + 1 });
    const found = await this.standbys.find(roomId);
    if (found !== undefined && found.info.owner === owner)
      return this.recover(found, roomId, owner, current, hop);
    if (found !== undefined) return this.followStandby(found, roomId, hop);
    this.logger.warn('no standby found for a room whose owner is gone');
    return { kind: 'missing' };
  }

  /** Nobody owns the room in the directory: a standby copy, if any, says who had it. */
  private async unowned(roomId: string): Promise<Route> {
    const found = await this.standbys.find(roomId);
    if (found === undefined) return { kind: 'missing' };
    return this.followStandby(found, roomId, { depth: 0 });
  }

  private async followStandby(found: FoundStandby, roomId: string, hop: Hop): Promise<Route> {
    const { owner, ownerBoot } = found.info;
    if (owner === this.self.podName) {
      // A copy of a room an earlier boot of this pod held.
      return ownerBoot === this.self.boot
        ? { kind: 'missing' }
        : this.recover(found, roomId, owner, undefined, hop);
    }
    const live = await this.roster.isLive(owner);
    if (live === undefined) return { kind: 'unavailable' };
    // Alive: it holds the room and its entry lapsed (a Redis restart): ask it.
    if (live) return this.claimFrom(roomId, owner, { depth: hop.depth + 1 });
    return this.recover(found, roomId, owner, undefined, hop);
  }

  /** The directory names this pod, but the room isn't here (and wasn't handed away). */
  private async ownedButAbsent(roomId: string): Promise<Route> {
    const found = await this.standbys.find(roomId);
    if (found?.info.owner === this.self.podName && found.info.ownerBoot !== this.self.boot) {
      // This pod restarted; a peer kept a copy of the room from the previous boot.
      return this.recover(found, roomId, this.self.podName, this.self.podName, { depth: 0 });
    }
    await this.directory.release([this.keys.of(roomId)], this.self.podName).catch(() => undefined);
    return { kind: 'missing' };
  }

  /** Takes a standby copy naming `owner` (found gone) and continues the room here. */
  private async recover(
    found: FoundStandby,
    roomId: string,
    owner: string,
    entryOwner: string | undefined,
    hop: Hop,
  ): Promise<Route> {
    const shape = await this.standbys.takeFound(found, roomId, owner);
    if (shape === undefined) return { kind: 'missing' };
    this.logger.log('recovered a room from its standby');
    return this.adopt(roomId, shape, entryOwner, 'recovered', hop, false);
  }

  /**
   * The room is here now: adopted, then its directory entry taken over (compare-and-set). If a
   * third pod holds the entry, this copy goes at once and the join follows the real owner — so a
   * race between claimers never leaves two copies serving.
   */
  private async adopt(
    roomId: string,
    shape: RoomHandoff,
    from: string | undefined,
    outcome: ClaimOutcome,
    hop: Hop,
    forJoin = true,
  ): Promise<Route> {
    const settled = await this.transit.run(roomId, async (): Promise<Route | { raced: string }> => {
      let room: Room;
      try {
        room = this.rooms.adopt(shape, { forJoin });
      } catch (error) {
        if (!(error instanceof RelayError)) throw error;
        return { kind: 'unavailable' };
      }
      this.standbys.forget(roomId);
      const result = await this.lease.takeOver(roomId, from);
      if (result !== 'pending' && !result.owned) {
        this.rooms.discard(room);
        this.lease.movedAway(roomId);
        this.logger.warn('claim raced with another pod');
        return { raced: result.owner };
      }
      this.standbys.schedule();
      this.count(outcome);
      return { kind: 'local', room };
    });
    if ('raced' in settled) return this.claimFrom(roomId, settled.raced, { depth: hop.depth + 1 });
    return settled;
  }

  /**
   * Redis is down: ask the pods last known. Whoever holds the room hands it over or takes the
   * forwarded member; the directory is corrected when it is back (pending takeovers). A pod that
   * doesn't answer may be the owner: then the join is told to retry, never "not found".
   */
  private async withoutDirectory(roomId: string): Promise<Route> {
    let silent = false;
    for (const peer of this.roster.others()) {
      let reply;
      try {
        reply = await this.peers.handoff(peer.address, roomId, { to: this.self.podName });
      } catch (error) {
        if (!(error instanceof PeerError)) throw error;
        silent = true;
        continue;
      }
      switch (reply.outcome) {
        case HandoffOutcome.Moved:
          return this.adopt(roomId, reply.room, peer.podId, 'won', { depth: 0 });
        case HandoffOutcome.Busy:
          this.count('lost');
          return { kind: 'forward', podId: peer.podId, address: peer.address };
        case HandoffOutcome.MovedAway:
          return this.claimFrom(roomId, reply.owner, { depth: 1, sentBy: peer.podId });
        case HandoffOutcome.Missing:
          continue;
      }
    }
    return silent ? { kind: 'unavailable' } : { kind: 'missing' };
  }
}
