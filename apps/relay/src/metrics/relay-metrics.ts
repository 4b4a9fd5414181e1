import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { CloseCode, type RoomMode } from '@nullroom/protocol';
import { type RelayStats } from '../common/stats';
import {
  CLAIM_OUTCOMES,
  type ClusterMetrics,
  DIRECTORY_ERROR_KINDS,
  DIRECTORY_OPS,
  FORWARD_DIRECTIONS,
  HANDOVER_OUTCOMES,
} from './cluster-metrics';
import { HistogramCollector } from './histogram-collector';

const EVENT_LOOP_SAMPLE_MS = 50;

/** The calls service's counts (CallsService): no room, no member, no call id. */
export interface CallCounts {
  readonly started: number;
  readonly ended: number;
  readonly active: number;
  readonly participants: number;
  readonly credentialsIssued: number;
  readonly refused: { readonly full: number; readonly disabled: number };
}

/** What the metrics read at scrape time. Plain functions, so a test can pass literals. */
export interface MetricsSources {
  readonly stats: RelayStats;
  readonly calls: CallCounts;
  readonly cluster: ClusterMetrics;
  /** MAX_ROOMS and MAX_CONNECTIONS (0 = unlimited). */
  readonly limits: { readonly maxRooms: number; readonly maxConnections: number };
  roomsByMode(): Readonly<Record<RoomMode, number>>;
  connections(): number;
  draining(): boolean;
}

export const ROOM_MODES: readonly RoomMode[] = ['p2p', 'support', 'code'];
/** Pre-created series, so dashboards and alerts see zeroes rather than nothing. */
export const ROOM_CLOSE_REASONS = [
  'closed',
  'expired',
  'destroyed',
  'empty',
  'drained',
  'locked',
] as const;
export const RATE_LIMIT_KINDS = ['http', 'ws_connect', 'ws_frames', 'code_attempts'] as const;
export const CODE_ATTEMPT_OUTCOMES = [
  'accepted',
  'wrong_code',
  'timeout',
  'abandoned',
  'verifier_left',
] as const;

/**
 * Every Nullroom metric, on its own prom-client registry. The relay's hot path only bumps plain
 * numbers (RelayStats, ClusterMetrics); the `collect` callbacks below copy them into the
 * Prometheus series when /metrics is scraped, so a frame costs no prom-client call. The only
 * series updated as they happen are HTTP requests (per request, not per frame).
 *
 * Labels take values from closed sets only: room mode, close reason, close code, rate-limit kind,
 * route template, method, status, cluster outcomes. Never a room id, token, client id or IP.
 */
