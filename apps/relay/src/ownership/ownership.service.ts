import {
  DirectoryUnavailableError,
  type DirectoryHealth,
  type PodEntry,
  type RoomDirectory,
  type RoomKey,
  type RoomKeyDeriver,
} from '../cluster';
import { type Clock } from '../common/clock';
import { type AppLogger } from '../common/logger';
import { type ClusterMetrics } from '../metrics/cluster-metrics';
import { type RelayStats } from '../common/stats';
import { type RelayConfig } from '../config/config';
import { type Room } from '../rooms/room';
import { type RoomHandoff, type RoomsService } from '../rooms/rooms.service';
import { type PeerClient, PeerUnreachableError } from './peer-client';
import { StandbyStore, standbyPodFor } from './standby';

/** How long a pod remembers where a room it handed off went. */
const MOVED_MEMORY_MS = 30_000;

/** Where a join for a room must go. */
export type Route =
  | { readonly kind: 'local'; readonly room: Room }
  | { readonly kind: 'forward'; readonly podId: string; readonly address: string }
  | { readonly kind: 'missing' }
  /** The owner exists but can't be reached right now: the client should retry. */
  | { readonly kind: 'unavailable' };

/**
 * Room ownership across pods (BRIEF "The cluster, as invariants"). A room lives in exactly one
 * pod's RAM; the directory says which. This service keeps the directory in step with the rooms
 * of this pod (claim on create, release on end, refresh in batches, never per frame) and decides,
 * for a join that reaches a pod not holding the room, whether to claim it (empty: it moves here)
 * or forward the connection to the owner (it has members).
 *
 * With the in-memory directory (single pod) the same code runs and every room is local.
 */
export class OwnershipService {
  private readonly keys = new Map<string, RoomKey>();
  /** Rooms claimed while the directory was down: their entry still names the old owner. */
  private readonly pendingTakeovers = new Map<string, string>();
  /** One claim per room at a time: concurrent joins share its outcome. */
  private readonly inFlight = new Map<string, Promise<Route>>();
  private peers: PodEntry[] = [];
  private standbySyncPending = false;
  private refreshing: Promise<void> | undefined;
  private readonly movedTo = new Map<string, { podId: string; at: number }>();
  private readonly standbys: StandbyStore;
  /** Where each local room's standby copy lives, to tell that pod when the room ends. */
  private readonly standbyOf = new Map<string, string>();
  private timer: { cancel(): void } | undefined;
  /** Set by the drain's last step: no refresh may register this pod again after it left. */
  private leaving = false;
  private offDirectoryState: (() => void) | undefined;
  private registered = false;

  constructor(
    private readonly config: RelayConfig['cluster'],
    private readonly directory: RoomDirectory,
    private readonly keyDeriver: RoomKeyDeriver,
    private readonly rooms: RoomsService,
    private readonly peerClient: PeerClient,
    private readonly clock: Clock,
    private readonly stats: RelayStats,
    private readonly logger: AppLogger,
    private readonly metrics?: ClusterMetrics,
  ) {
    // Standbys outlive a few missed renewals, and the directory entry of a dead owner.
    this.standbys = new StandbyStore(config.directoryTtlMs * 3);
    rooms.on('created', (room) => void this.claimCreated(room));
    rooms.on('ended', (room, reason) => void this.release(room.id, reason === 'drained'));
    // A code room's failure count is part of its shape: its standby must not lag behind it.
    rooms.on('reshaped', () => this.scheduleStandbySync());
  }

  acceptStandbys(fromPod: string, rooms: readonly RoomHandoff[], dropped: readonly string[]): void {
    this.standbys.drop(dropped);
    this.standbys.put(fromPod, rooms, this.clock.now());
  }

  takeStandby(roomId: string): { handoff: RoomHandoff; owner: string } | undefined {
    return this.standbys.take(roomId, this.clock.now());
  }

  get podName(): string {
    return this.config.podName;
  }

  /** The standby copies this pod keeps: room ids and their owners (internal port only). */
  standbyList(): Array<{ roomId: string; owner: string }> {
    return this.standbys.list(this.clock.now());
  }

  /** Other pods' rooms this pod keeps standby copies of. */
  get standbyCount(): number {
    return this.standbys.size;
  }

  get clustered(): boolean {
    return this.config.enabled;
  }

  health(): DirectoryHealth {
    return this.directory.health();
  }

  /** Live pods other than this one, as last read from the directory. */
  otherPods(): PodEntry[] {
    return this.peers.filter((p) => p.podId !== this.config.podName);
  }

