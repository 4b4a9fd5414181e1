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
 * In a cluster the emptied rooms stay for DRAIN_HANDOFF_MS: members reconnect through the ingress
 * to their room's new ring pod, which claims the room from here (only its shape moves — mode,
 * size, token; there are no messages to move). What nobody claimed is then released from the
 * directory, this pod unregisters, and the process exits.
 */
export class DrainService {
  private state: 'serving' | 'draining' = 'serving';
  private readonly hooks: Array<() => Promise<void>> = [];

  constructor(
    private readonly config: RelayConfig['drain'],
    private readonly rooms: RoomsService,
    private readonly gateway: RelayGateway,
    private readonly ownership: OwnershipService,
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
    await sleep(this.config.graceMs);
    this.gateway.closeAllForRestart();
    await this.gateway.waitForClosed(this.config.timeoutMs);
    this.gateway.stop();
    if (clustered) {
      const deadline = Date.now() + this.config.handoffMs;
      while (this.rooms.count > 0 && Date.now() < deadline) await sleep(50);
      for (const room of this.rooms.list()) this.rooms.end(room, 'drained');
      await this.ownership.releaseAll();
    }
    this.rooms.stop();
    await this.ownership.stop();
    for (const hook of this.hooks) await hook().catch(() => undefined);
    this.logger.log('drained');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
