import {
  type ClaimResult,
  DirectoryUnavailableError,
  type DirectoryEvents,
  type DirectoryHealth,
  MemoryRoomDirectory,
  type PodEntry,
  type RefreshResult,
  type RoomDirectory,
  type RoomKey,
  RoomKeyDeriver,
} from '../../src/cluster';
import { AppLogger } from '../../src/common/logger';
import { RelayStats } from '../../src/common/stats';
import { loadConfig, type RelayConfig } from '../../src/config/config';
import { ClusterMetrics } from '../../src/metrics/cluster-metrics';
import { InternalApi } from '../../src/ownership/internal-api';
import { OwnershipService } from '../../src/ownership/ownership.service';
import {
  type AdoptRequest,
  type CloseOutcome,
  type HandoffReply,
  type HandoffRequest,
  type InternalHandlers,
  type Peers,
  PeerUnreachableError,
  type StandbyBatch,
  type StandbyInfo,
  type TakeReply,
} from '../../src/ownership/peer-api';
import { type Room } from '../../src/rooms/room';
import { type JoinTokenHash, hashJoinToken } from '../../src/rooms/join-token';
import { type RoomView, RoomsService } from '../../src/rooms/rooms.service';
import { FakeClock } from './fakes';
import { RecordingMember } from './fakes';

/**
 * Several relay pods in one test process, with the relay's own classes: RoomsService,
 * OwnershipService and InternalApi per pod, one in-memory directory shared by all (it plays Redis,
 * and can go down), a fake clock, and a network between pods that can freeze a pod (requests to it
 * wait; the caller times out at CLUSTER_REQUEST_TIMEOUT_MS, and the frozen pod still processes them
 * when it resumes — as a SIGSTOPped process does) or kill it (connection refused). Every request
 * and answer is JSON-encoded on the way, as over HTTP.
 *
 * This is what makes the cluster's races reproducible in unit tests; the cluster e2e suites run
 * the same logic on real processes, Redis and nginx.
 */
export class FakeCluster {
  readonly clock = new FakeClock();
  /** The shared directory ("Redis"); each pod reaches it through its own SwitchableDirectory. */
  readonly memory = new MemoryRoomDirectory({ now: () => this.clock.now() });
  /** Redis for everyone: `redis.down()` / `redis.up()`, `redis.lookup(key)`. */
  readonly redis = new SwitchableDirectory(this.memory, () => this.views());
  readonly network: FakeNetwork;
  readonly pods = new Map<string, FakePod>();
  readonly secret = 'fake-cluster-secret-0123456789abcdef';

  constructor(readonly env: Record<string, string> = {}) {
    this.network = new FakeNetwork(this.clock, Number(env.CLUSTER_REQUEST_TIMEOUT_MS ?? 1500));
  }

  /** Starts a pod named `name` (its directory entry registered, its loops running). */
  async addPod(name: string, env: Record<string, string> = {}): Promise<FakePod> {
    const pod = new FakePod(this, name, { ...this.env, ...env });
    this.pods.set(name, pod);
    this.network.attach(pod.address, pod.api);
    await pod.ownership.start();
    return pod;
  }

  pod(name: string): FakePod {
    const pod = this.pods.get(name);
    if (pod === undefined) throw new Error(`no pod ${name}`);
    return pod;
  }

  /** Runs every pod's refresh once (and lets what it triggers settle). */
  async refreshAll(): Promise<void> {
    for (const pod of this.pods.values()) if (!pod.dead) await pod.ownership.lease.refresh();
    await this.clock.elapse(0);
  }

  stop(): void {
    for (const pod of this.pods.values()) pod.stop();
  }

  private views(): SwitchableDirectory[] {
    return [...this.pods.values()].map((p) => p.directory);
  }
}

export class FakePod {
  readonly config: RelayConfig;
  readonly rooms: RoomsService;
  readonly ownership: OwnershipService;
  readonly api: InternalApi;
  readonly metrics = new ClusterMetrics();
  readonly stats = new RelayStats();
  /** This pod's connection to the shared directory: `directory.down()` cuts only this pod off. */
  readonly directory: SwitchableDirectory;
  readonly address: string;
  dead = false;

  constructor(
    private readonly cluster: FakeCluster,
    readonly name: string,
    env: Record<string, string>,
  ) {
    this.address = `${name}.internal:8766`;
    this.directory = new SwitchableDirectory(cluster.memory);
    const loaded = loadConfig({
      REDIS_URL: 'redis://fake',
      INTERNAL_PORT: '8766',
      CLUSTER_SECRET: cluster.secret,
      POD_NAME: name,
      POD_ADDRESS: this.address,
      DIRECTORY_TTL_MS: '3000',
      DIRECTORY_REFRESH_MS: '500',
      MAX_ROOMS: '0',
      ...env,
    });
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    this.config = loaded.config;
    const logger = new AppLogger(false);
    this.rooms = new RoomsService(this.config, cluster.clock, this.stats, logger);
    this.ownership = new OwnershipService(
      this.config.cluster,
      this.directory,
      new RoomKeyDeriver(cluster.secret),
      this.rooms,
      cluster.network,
      cluster.clock,
      logger,
      this.metrics,
    );
    this.api = new InternalApi(this.rooms, this.ownership, () => ({ pod: name }));
  }