  async start(): Promise<void> {
    // Register the moment the directory answers, not at the next tick: until then no other pod
    // can reach this one (a claim from it would find no address: 1013), and after an outage
    // the pending takeovers and the pod entry wait for nothing.
    this.offDirectoryState = this.directory.on('state', (next) => {
      if (next !== 'up' || this.leaving) return;
      const inFlight = this.refreshing ?? Promise.resolve();
      void inFlight.then(() => this.refresh());
    });
    await this.refresh();
    this.timer = this.clock.setInterval(() => void this.refresh(), this.config.directoryRefreshMs);
  }

  async stop(): Promise<void> {
    this.offDirectoryState?.();
    this.timer?.cancel();
    this.timer = undefined;
    await this.directory.close().catch(() => undefined);
  }

  keyOf(roomId: string): RoomKey {
    let key = this.keys.get(roomId);
    if (key === undefined) {
      key = this.keyDeriver.keyFor(roomId);
      if (this.rooms.get(roomId) !== undefined) this.keys.set(roomId, key);
    }
    return key;
  }

  /** Where a join for `roomId` goes. Never throws. */
  locate(roomId: string): Promise<Route> {
    const local = this.rooms.get(roomId);
    if (local !== undefined) return Promise.resolve({ kind: 'local', room: local });
    if (!this.config.enabled) return Promise.resolve({ kind: 'missing' });
    let pending = this.inFlight.get(roomId);
    if (pending === undefined) {
      pending = this.route(roomId).finally(() => this.inFlight.delete(roomId));
      this.inFlight.set(roomId, pending);
    }
    return pending;
  }

  /** The owner's internal address, for cluster-wide reads of one room. */
  async ownerAddress(roomId: string): Promise<string | undefined> {
    if (!this.config.enabled) return undefined;
    try {
      const owner = await this.directory.lookup(this.keyDeriver.keyFor(roomId));
      if (owner === undefined || owner === this.config.podName) return undefined;
      return await this.addressOf(owner);
    } catch {
      return undefined;
    }
  }

  private async route(roomId: string): Promise<Route> {
    const key = this.keyDeriver.keyFor(roomId);
    let owner: string | undefined;
    try {
      owner = await this.directory.lookup(key);
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      // Redis is down: ask the pods we knew of. Whoever holds the room hands it over or takes
      // the forwarded connection; the directory is corrected when it comes back.
      return this.routeWithoutDirectory(roomId);
    }
    if (owner === undefined) return this.recoverFromStandby(roomId, key, undefined);
    if (owner === this.config.podName) {
      // The directory names us but the room is not here (we restarted): the entry is stale.
      await this.directory.release([key], this.config.podName).catch(() => undefined);
      return { kind: 'missing' };
    }
    const address = await this.addressOf(owner);
    if (address === undefined)
      return this.recoverFromStandby(roomId, key, owner, 'its pod has no directory entry');
    return this.claimFrom(roomId, key, owner, address);
  }

  /**
   * The owner is gone (unreachable, or its entry expired): the pod keeping the room's standby
   * hands the shape over and the room continues here. Members re-key, as after any move.
   */
  private async recoverFromStandby(
    roomId: string,
    key: RoomKey,
    deadOwner: string | undefined,
    /** Why the owner counts as gone, for the log (no room id, key or address in it). */
    why = 'its entry expired',
  ): Promise<Route> {
    const live = new Set(this.peers.map((p) => p.podId));
    const self = { podId: this.config.podName, address: '' };
    for (const peer of [self, ...this.otherPods()]) {
      if (peer.podId === deadOwner) continue;
      const taken =
        peer === self
          ? this.standbys.take(roomId, this.clock.now())
          : await this.peerClient.takeStandby(peer.address, roomId).catch(() => undefined);
      if (taken === undefined) continue;
      // A standby whose owner is alive is stale (the room moved on, or ended and its drop is on
      // the way): never resurrect from it; another pod may hold the current one.
      if (
        taken.owner !== deadOwner &&
        (live.has(taken.owner) || taken.owner === this.config.podName)
      ) {
        continue;
      }
      const room = this.rooms.adopt(taken.handoff);
      this.scheduleStandbySync();
      this.keys.set(roomId, key);
      this.stats.claims++;
      try {
        const result =
          deadOwner === undefined
            ? await this.directory.claim(key, this.config.podName, this.config.directoryTtlMs)
            : await this.directory.takeover(
                key,
                deadOwner,
                this.config.podName,
                this.config.directoryTtlMs,
              );
        if (!result.owned) this.logger.warn('recovered room is owned elsewhere');
      } catch {
        if (deadOwner !== undefined) this.pendingTakeovers.set(roomId, deadOwner);
      }
      this.logger.log('recovered a room from its standby');
      return { kind: 'local', room };
    }
    if (deadOwner !== undefined) {
      this.metrics?.claim('error');
      this.logger.warn(`no standby found for a room whose owner is unreachable (${why})`);
    }
    return deadOwner === undefined ? { kind: 'missing' } : { kind: 'unavailable' };
  }