export class RelayMetrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;

  constructor(sources: MetricsSources, options: { readonly defaultMetrics?: boolean } = {}) {
    const { stats, cluster } = sources;
    const registers = [this.registry];
    // The fan-out loop is timed only while someone can read the result.
    stats.timeFanout = true;

    new Gauge({
      name: 'nullroom_connections',
      help: 'Open WebSocket connections of room members on this pod.',
      registers,
      collect() {
        this.set(sources.connections());
      },
    });
    new Gauge({
      name: 'nullroom_connections_max',
      help: 'MAX_CONNECTIONS: the per-pod connection limit (0 = unlimited).',
      registers,
      collect() {
        this.set(sources.limits.maxConnections);
      },
    });
    mirror(
      'nullroom_connections_total',
      'WebSocket upgrades accepted, including those then refused with a close code.',
      () => stats.connectionsTotal,
    );
    new Gauge({
      name: 'nullroom_rooms',
      help: 'Rooms held in RAM on this pod, by mode.',
      labelNames: ['mode'],
      registers,
      collect() {
        const byMode = sources.roomsByMode();
        for (const mode of ROOM_MODES) this.set({ mode }, byMode[mode]);
      },
    });
    new Gauge({
      name: 'nullroom_rooms_max',
      help: 'MAX_ROOMS: the per-pod room limit (0 = unlimited).',
      registers,
      collect() {
        this.set(sources.limits.maxRooms);
      },
    });
    mirror('nullroom_rooms_created_total', 'Rooms created on this pod.', () => stats.roomsCreated);
    mirrorLabelled(
      'nullroom_rooms_closed_total',
      'Rooms ended on this pod, by reason: closed (API), expired (idle), destroyed (third support join), empty (last member left), drained, locked (code room: too many wrong codes).',
      'reason',
      () => {
        const reasons = new Map<string, number>(ROOM_CLOSE_REASONS.map((r) => [r, 0]));
        for (const [reason, n] of stats.roomsClosedByReason) reasons.set(reason, n);
        return reasons;
      },
    );
    mirror(
      'nullroom_frames_received_total',
      'WebSocket frames received from room members.',
      () => stats.framesIn,
    );
    mirror(
      'nullroom_received_bytes_total',
      'Bytes of WebSocket frames received from room members.',
      () => stats.bytesIn,
    );
    mirror(
      'nullroom_frames_sent_total',
      'WebSocket frames queued to room members (one per recipient).',
      () => stats.framesOut,
    );
    mirror(
      'nullroom_sent_bytes_total',
      'Bytes of WebSocket frames queued to room members.',
      () => stats.bytesOut,
    );
    mirror(
      'nullroom_malformed_frames_total',
      'Binary frames whose relay header did not decode (answered with an error frame).',
      () => stats.malformedFrames,
    );
    new HistogramCollector(
      'nullroom_fanout_duration_seconds',
      'Time to hand one inbound frame to every other member of its room.',
      () => [[{}, stats.fanout]],
    ).register(this.registry);
    mirror(
      'nullroom_slow_consumer_disconnects_total',
      'Members disconnected (close 4003) because their unsent bytes passed WS_MAX_BUFFERED_BYTES.',
      () => stats.slowConsumerDisconnects,
    );
    mirrorLabelled(
      'nullroom_rate_limited_total',
      'Requests refused by a rate limit: http (429), ws_connect (close 4429 at the upgrade), ws_frames (member over its frame or byte rate, close 4429), code_attempts (code-room guests per address, close 4429).',
      'kind',
      () => [
        ['http', stats.httpRateLimited],
        ['ws_connect', stats.wsConnectRateLimited],
        ['ws_frames', stats.rateLimitedDisconnects],
        ['code_attempts', stats.codeAttemptsRateLimited],
      ],
    );
    mirrorLabelled(
      'nullroom_code_attempts_total',
      'Code-room guest attempts, by outcome: accepted (a member confirmed the PAKE), wrong_code, timeout, abandoned (guest left), verifier_left. All but accepted count toward CODE_MAX_FAILED_ATTEMPTS.',
      'outcome',
      () => CODE_ATTEMPT_OUTCOMES.map((o) => [o, stats.codeAttempts.get(o) ?? 0]),
    );
    mirrorLabelled(
      'nullroom_ws_closes_total',
      'WebSocket close frames sent by the relay, by close code (docs/protocol.md lists them).',
      'code',
      () => {
        const codes = new Map<string, number>();
        for (const code of Object.values(CloseCode)) codes.set(String(code), 0);
        for (const [code, n] of stats.closesByCode) codes.set(String(code), n);
        return codes;
      },
    );
    this.httpRequests = new Counter({
      name: 'nullroom_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    new Gauge({
      name: 'nullroom_draining',
      help: '1 from SIGTERM until exit: the pod is unready, refuses new work and closes members with 1012.',
      registers,
      collect() {
        this.set(sources.draining() ? 1 : 0);
      },
    });
    mirror(
      'nullroom_drains_total',
      'Drains started by this process (0 or 1; sum it across pods).',
      () => (sources.draining() ? 1 : 0),
    );

    // Calls: what the relay knows of them is CALL_JOIN / CALL_LEAVE (docs/calls.md).
    const { calls } = sources;
    new Gauge({
      name: 'nullroom_calls_active',
      help: 'Rooms on this pod with a call: at least one member joined it (CALL_JOIN) and has not left.',
      registers,
      collect() {
        this.set(calls.active);
      },
    });
    new Gauge({
      name: 'nullroom_call_participants',
      help: 'Members on this pod taking part in a call (the caller counts from the moment it rings).',
      registers,
      collect() {
        this.set(calls.participants);
      },
    });
    mirror(
      'nullroom_calls_started_total',
      "Calls started on this pod: a room's first member joined its call.",
      () => calls.started,
    );
    mirror(
      'nullroom_calls_ended_total',
      "Calls ended on this pod: a room's last call member left (hung up, disconnected, room ended).",
      () => calls.ended,
    );
    mirror(
      'nullroom_turn_credentials_issued_total',
      'Expiring TURN credentials handed to call members (one per CALL_JOIN, refreshes included).',
      () => calls.credentialsIssued,
    );
    mirrorLabelled(
      'nullroom_call_joins_refused_total',
      'CALL_JOIN refused: full (CALL_MAX_PARTICIPANTS reached), disabled (calls off).',
      'reason',
      () => [
        ['full', calls.refused.full],
        ['disabled', calls.refused.disabled],
      ],
    );

    // Cluster. In the embedded single-pod mode these stay at zero (directory_up at 1).
    new Gauge({
      name: 'nullroom_forwarded_connections',
      help: 'Open forwarded sockets: out = relayed from this pod to the owner, in = relayed to a room owned here.',
      labelNames: ['direction'],
      registers,
      collect() {
        for (const direction of FORWARD_DIRECTIONS)
          this.set({ direction }, cluster.forwardedOpen[direction]);
      },
    });
    mirrorLabelled(
      'nullroom_forwarded_connections_total',
      'Forwarded sockets opened, by direction.',
      'direction',
      () => FORWARD_DIRECTIONS.map((d) => [d, cluster.forwardedTotal[d]]),
    );
    mirrorLabelled(
      'nullroom_claims_total',
      'Joins for a room held elsewhere, by result: won (it moved here), recovered (from its standby, owner gone), lost (forwarded to the owner), error (owner alive but silent: told to retry).',
      'result',
      () => CLAIM_OUTCOMES.map((o) => [o, cluster.claims[o]]),
    );
    mirrorLabelled(
      'nullroom_drain_handovers_total',
      'Rooms a draining pod still held after closing its members: adopted (a successor took them), released (none could).',
      'result',
      () => HANDOVER_OUTCOMES.map((o) => [o, cluster.handovers[o]]),
    );
    new Counter({
      name: 'nullroom_directory_operations_total',
      help: 'Room directory calls, by operation and result (ok or error).',
      labelNames: ['op', 'result'],
      registers,
      collect() {
        this.reset();
        for (const op of DIRECTORY_OPS) {
          this.inc({ op, result: 'ok' }, cluster.directoryOk[op]);
          this.inc({ op, result: 'error' }, cluster.directoryFailed[op]);
        }
      },
    });
    mirrorLabelled(
      'nullroom_directory_errors_total',
      'Failed room directory calls, by kind: unavailable (Redis down or slow), protocol, closed, other.',
      'kind',
      () => DIRECTORY_ERROR_KINDS.map((k) => [k, cluster.directoryErrors[k]]),
    );
    new HistogramCollector<'op'>(
      'nullroom_directory_operation_duration_seconds',
      'Duration of room directory calls, by operation.',
      () => DIRECTORY_OPS.map((op) => [{ op }, cluster.directoryDurations[op]] as const),
    ).register(this.registry);
    new Gauge({
      name: 'nullroom_directory_up',
      help: '1 while the room directory answers (always 1 for the embedded memory directory).',
      registers,
      collect() {
        this.set(cluster.directoryUp ? 1 : 0);
      },
    });

    // The event-loop lag monitor samples every EVENT_LOOP_SAMPLE_MS: prom-client's default of
    // 10 ms costs about 1 % of a core on an idle pod (100 wake-ups a second); at 50 ms it is
    // under 0.1 %, and a blocked loop still shows in full (lag is measured, not sampled away).
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({
        register: this.registry,
        eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
      });
    }

    /** A counter that copies a plain monotonic number at scrape time. */
    function mirror(name: string, help: string, read: () => number): void {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    }

    function mirrorLabelled(
      name: string,
      help: string,
      label: string,
      read: () => Iterable<readonly [string, number]>,
    ): void {
      new Counter({
        name,
        help,
        labelNames: [label],
        registers,
        collect() {
          this.reset();
          for (const [value, n] of read()) this.inc({ [label]: value }, n);
        },
      });
    }
  }

  /** Called once per answered HTTP request with label values from http-route.ts. */
  countHttp(route: string, method: string, status: number): void {
    this.httpRequests.inc({ route, method, status: String(status) });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