  /** Creates a p2p room here, as POST /rooms does (registered in the directory). */
  async createRoom(maxParticipants = 8): Promise<{ room: Room; joinToken: string }> {
    const { room, joinToken } = this.rooms.create({ mode: 'p2p', maxParticipants });
    await this.ownership.registration(room.id);
    return { room, joinToken: joinToken };
  }

  /**
   * A member joins through this pod, as the gateway does it: locate, then admit here, on the
   * owner (forwarded), or be refused. Resolves with where it ended and the member.
   */
  async join(
    roomId: string,
    clientId: string,
    joinToken: string,
  ): Promise<{
    outcome: 'joined' | 'missing' | 'unavailable';
    on?: string;
    member: RecordingMember;
  }> {
    const member = new RecordingMember(clientId);
    const route = await this.ownership.locate(roomId);
    const credentials = { tokenHash: hashJoinToken(joinToken), apiKeyOk: false };
    switch (route.kind) {
      case 'local':
      case 'missing': {
        if (this.rooms.get(roomId) === undefined) return { outcome: 'missing', member };
        this.rooms.join(roomId, member, credentials);
        return { outcome: 'joined', on: this.name, member };
      }
      case 'forward': {
        const owner = this.cluster.pod(route.podId);
        owner.rooms.join(roomId, member, credentials);
        return { outcome: 'joined', on: owner.name, member };
      }
      case 'unavailable':
        return { outcome: 'unavailable', member };
    }
  }

  /** Which pods hold a room (for split checks). */
  holds(roomId: string): boolean {
    return this.rooms.get(roomId) !== undefined;
  }

  pause(): void {
    this.cluster.network.pause(this.address);
  }

  resume(): void {
    this.cluster.network.resume(this.address);
  }

  /** kill -9: no drain, no release; requests to it are refused, its loops stop. */
  kill(): void {
    this.dead = true;
    this.cluster.network.kill(this.address);
    this.stop();
  }

  stop(): void {
    this.rooms.stop();
    void this.ownership.stop();
  }
}

interface Endpoint {
  handlers: InternalHandlers;
  paused: boolean;
  dead: boolean;
  queue: Array<() => void>;
}

/** The pod-to-pod network: Peers, delivered in memory to each pod's InternalApi. */
export class FakeNetwork implements Peers {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly holds: Array<{ route: string; address: string; queue: Array<() => void> }> = [];
  /** Every request made, in order: `<route> <to-address>`. */
  readonly log: string[] = [];

  constructor(
    private readonly clock: FakeClock,
    private readonly timeoutMs: number,
  ) {}

  attach(address: string, handlers: InternalHandlers): void {
    this.endpoints.set(address, { handlers, paused: false, dead: false, queue: [] });
  }

  pause(address: string): void {
    this.endpoint(address).paused = true;
  }

  /** The frozen pod runs what queued up meanwhile, in order (answers nobody waits for are lost). */
  resume(address: string): void {
    const endpoint = this.endpoint(address);
    endpoint.paused = false;
    for (const run of endpoint.queue.splice(0)) run();
  }

  kill(address: string): void {
    this.endpoint(address).dead = true;
  }

  /**
   * Answers of `route` requests to `address` are handled there but held on the wire until
   * `release()` — the moment between "the owner handed the room over" and "the claimer has it".
   */
  holdAnswers(route: string, address: string): { release(): void; readonly held: number } {
    const hold = { route, address, queue: [] as Array<() => void> };
    this.holds.push(hold);
    return {
      release: () => {
        this.holds.splice(this.holds.indexOf(hold), 1);
        for (const deliver of hold.queue.splice(0)) deliver();
      },
      get held() {
        return hold.queue.length;
      },
    };
  }

  handoff(address: string, roomId: string, request: HandoffRequest): Promise<HandoffReply> {
    return this.call(address, 'handoff', (h) => h.handoff(roomId, json(request)));
  }

  adopt(address: string, request: AdoptRequest): Promise<string[]> {
    return this.call(address, 'adopt', (h) => h.adopt(json(request)));
  }

  rooms(address: string, mode?: 'p2p' | 'support'): Promise<RoomView[]> {
    return this.call(address, 'rooms', (h) => h.rooms(mode));
  }

  room(address: string, roomId: string): Promise<RoomView | undefined> {
    return this.call(address, 'room', (h) => h.room(roomId));
  }