  private async claimFrom(
    roomId: string,
    key: RoomKey,
    owner: string,
    address: string,
    hops = 0,
  ): Promise<Route> {
    let reply;
    try {
      reply = await this.peerClient.handoff(address, roomId, this.config.podName);
    } catch (error) {
      if (error instanceof PeerUnreachableError)
        return this.recoverFromStandby(roomId, key, owner, error.message);
      throw error;
    }
    if (reply.status === 'missing') return { kind: 'missing' };
    if (reply.status === 'moved-away') {
      // Another pod claimed it a moment ago (two rings, or a scale event): follow it.
      if (reply.owner === this.config.podName) {
        const local = this.rooms.get(roomId);
        return local === undefined ? { kind: 'missing' } : { kind: 'local', room: local };
      }
      const next = hops < 3 ? await this.addressOf(reply.owner) : undefined;
      return next === undefined
        ? { kind: 'unavailable' }
        : this.claimFrom(roomId, key, reply.owner, next, hops + 1);
    }
    if (reply.status === 'busy') {
      this.metrics?.claim('lost');
      return { kind: 'forward', podId: owner, address };
    }
    // The room moves here: an empty room, claimed by its ring pod.
    const room = this.rooms.adopt(reply.room);
    this.scheduleStandbySync();
    this.keys.set(roomId, key);
    this.stats.claims++;
    try {
      const moved = await this.directory.takeover(
        key,
        owner,
        this.config.podName,
        this.config.directoryTtlMs,
      );
      if (!moved.owned) {
        // A third pod claimed it in the meantime; the refresh loop will find this copy 'lost'
        // and send its members there.
        this.logger.warn('claim raced with another pod');
      }
    } catch {
      this.pendingTakeovers.set(roomId, owner);
    }
    return { kind: 'local', room };
  }

  private async routeWithoutDirectory(roomId: string): Promise<Route> {
    for (const peer of this.otherPods()) {
      let reply;
      try {
        reply = await this.peerClient.handoff(peer.address, roomId, this.config.podName);
      } catch {
        continue;
      }
      if (reply.status === 'busy')
        return { kind: 'forward', podId: peer.podId, address: peer.address };
      if (reply.status === 'moved') {
        const room = this.rooms.adopt(reply.room);
        this.scheduleStandbySync();
        this.keys.set(roomId, this.keyDeriver.keyFor(roomId));
        this.pendingTakeovers.set(roomId, peer.podId);
        this.stats.claims++;
        return { kind: 'local', room };
      }
    }
    return { kind: 'missing' };
  }

  private async addressOf(podId: string): Promise<string | undefined> {
    let entry = this.peers.find((p) => p.podId === podId);
    if (entry === undefined) {
      this.peers = await this.directory.pods().catch(() => this.peers);
      entry = this.peers.find((p) => p.podId === podId);
    }
    return entry?.address;
  }

  /**
   * A new local room gets its standby within ~50 ms rather than at the next refresh, so an owner
   * that dies right after a claim loses as little as possible. Batched: one sync per burst.
   */
  private scheduleStandbySync(): void {
    if (!this.config.enabled || this.standbySyncPending) return;
    this.standbySyncPending = true;
    setTimeout(() => {
      this.standbySyncPending = false;
      void this.syncStandbys();
    }, 50).unref();
  }

  private async claimCreated(room: Room): Promise<void> {
    const key = this.keyDeriver.keyFor(room.id);
    this.keys.set(room.id, key);
    this.scheduleStandbySync();
    try {
      await this.directory.claim(key, this.config.podName, this.config.directoryTtlMs);
    } catch {
      // Redis down: the room is served locally and registered by the next refresh.
    }
  }

  private async release(roomId: string, keepStandby = false): Promise<void> {
    const key = this.keys.get(roomId) ?? this.keyDeriver.keyFor(roomId);
    this.keys.delete(roomId);
    this.pendingTakeovers.delete(roomId);
    // An ended room must not come back from its standby: tell the standby pod now. A room left
    // behind by a drain is different: its members are on their way back, and a slow one can
    // still find it through the standby once this pod is gone.
    if (keepStandby) this.standbyOf.delete(roomId);
    else this.dropStandby(roomId);
    await this.directory.release([key], this.config.podName).catch(() => undefined);
  }

