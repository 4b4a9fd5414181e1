import { type Clock } from '../common/clock';
import { type AppLogger } from '../common/logger';
import { type RelayConfig } from '../config/config';
import { type RelayGateway } from '../gateway/relay.gateway';
import { type OwnershipService } from '../ownership/ownership.service';
import { type RoomsService } from '../rooms/rooms.service';
import { SpanName, traced } from '../tracing/spans';

/**
 * Graceful shutdown (BRIEF "Drain"): turn unready and refuse new rooms and joins at once; after
 * DRAIN_GRACE_MS (time for load balancers to notice), close every member with 1012 and a jittered
 * retry delay so they do not all reconnect in the same millisecond; wait for the sockets.
 *
 * In a cluster the emptied rooms are handed to successor pods (at most DRAIN_HANDOFF_MS), which
 * keep them for as long as their members could come back — the room's own idle limit — so a member
 * reconnecting late still finds its room through the directory (only the shape moves: mode, size,
 * token hash; there are no messages to move). Members reconnecting at once reach their room's new
 * ring pod, which claims the room from here or from its successor. What no successor took is
 * released, this pod unregisters, and the process exits.
 */
export class DrainService {
  private state: 'serving' | 'draining' = 'serving';
  private readonly hooks: Array<() => Promise<void>> = [];

  constructor(
    private readonly config: RelayConfig['drain'],
    private readonly rooms: RoomsService,
    private readonly gateway: RelayGateway,
    private readonly ownership: OwnershipService,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {}

  get draining(): boolean {
    return this.state === 'draining';
  }

  /** Runs after everything else (closing the internal listener, flushing spans). */
  onDrained(hook: () => Promise<void>): void {
    this.hooks.push(hook);
  }

  async drain(): Promise<void> {
    if (this.state === 'draining') return;
    await traced(SpanName.Drain, { 'nullroom.connections': this.gateway.size }, () => this.run());
  }

  private async run(): Promise<void> {
    this.state = 'draining';
    const clustered = this.ownership.clustered;
    this.rooms.stopAccepting(clustered);
    this.gateway.stopAccepting();
    this.logger.log(
      `draining: ${this.gateway.size} connection(s), grace ${this.config.graceMs} ms`,
    );
    await this.clock.sleep(this.config.graceMs);
    this.gateway.closeAllForRestart();
    await this.gateway.waitForClosed(this.config.timeoutMs);
    this.gateway.stop();
    if (clustered) {
      await this.ownership.handOver(this.config.handoffMs);
      for (const room of this.rooms.list()) this.rooms.end(room, 'drained');
      await this.ownership.releaseAll();
    }
    this.rooms.stop();
    await this.ownership.stop();
    for (const hook of this.hooks) await hook().catch(() => undefined);
    this.logger.log('drained');
  }
}
