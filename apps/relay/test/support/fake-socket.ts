import { EventEmitter } from 'node:events';
import { decodeServerFrame, type ServerFrame } from '@nullroom/protocol';
import type WebSocket from 'ws';

/**
 * The part of a `ws` WebSocket the relay's gateway and Connection use, in memory: what was sent,
 * how it was closed. `bufferedAmount` is settable (a slow reader); `peerClose()` is the client
 * hanging up; `message()` is a frame from the client.
 */
export class FakeSocket extends EventEmitter {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Buffer[] = [];
  closedWith: { code: number; reason: string } | undefined;
  terminated = false;
  pings = 0;

  send(data: Buffer): void {
    this.sent.push(data);
  }

  /** The relay closes: the close frame goes out; the peer's answer comes later (`peerClose`). */
  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
    this.readyState = this.CLOSING;
  }

  terminate(): void {
    this.terminated = true;
    this.finish();
  }

  ping(): void {
    this.pings++;
  }

  pong(): void {
    this.emit('pong');
  }

  message(data: Buffer | string): void {
    const isBinary = typeof data !== 'string';
    this.emit('message', Buffer.from(data), isBinary);
  }

  peerClose(): void {
    this.finish();
  }

  frames(): ServerFrame[] {
    return this.sent.flatMap((b) => {
      const d = decodeServerFrame(b);
      return d.ok ? [d.frame] : [];
    });
  }

  asWs(): WebSocket {
    return this as unknown as WebSocket;
  }

  private finish(): void {
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSED;
    this.emit('close', this.closedWith?.code ?? 1006, Buffer.from(this.closedWith?.reason ?? ''));
  }
}