  /** A room that left by handoff: its key moves with it (the claimer takes the entry over). */
  forget(roomId: string): void {
    this.keys.delete(roomId);
    this.pendingTakeovers.delete(roomId);
    this.dropStandby(roomId);
  }

  /** Remembers, for a short while, where a handed-off room went (for concurrent claimers). */
  recordMove(roomId: string, toPod: string): void {
    const now = this.clock.now();
    this.movedTo.set(roomId, { podId: toPod, at: now });
    for (const [id, entry] of this.movedTo)
      if (now - entry.at > MOVED_MEMORY_MS) this.movedTo.delete(id);
  }

  movedAway(roomId: string): string | undefined {
    const entry = this.movedTo.get(roomId);
    return entry !== undefined &&
      this.clock.now() - entry.at <= MOVED_MEMORY_MS &&
      entry.podId !== ''
      ? entry.podId
      : undefined;
  }

  /** The room left this pod (ended or moved): its standby copy must not outlive it. */
  private dropStandby(roomId: string): void {
    const standbyPod = this.standbyOf.get(roomId);
    this.standbyOf.delete(roomId);
    const peer =
      standbyPod === undefined ? undefined : this.peers.find((p) => p.podId === standbyPod);
    if (peer !== undefined) {
      void this.peerClient
        .putStandbys(peer.address, this.config.podName, [], [roomId])
        .catch(() => undefined);
    }
  }

  /** Sends every local room's shape to its standby pod: one request per peer. */
  private async syncStandbys(): Promise<void> {
    const others = this.otherPods();
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
      others.map((peer) =>
        this.peerClient
          .putStandbys(peer.address, this.config.podName, batches.get(peer.podId) ?? [], [])
          .catch(() => undefined),
      ),
    );
  }

  /**
   * One refresh at a time, and none allowed to hang the loop: a directory call stuck behind a
   * dying connection is abandoned after a few request timeouts (its late answer is harmless).
   */
  async refresh(): Promise<void> {
    if (this.leaving) return;
    if (this.refreshing !== undefined) return this.refreshing;
    const limit = this.config.requestTimeoutMs * 3;
    this.refreshing = Promise.race([
      this.refreshOnce(),
      new Promise<void>((resolve) => setTimeout(resolve, limit).unref()),
    ]).finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
    if (this.config.enabled) await this.syncStandbys();
  }

  /** One batched round trip: this pod's address and every local room's entry get a fresh TTL. */
  private async refreshOnce(): Promise<void> {
    const { podName, podAddress, directoryTtlMs } = this.config;
    try {
      if (!this.registered || !(await this.directory.refreshPod(podName, directoryTtlMs))) {
        await this.directory.registerPod(podName, podAddress, directoryTtlMs);
        this.registered = true;
      }
      for (const [roomId, from] of [...this.pendingTakeovers]) {
        const result = await this.directory.takeover(
          this.keyOf(roomId),
          from,
          podName,
          directoryTtlMs,
        );
        this.pendingTakeovers.delete(roomId);
        if (!result.owned)
          this.logger.warn('a room claimed during a directory outage is owned elsewhere');
      }
      const local = this.rooms.list();
      const keyToRoom = new Map<RoomKey, Room>();
      for (const room of local) keyToRoom.set(this.keyOf(room.id), room);
      if (keyToRoom.size > 0) {
        const { lost } = await this.directory.refresh(
          [...keyToRoom.keys()],
          podName,
          directoryTtlMs,
        );
        for (const key of lost) {
          const room = keyToRoom.get(key);
          // Split: another pod owns this room too. Its members reconnect through the ring and
          // end up at the directory's owner; the copy here goes.
          if (room !== undefined) this.rooms.evict(room);
        }
        if (lost.length > 0) this.logger.warn(`resolved ${lost.length} split room(s)`);
      }
      this.peers = await this.directory.pods();
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError) && !this.leaving) {
        // The error's class only: messages may carry keys or addresses.
        const kind = error instanceof Error ? error.name : typeof error;
        this.logger.error(`directory refresh failed unexpectedly (${kind})`);
      }
      this.registered = this.registered && !(error instanceof DirectoryUnavailableError);
    }
  }

  /** Drain, last step: whatever was not claimed is released; this pod leaves the directory. */
  async releaseAll(): Promise<void> {
    // A refresh in flight would register the pod again after it unregistered (a ghost peer for
    // one TTL): stop the loop and let the last one finish first.
    this.leaving = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.refreshing;
    const keys = this.rooms.list().map((r) => this.keyOf(r.id));
    await this.directory.release(keys, this.config.podName).catch(() => undefined);
    await this.directory.unregisterPod(this.config.podName).catch(() => undefined);
  }
}
