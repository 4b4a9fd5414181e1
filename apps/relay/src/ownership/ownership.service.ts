import { randomBytes } from 'node:crypto';
import {
  type DirectoryHealth,
  type PodEntry,
  type RoomDirectory,
  type RoomKeyDeriver,
} from '../cluster';
import { type Clock } from '../common/clock';
import { type AppLogger } from '../common/logger';
import { type RelayConfig } from '../config/config';
import { type ClusterMetrics } from '../metrics/cluster-metrics';
import { type RoomsService } from '../rooms/rooms.service';
import { ClaimResponder } from './claim-responder';
import { ClaimRouter, type Route } from './claim-router';
import { DirectoryLease } from './directory-lease';
import { DrainHandover } from './drain-handover';
import { MovedRooms } from './moved-rooms';
import { type Peers } from './peer-api';
import { PodRoster } from './pod-roster';
import { RoomKeys } from './room-keys';
import { RoomTransit } from './room-transit';
import { StandbyReplicator } from './standby-replicator';

export { type Route } from './claim-router';

/**
 * Room ownership across pods (BRIEF "The cluster, as invariants"), as a thin facade over its
 * parts, one job each:
 *
 * - `ClaimRouter` (claim-router.ts): where a join for a room held elsewhere goes;
 * - `ClaimResponder` (claim-responder.ts): what this pod answers a pod claiming one of its rooms;
 * - `DirectoryLease` (directory-lease.ts): this pod's entries in the directory, kept alive in
 *   batches, and what the refresh learns (splits, confirmed moves, outages);
 * - `StandbyReplicator` (standby-replicator.ts): standby copies, given and kept;
 * - `DrainHandover` (drain-handover.ts): a draining pod's rooms handed to successors;
 * - `PodRoster`, `MovedRooms`, `RoomTransit`, `RoomKeys`: the shared state they read.
 *
 * With the in-memory directory (single pod) the same code runs and every room is local.
 */
export class OwnershipService {
  /** This process: a pod name that restarts gets a new boot id (standby copies tell them apart). */
  readonly boot = randomBytes(16).toString('hex');
  readonly router: ClaimRouter;
  readonly responder: ClaimResponder;
  readonly lease: DirectoryLease;
  readonly standbys: StandbyReplicator;
  readonly handover: DrainHandover;
  private readonly roster: PodRoster;

  constructor(
    private readonly config: RelayConfig['cluster'],
    private readonly directory: RoomDirectory,
    deriver: RoomKeyDeriver,
    private readonly rooms: RoomsService,
    peers: Peers,
    private readonly clock: Clock,
    logger: AppLogger,
    metrics: ClusterMetrics,
  ) {
    const self = { podName: config.podName, boot: this.boot };
    const keys = new RoomKeys(deriver);
    const moved = new MovedRooms(clock);
    const transit = new RoomTransit(clock);
    this.roster = new PodRoster(directory, config.podName);
    this.standbys = new StandbyReplicator(
      self,
      rooms,
      this.roster,
      peers,
      clock,
      // Copies outlive a few missed renewals and the directory entry of a dead owner.
      config.directoryTtlMs * 3,
    );
    this.lease = new DirectoryLease(
      config,
      directory,
      keys,
      rooms,
      this.roster,
      moved,
      clock,
      logger,
      {
        refreshed: () => this.standbys.sync(),
        split: (room) => {
          // Another pod owns it: this copy's members come back through the ring to the owner.
          this.rooms.evict(room);
          this.standbys.keep(room.id);
        },
        unclaimed: (_roomId, shape) => {
          // Never left: it is served here again (unless this pod is draining or full).
          if (!this.rooms.canAdopt()) return;
          this.rooms.adopt(shape, { forJoin: false });
          this.standbys.schedule();
        },
      },
    );
    this.router = new ClaimRouter(
      self,
      config,
      directory,
      keys,
      rooms,
      this.roster,
      peers,
      moved,
      transit,
      this.standbys,
      this.lease,
      metrics,
      clock,
      logger,
    );
    this.responder = new ClaimResponder(
      self,
      config,
      rooms,
      moved,
      transit,
      this.lease,
      this.standbys,
    );
    this.handover = new DrainHandover(
      self,
      rooms,
      this.roster,
      peers,
      moved,
      transit,
      this.lease,
      this.standbys,
      metrics,
      logger,
      clock,
    );
    rooms.on('created', (room) => {
      this.lease.claimCreated(room.id);
      if (config.enabled) this.standbys.schedule();
    });
    // A code room's failure count is part of its shape: its standby must not lag behind it.
    rooms.on('reshaped', () => {
      if (config.enabled) this.standbys.schedule();
    });
    rooms.on('ended', (room, reason) => {
      this.lease.release(room.id);
      // An ended room must not come back from its standby: tell the standby pod now. A room left
      // behind by a drain is different: a late member can still find it through the copy.
      if (reason === 'drained') this.standbys.keep(room.id);
      else this.standbys.drop(room.id);
    });
  }

  get podName(): string {
    return this.config.podName;
  }

  get clustered(): boolean {
    return this.config.enabled;
  }

  /** Other pods' rooms this pod keeps standby copies of. */
  get standbyCount(): number {
    return this.standbys.count;
  }

  health(): DirectoryHealth {
    return this.directory.health();
  }

  /** Live pods other than this one, as last read from the directory. */
  otherPods(): PodEntry[] {
    return this.roster.others();
  }

  start(): Promise<void> {
    return this.lease.start();
  }

  async stop(): Promise<void> {
    this.standbys.stop();
    await this.lease.stop();
  }

  /** Where a join for `roomId` goes. */
  locate(roomId: string): Promise<Route> {
    return this.router.locate(roomId);
  }

  /** Resolves once a room created here is in the directory (or the directory failed to answer). */
  registration(roomId: string): Promise<void> {
    return this.lease.registration(roomId);
  }

  /** The owner's internal address, for cluster-wide reads of one room. */
  async ownerAddress(roomId: string): Promise<string | undefined> {
    if (!this.config.enabled) return undefined;
    return this.router.ownerAddress(roomId);
  }

  /** Drain: hands what is left to successors, for at most `deadlineMs`. */
  async handOver(deadlineMs: number): Promise<void> {
    if (!this.config.enabled) return;
    await Promise.race([this.handover.handOverAll(deadlineMs), this.clock.sleep(deadlineMs)]);
  }

  /** Drain, last step: whatever is still here is released; this pod leaves the directory. */
  releaseAll(): Promise<void> {
    this.standbys.stop();
    return this.lease.releaseAll();
  }
}
