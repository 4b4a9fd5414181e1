import WebSocket from 'ws';
import { CloseCode } from '@nullroom/protocol';
import { REROUTE_JITTER_MS, restartReason } from '../common/restart-reason';
import { type RelayStats } from '../common/stats';
import { type ClusterMetrics } from '../metrics/cluster-metrics';
import { CLUSTER_AUTH_HEADER, type ClusterAuth } from './cluster-auth';
import { encodeForwardedJoin, type ForwardedJoin } from './forwarded-join';
import { InternalPath } from './peer-api';

/** Frames a client sent before its route was known (claim or forward takes a round trip). */
export class PendingFrames {
  private frames: Array<[Buffer, boolean]> = [];
  private bytes = 0;
  private readonly listener = (data: Buffer, isBinary: boolean): void => {
    this.frames.push([data, isBinary]);
    this.bytes += data.length;
    if (this.frames.length > 64 || this.bytes > this.maxBytes) {
      this.overflowed = true;
      this.detach();
    }
  };
  overflowed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly maxBytes: number,
  ) {
    ws.on('message', this.listener);
  }

  detach(): Array<[Buffer, boolean]> {
    this.ws.off('message', this.listener);
    const frames = this.frames;
    this.frames = [];
    return frames;
  }
}

export interface ForwardDeps {
  readonly auth: ClusterAuth;
  readonly stats: RelayStats;
  readonly metrics: ClusterMetrics;
  readonly maxBufferedBytes: number;
  readonly maxFrameBytes: number;
  /** The owner's upgrade must answer within this (CLUSTER_REQUEST_TIMEOUT_MS). */
  readonly handshakeTimeoutMs: number;
  /** Extra headers on the upgrade (trace context). */
  readonly headers?: Record<string, string>;
}

/**
 * The forwarding hop: a member whose room lives on another pod is proxied to the owner's
 * internal port. Frames pass through untouched in both directions (text stays text, binary stays
 * binary; nothing is decoded here — the owner does all checks), and close codes are propagated.
 * The upgrade carries the join as the owner needs it (forwarded-join.ts): no token, no key.
 */
export function forward(
  client: WebSocket,
  address: string,
  join: ForwardedJoin,
  pending: PendingFrames,
  deps: ForwardDeps,
): void {
  const target = `${InternalPath.ws}?${encodeForwardedJoin(join)}`;
  const upstream = new WebSocket(`ws://${address}${target}`, {
    headers: { ...deps.headers, [CLUSTER_AUTH_HEADER]: deps.auth.sign('GET', target) },
    perMessageDeflate: false,
    maxPayload: deps.maxFrameBytes + 1024,
    handshakeTimeout: deps.handshakeTimeoutMs,
  });
  let opened = false;
  let done = false;
  deps.metrics.forwardOpened('out');

  const finish = (code: number, reason: string): void => {
    if (done) return;
    done = true;
    deps.metrics.forwardClosed('out');
    deps.stats.countClose(code);
    if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING)
      client.close(code, reason);
    if (upstream.readyState === WebSocket.OPEN) upstream.close(1000);
    else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
  };

  upstream.on('open', () => {
    opened = true;
    if (pending.overflowed) return finish(CloseCode.RATE_LIMITED, 'too many frames before join');
    for (const [data, isBinary] of pending.detach()) upstream.send(data, { binary: isBinary });
    client.on('message', (data: Buffer, isBinary: boolean) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    });
  });
  upstream.on('message', (data: Buffer, isBinary: boolean) => {
    if (done) return;
    client.send(data, { binary: isBinary });
    if (client.bufferedAmount > deps.maxBufferedBytes) {
      deps.stats.slowConsumerDisconnects++;
      finish(CloseCode.SLOW_CONSUMER, 'slow consumer');
    }
  });
  upstream.on('close', (code: number, reason: Buffer) => {
    // 1005 (no code) and 1006 (connection lost: the owner died) are not sendable; the owner
    // going away means the member should come back through the ring.
    if (code === 1005) return finish(CloseCode.NORMAL, '');
    if (code === 1006 || code < 1000) {
      return finish(CloseCode.SERVICE_RESTART, restartReason(REROUTE_JITTER_MS));
    }
    finish(code, reason.toString());
  });
  upstream.on('unexpected-response', () => finish(CloseCode.INTERNAL_ERROR, 'forwarding refused'));
  upstream.on('error', () => {
    if (!opened) finish(CloseCode.TRY_AGAIN_LATER, 'room owner unreachable, try again');
  });
  client.on('close', () => finish(CloseCode.NORMAL, ''));
  client.on('error', () => undefined);
}
