import { type AppLogger } from '../common/logger';
import { type RelayConfig } from '../config/config';
import { type RelayGateway } from '../gateway/relay.gateway';
import { type RoomsService } from '../rooms/rooms.service';

/**
 * Graceful shutdown (BRIEF "Drain"): turn unready and refuse new rooms and joins at once; after
 * DRAIN_GRACE_MS (time for load balancers to notice), close every member with 1012 and a jittered
 * retry delay so they do not all reconnect in the same millisecond; wait for the sockets, then let
 * the process exit. Nothing is migrated: nothing is stored.
 */
export class DrainService {
  private state: 'serving' | 'draining' = 'serving';

  constructor(
    private readonly config: RelayConfig['drain'],
    private readonly rooms: RoomsService,
    private readonly gateway: RelayGateway,
    private readonly logger: AppLogger,
  ) {}

  get draining(): boolean {
    return this.state === 'draining';
  }

  async drain(): Promise<void> {
    if (this.state === 'draining') return;
    this.state = 'draining';
    this.rooms.stopAccepting();
    this.gateway.stopAccepting();
    this.logger.log(
      `draining: ${this.gateway.size} connection(s), grace ${this.config.graceMs} ms`,
    );
    await new Promise((resolve) => setTimeout(resolve, this.config.graceMs));
    this.gateway.closeAllForRestart();
    await this.gateway.waitForClosed(this.config.timeoutMs);
    this.gateway.stop();
    this.rooms.stop();
    this.logger.log('drained');
  }
}
