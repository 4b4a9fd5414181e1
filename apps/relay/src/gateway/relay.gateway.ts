import { type IncomingMessage } from 'node:http';
import { Inject } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type WebSocket from 'ws';
import { CloseCode, encodeRestartReason, isValidClientId, isValidRoomId } from '@nullroom/protocol';
import { clientAddress } from '../abuse/client-address';
import { WindowLimiter } from '../abuse/window-limiter';
import { Clock } from '../common/clock';
import { AppLogger } from '../common/logger';
import { RelayError, RelayErrorCode, toWsClose } from '../common/relay.exception';
import { RelayStats } from '../common/stats';
import { RELAY_CONFIG, type RelayConfig } from '../config/config';
import { RoomsService } from '../rooms/rooms.service';
import { Connection } from './connection';

/**
 * WebSocket endpoint `/ws?roomId=&clientId=&joinToken=&apiKey=` (seed 000). Connection lifecycle
 * only: admission, heartbeat, drain. Frames are handled by Connection.onMessage.
 *
 * Refusals are sent as a close frame with a documented code after the upgrade, not as an HTTP
 * error before it: browsers hide the status of a failed upgrade (they report only 1006), but
 * they do show the close code and reason.
 */
@WebSocketGateway({ path: '/ws' })
export class RelayGateway implements OnGatewayConnection, OnGatewayInit {
  private readonly connections = new Set<Connection>();
  private heartbeat: { cancel(): void } | undefined;
  private draining = false;

  constructor(
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
    @Inject(RoomsService) private readonly rooms: RoomsService,
    @Inject(RelayStats) private readonly stats: RelayStats,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppLogger) private readonly logger: AppLogger,
    @Inject(WindowLimiter) private readonly limiter: WindowLimiter,
  ) {}

  afterInit(): void {
    this.heartbeat = this.clock.setInterval(() => this.beat(), this.config.ws.pingIntervalMs);
  }

  get size(): number {
    return this.connections.size;
  }

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    this.stats.connectionsTotal++;
    try {
      this.admit(ws, req);
    } catch (error) {
      const relayError =
        error instanceof RelayError
          ? error
          : new RelayError(RelayErrorCode.Internal, 'internal error');
      if (!(error instanceof RelayError))
        this.logger.error('unexpected error admitting a connection');
      const code = toWsClose(relayError.code);
      this.stats.countClose(code);
      const reason =
        code === CloseCode.SERVICE_RESTART
          ? encodeRestartReason(this.retryDelay())
          : relayError.message;
      ws.close(code, reason);
    }
  }

  private admit(ws: WebSocket, req: IncomingMessage): void {
    if (this.draining) throw new RelayError(RelayErrorCode.Draining, 'relay is restarting');
    const now = this.clock.now();
    const { ws: limits, rateLimit, http } = this.config;
    const address = clientAddress(req, http.trustProxyHops);
    if (this.limiter.hit('ws', address, rateLimit.wsConnectMax, now) > 0) {
      throw new RelayError(RelayErrorCode.RateLimited, 'too many connection attempts');
    }
    if (limits.maxConnections > 0 && this.connections.size >= limits.maxConnections) {
      throw new RelayError(RelayErrorCode.ServerFull, 'relay is at its connection limit');
    }
    const query = new URL(req.url ?? '/', 'http://relay.invalid').searchParams;
    const roomId = query.get('roomId');
    const clientId = query.get('clientId');
    if (!isValidRoomId(roomId)) {
      throw new RelayError(RelayErrorCode.InvalidRequest, 'roomId: missing or not a UUID');
    }
    if (!isValidClientId(clientId)) {
      throw new RelayError(RelayErrorCode.InvalidRequest, 'clientId: missing or invalid');
    }
    const connection = new Connection(
      clientId,
      ws,
      { ...limits, maxFrameBytes: limits.maxFrameBytes },
      this.stats,
      (conn, room) => {
        if (room !== undefined) this.rooms.leave(room, conn);
      },
      now,
    );
    const room = this.rooms.join(roomId, connection, {
      joinToken: query.get('joinToken') ?? undefined,
      apiKey: query.get('apiKey') ?? undefined,
    });
    connection.attach(room);
    this.connections.add(connection);
    this.stats.connectionsOpen++;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        connection.onMessage(data, isBinary, this.clock.now());
      } catch {
        // Never let one frame take the process down; this connection is the only casualty.
        this.logger.error('unexpected error handling a frame');
        connection.end(CloseCode.INTERNAL_ERROR, 'internal error');
      }
    });
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.once('close', () => {
      this.connections.delete(connection);
      this.stats.connectionsOpen--;
      connection.closed();
    });
  }

  /** Pings every member; one that did not answer the previous ping is cut (RFC 6455 §5.5.2). */
  private beat(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }

  /** Drain, step one: refuse new connections. */
  stopAccepting(): void {
    this.draining = true;
  }

  /** Drain, step two: every member is told to reconnect after its own random delay. */
  closeAllForRestart(): void {
    for (const connection of [...this.connections]) {
      connection.end(CloseCode.SERVICE_RESTART, encodeRestartReason(this.retryDelay()));
    }
  }

  /** Resolves when every socket is closed, or after `timeoutMs`, cutting what is left. */
  async waitForClosed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    for (const connection of this.connections) connection.terminate();
  }

  stop(): void {
    this.heartbeat?.cancel();
  }

  private retryDelay(): number {
    return Math.floor(Math.random() * this.config.drain.reconnectJitterMs);
  }
}