  close(
    address: string,
    roomId: string,
    tokenHash: JoinTokenHash | undefined,
  ): Promise<CloseOutcome> {
    return this.call(address, 'close', (h) => h.close(roomId, tokenHash));
  }

  putStandbys(address: string, batch: StandbyBatch): Promise<void> {
    return this.call(address, 'standby-put', (h) => h.putStandbys(json(batch)));
  }

  peekStandby(address: string, roomId: string): Promise<StandbyInfo | undefined> {
    return this.call(address, 'standby-peek', (h) => h.peekStandby(roomId));
  }

  takeStandby(address: string, roomId: string, owner: string): Promise<TakeReply> {
    return this.call(address, 'standby-take', (h) => h.takeStandby(roomId, owner));
  }

  stats(address: string): Promise<Record<string, unknown>> {
    return this.call(address, 'stats', (h) => h.stats());
  }

  private endpoint(address: string): Endpoint {
    const endpoint = this.endpoints.get(address);
    if (endpoint === undefined) throw new Error(`no pod at ${address}`);
    return endpoint;
  }

  private call<T>(
    address: string,
    route: string,
    handle: (h: InternalHandlers) => T | Promise<T>,
  ): Promise<T> {
    this.log.push(`${route} ${address}`);
    const endpoint = this.endpoints.get(address);
    if (endpoint === undefined || endpoint.dead)
      return Promise.reject(new PeerUnreachableError('connection refused'));
    return new Promise<T>((resolve, reject) => {
      let answered = false;
      const timer = this.clock.setTimeout(() => {
        if (answered) return;
        answered = true;
        reject(new PeerUnreachableError('timeout'));
      }, this.timeoutMs);
      const run = (): void => {
        Promise.resolve()
          .then(() => handle(endpoint.handlers))
          .then(
            (value) => {
              const deliver = (): void => {
                if (answered) return; // the caller gave up: this answer is lost on the wire
                answered = true;
                timer.cancel();
                resolve(value === undefined ? (undefined as T) : json(value));
              };
              const hold = this.holds.find((h) => h.route === route && h.address === address);
              if (hold === undefined) deliver();
              else hold.queue.push(deliver);
            },
            (error: unknown) => {
              if (answered) return;
              answered = true;
              timer.cancel();
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          );
      };
      if (endpoint.paused) endpoint.queue.push(run);
      else run();
    });
  }
}

/**
 * A pod's connection to the directory, which can be cut and restored like a Redis connection
 * (calls fail fast while down, state events fire). The cluster-wide one cuts every pod's.
 */
export class SwitchableDirectory implements RoomDirectory {
  private isDown = false;
  private readonly listeners = new Set<DirectoryEvents['state']>();

  constructor(
    readonly inner: MemoryRoomDirectory,
    private readonly fanOut: () => SwitchableDirectory[] = () => [],
  ) {}

  down(): void {
    for (const view of this.fanOut()) view.down();
    if (this.isDown) return;
    this.isDown = true;
    for (const l of this.listeners) l('down', 'up');
  }

  up(): void {
    for (const view of this.fanOut()) view.up();
    if (!this.isDown) return;
    this.isDown = false;
    for (const l of this.listeners) l('up', 'down');
  }

  claim(key: RoomKey, pod: string, ttl: number): Promise<ClaimResult> {
    return this.run(() => this.inner.claim(key, pod, ttl));
  }
  takeover(key: RoomKey, from: string, to: string, ttl: number): Promise<ClaimResult> {
    return this.run(() => this.inner.takeover(key, from, to, ttl));
  }
  lookup(key: RoomKey): Promise<string | undefined> {
    return this.run(() => this.inner.lookup(key));
  }
  refresh(keys: readonly RoomKey[], pod: string, ttl: number): Promise<RefreshResult> {
    return this.run(() => this.inner.refresh(keys, pod, ttl));
  }
  release(keys: readonly RoomKey[], pod: string): Promise<number> {
    return this.run(() => this.inner.release(keys, pod));
  }
  registerPod(pod: string, address: string, ttl: number): Promise<void> {
    return this.run(() => this.inner.registerPod(pod, address, ttl));
  }
  refreshPod(pod: string, ttl: number): Promise<boolean> {
    return this.run(() => this.inner.refreshPod(pod, ttl));
  }
  unregisterPod(pod: string): Promise<void> {
    return this.run(() => this.inner.unregisterPod(pod));
  }
  pods(): Promise<PodEntry[]> {
    return this.run(() => this.inner.pods());
  }
  health(): DirectoryHealth {
    return { backend: 'redis', state: this.isDown ? 'down' : 'up', sinceMs: 0 };
  }
  on<E extends keyof DirectoryEvents>(_event: E, listener: DirectoryEvents[E]): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }

  private run<T>(op: () => Promise<T>): Promise<T> {
    return this.isDown ? Promise.reject(new DirectoryUnavailableError()) : op();
  }
}

function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
