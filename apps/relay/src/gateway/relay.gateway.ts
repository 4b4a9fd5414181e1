import { type IncomingMessage } from 'node:http';
import { Inject } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { SpanKind } from '@opentelemetry/api';
import type WebSocket from 'ws';
import { CloseCode, isCodeRoomId, isValidClientId, isValidRoomId } from '@nullroom/protocol';
import { clientAddress } from '../abuse/client-address';
import { AddressBuckets } from '../abuse/address-buckets';
import { CallsService } from '../calls/calls.service';
import { WindowLimiter } from '../abuse/window-limiter';
import { CodeRoomsService } from '../code-rooms/code-rooms.service';
import { Clock } from '../common/clock';
import { AppLogger } from '../common/logger';
import { RelayError, RelayErrorCode, toWsClose } from '../common/relay.exception';
import { restartReason } from '../common/restart-reason';
import { secretEquals } from '../common/secrets';
import { RelayStats } from '../common/stats';
import { RELAY_CONFIG, type RelayConfig } from '../config/config';
import { hashJoinToken } from '../rooms/join-token';
import { RoomsService } from '../rooms/rooms.service';
import { ClusterMetrics } from '../metrics/cluster-metrics';
import { extractTraceContext } from '../tracing/propagation';
import { ClusterAuth } from '../ownership/cluster-auth';
import { type ForwardedJoin } from '../ownership/forwarded-join';
import { PendingFrames, forward } from '../ownership/forwarder';
import { OwnershipService } from '../ownership/ownership.service';
import { SpanName, annotate, traced } from '../tracing/spans';
import { Connection } from './connection';

/** A join, reduced to what admission needs: secrets become a hash and a yes/no at the edge. */
type JoinParams = ForwardedJoin;

