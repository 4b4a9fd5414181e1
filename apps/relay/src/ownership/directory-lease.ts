import {
  type ClaimResult,
  DirectoryUnavailableError,
  type RoomDirectory,
  type RoomKey,
} from '../cluster';
import { type Clock, type Timer } from '../common/clock';
import { type AppLogger } from '../common/logger';
import { type RelayConfig } from '../config/config';
import { type Room } from '../rooms/room';
import { type RoomHandoff } from '../rooms/room-handoff';
import { type MovedRooms } from './moved-rooms';
import { type PodRoster } from './pod-roster';
import { type RoomKeys } from './room-keys';

/** What the lease loop tells the rest of the ownership code. */
export interface LeaseEvents {
  /** After every refresh (standby renewal rides on it). */
  refreshed(): Promise<void>;
  /** A local room that another pod owns (a split): its members must go back through the ring. */
  split(room: Room): void;
  /** A room handed away that nobody took over: it never left, it comes back here. */
  unclaimed(roomId: string, shape: RoomHandoff): void;
}

/**
 * This pod's lease on the directory: its pod entry and the entries of every room it holds, kept
 * alive by one batched refresh every DIRECTORY_REFRESH_MS (never per frame). The refresh is also
 * where the pod learns what changed behind its back:
 *
 * - a room whose entry another pod holds now is split (a partition healed, or this pod was frozen
 *   past its TTL and a peer took the room from its standby): only that room's members are sent
 *   back through the ring; every other room is re-armed untouched (fencing without collateral);
 * - a room handed to a claimer whose entry the claimer took over: the move is confirmed; one the
 *   claimer never took over (its answer was lost) is given back to this pod;
 * - rooms claimed while the directory was down have their entries corrected (pending takeovers).
 */
export class DirectoryLease {
  private readonly pendingTakeovers = new Map<string, string>();
  private readonly registrations = new Map<string, Promise<void>>();
  private timer: Timer | undefined;
  private refreshing: Promise<void> | undefined;
  private leaving = false;
  private registered = false;
  private lastRenewedAt = -Infinity;
  private offState: (() => void) | undefined;

  constructor(
    private readonly config: RelayConfig['cluster'],
    private readonly directory: RoomDirectory,
    private readonly keys: RoomKeys,
    private readonly rooms: { list(): Room[] },
    private readonly roster: PodRoster,
    private readonly moved: MovedRooms,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
    private readonly events: LeaseEvents,
  ) {}

  /** Registers at once, then every DIRECTORY_REFRESH_MS, and the moment the directory comes back. */
  async start(): Promise<void> {
    // Register the moment the directory answers, not at the next tick: until then no other pod
    // can reach this one, and after an outage the pending takeovers wait for nothing.
    this.offState = this.directory.on('state', (next) => {
      if (next !== 'up' || this.leaving) return;
      void (this.refreshing ?? Promise.resolve()).then(() => this.refresh());
    });
    await this.refresh();
    this.timer = this.clock.setInterval(() => void this.refresh(), this.config.directoryRefreshMs);
  }

  async stop(): Promise<void> {
    this.offState?.();
    this.timer?.cancel();
    this.timer = undefined;
    await this.directory.close().catch(() => undefined);
  }

