import WebSocket from 'ws';
import { CloseCode, encodeRestartReason } from '@nullroom/protocol';
import { type RelayStats } from '../common/stats';
import { CLUSTER_AUTH_HEADER, type ClusterAuth } from './cluster-auth';

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

/**
 * The forwarding hop: a member whose room lives on another pod is proxied to the owner's
 * internal port. Frames pass through untouched in both directions (text stays text, binary stays
 * binary; nothing is decoded here — the owner does all checks), and close codes are propagated.
 */
export function forward(
  client: WebSocket,
  address: string,
  query: URLSearchParams,
  pending: PendingFrames,
  deps: {
    auth: ClusterAuth;
    stats: RelayStats;
    maxBufferedBytes: number;
    maxFrameBytes: number;
    headers?: Record<string, string>;
    onClose: () => void;
  },
): void {
  const path = `/internal/ws?${query.toString()}`;
  const upstream = new WebSocket(`ws://${address}${path}`, {
    headers: { ...deps.headers, [CLUSTER_AUTH_HEADER]: deps.auth.sign('GET', path) },
    perMessageDeflate: false,
    maxPayload: deps.maxFrameBytes + 1024,
  });
  let opened = false;
  let done = false;
  deps.stats.forwardedConnections++;
  deps.stats.forwardedConnectionsTotal++;

  const finish = (code: number, reason: string): void => {
    if (done) return;
    done = true;
    deps.stats.forwardedConnections--;
    deps.stats.countClose(code);
    if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING)
      client.close(code, reason);
    if (upstream.readyState === WebSocket.OPEN) upstream.close(1000);
    else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    deps.onClose();
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
    if (client.bufferedAmount > deps.maxBufferedBytes)
      finish(CloseCode.SLOW_CONSUMER, 'slow consumer');
  });
  upstream.on('close', (code: number, reason: Buffer) => {
    // 1005 (no code) and 1006 (connection lost: the owner died) are not sendable; the owner
    // going away means the member should come back through the ring.
    if (code === 1005) return finish(CloseCode.NORMAL, '');
    if (code === 1006 || code < 1000) {
      return finish(
        CloseCode.SERVICE_RESTART,
        encodeRestartReason(Math.floor(Math.random() * 1000)),
      );
    }
    finish(code, reason.toString());
  });
  upstream.on('unexpected-response', () => finish(CloseCode.INTERNAL_ERROR, 'forwarding refused'));
  upstream.on('error', () => {
    if (!opened) finish(CloseCode.TRY_AGAIN_LATER, 'room owner unreachable');
  });
  client.on('close', () => finish(CloseCode.NORMAL, ''));
  client.on('error', () => undefined);
}