/** How often a drain checks whether every socket has closed. */
const CLOSE_POLL_MS = 25;

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
    @Inject(AddressBuckets) private readonly connectLimiter: AddressBuckets,
    @Inject(WindowLimiter) private readonly limiter: WindowLimiter,
    @Inject(OwnershipService) private readonly ownership: OwnershipService,
    @Inject(ClusterAuth) private readonly clusterAuth: ClusterAuth,
    @Inject(ClusterMetrics) private readonly clusterMetrics: ClusterMetrics,
    @Inject(CodeRoomsService) private readonly codeRooms: CodeRoomsService,
    @Inject(CallsService) private readonly calls: CallsService,
  ) {}

  afterInit(): void {
    this.heartbeat = this.clock.setInterval(() => this.beat(), this.config.ws.pingIntervalMs);
  }

  get size(): number {
    return this.connections.size;
  }

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    this.stats.connectionsTotal++;
    let params: JoinParams;
    try {
      params = this.screen(req);
    } catch (error) {
      this.refuse(ws, error);
      return;
    }
    if (!this.ownership.clustered) {
      this.tryAdmit(ws, params, []);
      return;
    }
    // Claim it (empty and elsewhere → it moves here), forward to its owner, or admit here.
    const pending = new PendingFrames(ws, this.config.ws.maxFrameBytes * 4);
    void this.ownership.locate(params.roomId).then(
      (route) => {
        if (ws.readyState !== ws.OPEN) return void pending.detach();
        if (route.kind === 'forward') {
          forward(ws, route.address, params, pending, {
            auth: this.clusterAuth,
            stats: this.stats,
            metrics: this.clusterMetrics,
            maxBufferedBytes: this.config.ws.maxBufferedBytes,
            maxFrameBytes: this.config.ws.maxFrameBytes,
            handshakeTimeoutMs: this.config.cluster.requestTimeoutMs,
            headers: this.tracePropagation(),
          });
          return;
        }
        const buffered = pending.detach();
        if (pending.overflowed) {
          this.refuse(
            ws,
            new RelayError(RelayErrorCode.RateLimited, 'too many frames before join'),
          );
          return;
        }
        if (route.kind === 'unavailable') {
          this.refuse(
            ws,
            new RelayError(RelayErrorCode.OwnerUnreachable, 'room owner unreachable, try again'),
          );
          return;
        }
        this.tryAdmit(ws, params, buffered);
      },
      () => this.refuse(ws, new RelayError(RelayErrorCode.Internal, 'internal error')),
    );
  }

  /** A member forwarded by another pod over the internal port: the public checks were done there. */
  handleForwarded(
    ws: WebSocket,
    join: ForwardedJoin,
    headers: IncomingMessage['headers'] = {},
  ): void {
    this.stats.connectionsTotal++;
    // The admission is a child of the ring pod's join span (W3C trace context on the hop).
    traced(
      SpanName.Forward,
      { 'nullroom.forward.direction': 'in' },
      () => {
        try {
          this.checkCapacity();
          this.tryAdmit(ws, join, []);
        } catch (error) {
          this.refuse(ws, error);
          return;
        }
        if (ws.readyState !== ws.OPEN) return;
        this.clusterMetrics.forwardOpened('in');
        ws.once('close', () => this.clusterMetrics.forwardClosed('in'));
      },
      { parent: extractTraceContext(headers), kind: SpanKind.SERVER },
    );
  }

  /** Headers for the forwarding hop (trace context); overridden by the tracing module. */
  tracePropagation: () => Record<string, string> = () => ({});

  private refuse(ws: WebSocket, error: unknown): void {
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
        ? restartReason(this.config.drain.reconnectJitterMs)
        : relayError.message;
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
  }

  /** Checks that need no room: draining, address rate, capacity, URL shape. */
  private screen(req: IncomingMessage): JoinParams {
    if (this.draining) throw new RelayError(RelayErrorCode.Draining, 'relay is restarting');
    const now = this.clock.now();
    const address = clientAddress(req, this.config.trustProxy);
    if (!this.connectLimiter.take(address, now)) {
      this.stats.wsConnectRateLimited++;
      throw new RelayError(RelayErrorCode.RateLimited, 'too many connection attempts');
    }
    this.checkCapacity();
    const params = this.parse(new URL(req.url ?? '/', 'http://relay.invalid').searchParams);
    // A tokenless join of a code room is a guess at its code: limited per address here, on the
    // pod the client reached (the owner may only see a forwarded connection).
    if (
      isCodeRoomId(params.roomId) &&
      params.tokenHash === undefined &&
      this.limiter.hit('code', address, this.config.rateLimit.codeAttemptsMax, now) > 0
    ) {
      this.stats.codeAttemptsRateLimited++;
      throw new RelayError(RelayErrorCode.RateLimited, 'too many code attempts');
    }
    return params;
  }

  /** Draining, or at MAX_CONNECTIONS (members here plus sockets this pod forwards elsewhere). */
  private checkCapacity(): void {
    if (this.draining) throw new RelayError(RelayErrorCode.Draining, 'relay is restarting');
    const max = this.config.limits.maxConnections;
    if (max > 0 && this.connections.size + this.clusterMetrics.forwardedOpen.out >= max) {
      throw new RelayError(RelayErrorCode.ServerFull, 'relay is at its connection limit');
    }
  }

  /** The public URL → a join; the token becomes its hash and the API key a yes/no right here. */
  private parse(query: URLSearchParams): JoinParams {
    const roomId = query.get('roomId');
    const clientId = query.get('clientId');
    if (!isValidRoomId(roomId)) {
      throw new RelayError(RelayErrorCode.InvalidRequest, 'roomId: missing or not a UUID');
    }
    if (!isValidClientId(clientId)) {
      throw new RelayError(RelayErrorCode.InvalidRequest, 'clientId: missing or invalid');
    }
    // An empty token is no token (a code-room guest's URL may carry `joinToken=`).
    const joinToken = query.get('joinToken') || undefined;
    const apiKey = query.get('apiKey') ?? undefined;
    return {
      roomId,
      clientId,
      ...(joinToken === undefined ? {} : { tokenHash: hashJoinToken(joinToken) }),
      apiKeyOk: secretEquals(apiKey, this.config.auth.apiKey),
    };
  }

  private tryAdmit(ws: WebSocket, params: JoinParams, buffered: Array<[Buffer, boolean]>): void {
    try {
      const connection = traced(SpanName.RoomJoin, {}, () => this.admit(ws, params));
      for (const [data, isBinary] of buffered)
        connection.onMessage(data, isBinary, this.clock.now());
    } catch (error) {
      this.refuse(ws, error);
    }
  }

  private admit(ws: WebSocket, params: JoinParams): Connection {
    const limits = this.config.ws;
    const connection = new Connection(
      params.clientId,
      ws,
      limits,
      this.stats,
      this.clock,
      (conn, room) => {
        if (room === undefined) return;
        this.calls.leave(room, conn);
        this.rooms.leave(room, conn);
      },
      (from, room, guestId, accept) => this.codeRooms.verdict(room, from, guestId, accept),
    );
    const room = this.rooms.join(params.roomId, connection, {
      ...(params.tokenHash === undefined ? {} : { tokenHash: params.tokenHash }),
      apiKeyOk: params.apiKeyOk,
    });
    connection.attach(room);
    connection.onCallFrame = (type, at) =>
      type === 'call-join' ? this.calls.join(at, connection) : this.calls.leave(at, connection);
    annotate({ 'nullroom.room.mode': room.mode, 'nullroom.room.participants': room.size });
    this.connections.add(connection);
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
      connection.closed();
    });
    return connection;
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
      connection.end(CloseCode.SERVICE_RESTART, restartReason(this.config.drain.reconnectJitterMs));
    }
  }

  /** Resolves when every socket is closed, or after `timeoutMs`, cutting what is left. */
  async waitForClosed(timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    while (this.connections.size > 0 && this.clock.now() < deadline) {
      await this.clock.sleep(CLOSE_POLL_MS);
    }
    for (const connection of [...this.connections]) connection.terminate();
  }

  stop(): void {
    this.heartbeat?.cancel();
  }
}