  /** A room created here: its entry is claimed now (`registration` resolves when answered). */
  claimCreated(roomId: string): void {
    const key = this.keys.hold(roomId);
    const done = this.directory
      .claim(key, this.config.podName, this.config.directoryTtlMs)
      // Redis down: the room is served locally and registered by the next refresh.
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.registrations.delete(roomId));
    this.registrations.set(roomId, done);
  }

  /** Resolves once the directory answered the claim of a room created here (or failed to). */
  registration(roomId: string): Promise<void> {
    return this.registrations.get(roomId) ?? Promise.resolve();
  }

  /**
   * The entry of a room adopted here moves to this pod: compare-and-set from `from` (a claim, a
   * handover, a dead owner), or a plain claim when nobody owns it. 'pending' when the directory is
   * down: corrected by the next refresh that reaches it.
   */
  async takeOver(roomId: string, from: string | undefined): Promise<ClaimResult | 'pending'> {
    const key = this.keys.hold(roomId);
    const { podName, directoryTtlMs } = this.config;
    try {
      return from === undefined || from === podName
        ? await this.directory.claim(key, podName, directoryTtlMs)
        : await this.directory.takeover(key, from, podName, directoryTtlMs);
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      if (from !== undefined && from !== podName) this.pendingTakeovers.set(roomId, from);
      return 'pending';
    }
  }

  /** The room ended here: its entry goes. */
  release(roomId: string): void {
    const key = this.keys.of(roomId);
    this.keys.drop(roomId);
    this.pendingTakeovers.delete(roomId);
    void this.directory.release([key], this.config.podName).catch(() => undefined);
  }

  /** The room left by a move: its entry moves with it (the receiver takes it over). */
  movedAway(roomId: string): void {
    this.keys.drop(roomId);
    this.pendingTakeovers.delete(roomId);
  }

  /**
   * True while the last renewal is recent enough that this pod's entries surely live. After a
   * stall (a frozen process, a long GC) it is false until a refresh confirms what is still ours.
   */
  get fresh(): boolean {
    return this.clock.now() - this.lastRenewedAt <= 2 * this.config.directoryRefreshMs;
  }

  /** A refresh, then the standby renewal. One at a time; none may hang the loop. */
  async refresh(): Promise<void> {
    await this.renew();
    if (this.config.enabled && !this.leaving) await this.events.refreshed();
  }

  /**
   * One renewal round trip (shared with one already in flight). A directory call stuck behind a
   * dying connection is abandoned after a few request timeouts (its late answer is harmless).
   */
  renew(): Promise<void> {
    if (this.leaving) return Promise.resolve();
    if (this.refreshing !== undefined) return this.refreshing;
    let timer: Timer | undefined;
    this.refreshing = Promise.race([
      this.renewOnce(),
      new Promise<void>((resolve) => {
        timer = this.clock.setTimeout(resolve, this.config.requestTimeoutMs * 3);
      }),
    ]).finally(() => {
      timer?.cancel();
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Drain, last step: whatever is still here is released; this pod leaves the directory. */
  async releaseAll(): Promise<void> {
    // A refresh in flight would register the pod again after it unregistered (a ghost peer for
    // one TTL): stop the loop and let the last one finish first.
    this.leaving = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.refreshing;
    const keys = this.rooms.list().map((r) => this.keys.of(r.id));
    await this.directory.release(keys, this.config.podName).catch(() => undefined);
    await this.directory.unregisterPod(this.config.podName).catch(() => undefined);
  }

  private async renewOnce(): Promise<void> {
    const { podName, podAddress, directoryTtlMs, requestTimeoutMs } = this.config;
    const started = this.clock.now();
    try {
      if (!this.registered || !(await this.directory.refreshPod(podName, directoryTtlMs))) {
        await this.directory.registerPod(podName, podAddress, directoryTtlMs);
        this.registered = true;
      }
      for (const [roomId, from] of [...this.pendingTakeovers]) {
        const result = await this.directory.takeover(
          this.keys.of(roomId),
          from,
          podName,
          directoryTtlMs,
        );
        this.pendingTakeovers.delete(roomId);
        if (!result.owned)
          this.logger.warn('a room claimed during a directory outage is owned elsewhere');
      }
      const local = new Map<RoomKey, Room>();
      for (const room of this.rooms.list()) local.set(this.keys.hold(room.id), room);
      // Moves not yet confirmed stay leased by this pod until the receiver takes them over.
      const moves = new Map<RoomKey, [string, RoomHandoff, number]>();
      for (const [roomId, move] of this.moved.unconfirmed()) {
        moves.set(this.keys.of(roomId), [roomId, move.shape, move.at]);
      }
      const keys = [...local.keys(), ...moves.keys()];
      if (keys.length > 0) {
        const { lost, reclaimed } = await this.directory.refresh(keys, podName, directoryTtlMs);
        const lostSet = new Set(lost);
        const reclaimedSet = new Set(reclaimed);
        let splits = 0;
        for (const key of lost) {
          const room = local.get(key);
          if (room !== undefined) {
            splits++;
            this.keys.drop(room.id);
            this.events.split(room);
          }
        }
        if (splits > 0) this.logger.warn(`resolved ${splits} split room(s)`);
        for (const [key, [roomId, shape, at]] of moves) {
          if (lostSet.has(key)) {
            this.moved.confirm(roomId);
          } else if (reclaimedSet.has(key)) {
            // Its entry was gone: the receiver took it over and released it since (the room
            // ended there). It must not come back; the entry re-armed just now goes again.
            this.moved.confirm(roomId);
            void this.directory.release([key], podName).catch(() => undefined);
          } else if (started - at > 2 * requestTimeoutMs) {
            // Still ours long after the claimer had time to take it over: it never got it.
            this.moved.delete(roomId);
            this.events.unclaimed(roomId, shape);
          }
        }
      }
      this.roster.update(await this.directory.pods());
      this.lastRenewedAt = started;
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError) && !this.leaving) {
        // The error's class only: messages may carry keys or addresses.
        const kind = error instanceof Error ? error.name : typeof error;
        this.logger.error(`directory refresh failed unexpectedly (${kind})`);
      }
      this.registered = this.registered && !(error instanceof DirectoryUnavailableError);
    }
  }
}
