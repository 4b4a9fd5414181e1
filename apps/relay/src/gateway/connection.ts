import type WebSocket from 'ws';
import {
  CloseCode,
  FrameErrorCode,
  MessageFlag,
  decodeClientFrame,
  encodeError,
  encodeMessageHeader,
} from '@nullroom/protocol';
import { TokenBucket } from '../abuse/token-bucket';
import { type Clock } from '../common/clock';
import { type RelayStats } from '../common/stats';
import { type Member } from '../rooms/member';
import { type Room } from '../rooms/room';

export interface ConnectionLimits {
  readonly maxBufferedBytes: number;
  readonly maxFramesPerSec: number;
  readonly maxBytesPerSec: number;
  readonly maxFrameBytes: number;
}

/** How long a closing socket may take to flush and answer our close frame before it is cut. */
export const CLOSE_TIMEOUT_MS = 5000;

/** A code-room verdict (CODE_ACCEPT / CODE_REJECT) read from this member: code-rooms/ decides. */
export type CodeVerdictHandler = (
  from: Connection,
  room: Room,
  guestId: string,
  accept: boolean,
) => void;

/**
 * One member's socket: the per-frame hot path lives here, in plain code. The MESSAGE headers
 * carrying this member's id are built once, at join; each inbound frame is decoded once, the
 * outbound frame built once (header + untouched payload) and handed to the room.
 */
export class Connection implements Member {
  alive = true;
  /** CALL_JOIN / CALL_LEAVE: header-only frames handed to the calls service (set at admission). */
  onCallFrame: ((type: 'call-join' | 'call-leave', room: Room) => void) | undefined;
  /** Set while a code-room guest proves the code: it may only SEND_TO its verifier. */
  onlyTo: string | undefined = undefined;
  private room: Room | undefined;
  private closing = false;
  private readonly frames: TokenBucket;
  private readonly bytes: TokenBucket;
  private readonly textHeader: Buffer;
  private readonly binaryHeader: Buffer;
  private readonly directHeader: Buffer;

  constructor(
    readonly clientId: string,
    private readonly ws: WebSocket,
    private readonly limits: ConnectionLimits,
    private readonly stats: RelayStats,
    private readonly clock: Clock,
    /** Called once when the relay or the peer ends this connection. */
    private readonly onGone: (connection: Connection, room: Room | undefined) => void,
    private readonly onCodeVerdict?: CodeVerdictHandler,
  ) {
    const now = clock.now();
    // Bursts: two seconds' worth, and never less than one maximum-size frame.
    this.frames = new TokenBucket(limits.maxFramesPerSec, limits.maxFramesPerSec * 2, now);
    this.bytes = new TokenBucket(
      limits.maxBytesPerSec,
      Math.max(limits.maxBytesPerSec * 2, limits.maxFrameBytes),
      now,
    );
    this.textHeader = Buffer.from(encodeMessageHeader(clientId, MessageFlag.TEXT));
    this.binaryHeader = Buffer.from(encodeMessageHeader(clientId, 0));
    this.directHeader = Buffer.from(encodeMessageHeader(clientId, MessageFlag.DIRECT));
  }

  attach(room: Room): void {
    this.room = room;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  deliver(frame: Buffer): void {
    if (this.closing) return;
    this.ws.send(frame);
    this.stats.framesOut++;
    this.stats.bytesOut += frame.length;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      // Stop queueing at once; the close frame goes out after what is already queued.
      this.stats.slowConsumerDisconnects++;
      this.end(CloseCode.SLOW_CONSUMER, 'slow consumer');
    }
  }

  end(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.stats.countClose(code);
    this.leaveRoom();
    const ws = this.ws;
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
      ws.close(code, reason);
      const timer = this.clock.setTimeout(() => ws.terminate(), CLOSE_TIMEOUT_MS);
      ws.once('close', () => timer.cancel());
    }
  }

  /** Cut without a close handshake (dead peer found by the heartbeat). */
  terminate(): void {
    this.closing = true;
    this.leaveRoom();
    this.ws.terminate();
  }

  ping(): void {
    if (!this.closing) this.ws.ping();
  }

  /** The socket closed (either side); idempotent. */
  closed(): void {
    this.closing = true;
    this.leaveRoom();
  }

  onMessage(data: Buffer, isBinary: boolean, now: number): void {
    this.alive = true;
    const room = this.room;
    if (this.closing || room === undefined) return;
    this.stats.framesIn++;
    this.stats.bytesIn += data.length;
    if (!this.frames.take(1, now) || !this.bytes.take(data.length, now)) {
      this.stats.rateLimitedDisconnects++;
      this.end(CloseCode.RATE_LIMITED, 'rate limit exceeded');
      return;
    }
    room.lastActivityAt = now;
    if (!isBinary) {
      if (this.onlyTo !== undefined) return this.notAdmitted();
      this.fanout(room, concat(this.textHeader, data, 0));
      return;
    }
    const decoded = decodeClientFrame(data);
    if (!decoded.ok) {
      this.stats.malformedFrames++;
      this.deliver(Buffer.from(encodeError(FrameErrorCode.MALFORMED_FRAME, decoded.error)));
      return;
    }
    const frame = decoded.frame;
    if (frame.type === 'send') {
      if (this.onlyTo !== undefined) return this.notAdmitted();
      this.fanout(room, concat(this.binaryHeader, data, frame.payloadOffset));
      return;
    }
    if (frame.type === 'call-join' || frame.type === 'call-leave') {
      // A code-room guest that has not proved the code is no member yet: no TURN credentials.
      if (this.onlyTo !== undefined) return this.notAdmitted();
      this.onCallFrame?.(frame.type, room);
      return;
    }
    if (frame.type === 'code-verdict') {
      // Verdicts are rare control frames (one per guest), never on the per-message path.
      if (this.onlyTo !== undefined) return this.notAdmitted();
      this.onCodeVerdict?.(this, room, frame.guest, frame.accept);
      return;
    }
    if (this.onlyTo !== undefined && frame.to !== this.onlyTo) return this.notAdmitted();
    const target = room.get(frame.to);
    if (target === undefined) {
      this.deliver(
        Buffer.from(encodeError(FrameErrorCode.UNKNOWN_RECIPIENT, 'no such member in this room')),
      );
      return;
    }
    target.deliver(concat(this.directHeader, data, frame.payloadOffset));
  }

  private notAdmitted(): void {
    this.deliver(
      Buffer.from(
        encodeError(
          FrameErrorCode.NOT_ADMITTED,
          'prove the code first: SEND_TO your verifier only',
        ),
      ),
    );
  }

  /** One frame to the room; timed for nullroom_fanout_duration_seconds while metrics are on. */
  private fanout(room: Room, frame: Buffer): void {
    const stats = this.stats;
    if (!stats.timeFanout) {
      room.broadcast(this, frame);
      return;
    }
    const started = performance.now();
    room.broadcast(this, frame);
    stats.fanout.observe((performance.now() - started) / 1000);
  }

  private leaveRoom(): void {
    const room = this.room;
    this.room = undefined;
    this.onGone(this, room);
  }
}

/** header + data[offset..]: the one copy per inbound frame. */
function concat(header: Buffer, data: Buffer, offset: number): Buffer {
  const out = Buffer.allocUnsafe(header.length + data.length - offset);
  header.copy(out, 0);
  data.copy(out, header.length, offset);
  return out;
}
