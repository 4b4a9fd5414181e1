import WebSocket from 'ws';
import { CloseCode, decodeRestartReason, decodeServerFrame, encodeSend } from '@nullroom/protocol';

/**
 * A chat member as a real client behaves: joins through the ingress, sends numbered frames,
 * records what it receives per sender, and reconnects the way libs/client does — after
 * `retryMs` on 1012, with backoff on 1006/1011/1013 — with the same clientId and token.
 */
export class ClusterMember {
  /** Per sender: the sequence numbers received, in order. */
  readonly received = new Map<string, number[]>();
  readonly closes: number[] = [];
  /** The other members this one knows are in the room (WELCOME, JOINED, LEFT). */
  readonly peers = new Set<string>();
  /** Extra wait on top of a 1012's advised `retryMs`: a phone waking up, a slow network. */
  reconnectLateMs = 0;
  readonly reasons: string[] = [];
  connects = 0;
  sent = 0;
  joined = false;
  stopped = false;
  /** Set once the member has ever been disconnected (it no longer "stayed connected"). */
  interrupted = false;
  private ws: WebSocket | undefined;
  private welcome: (() => void) | undefined;
  /** Fails a pending connect() when the member gives up (a close it does not retry). */
  private gaveUp: ((error: Error) => void) | undefined;

  constructor(
    readonly url: () => string,
    readonly roomId: string,
    readonly clientId: string,
    readonly joinToken: string,
  ) {}

  async connect(timeoutMs = 10_000): Promise<void> {
    const joined = new Promise<void>((resolve, reject) => {
      this.welcome = resolve;
      this.gaveUp = reject;
    });
    this.open();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        joined,
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            const closes = this.closes.map((c, i) => `${c} ${this.reasons[i]}`.trim());
            reject(
              new Error(
                `${this.clientId}: no WELCOME in ${timeoutMs} ms after ${this.connects} ` +
                  `attempt(s); closes: ${closes.join(' | ') || 'none'}`,
              ),
            );
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends the next numbered frame: 4-byte sequence + padding. */
  send(): void {
    if (!this.joined || this.ws?.readyState !== WebSocket.OPEN) return;
    const payload = Buffer.alloc(64);
    payload.writeUInt32BE(this.sent++, 0);
    this.ws.send(encodeSend(payload));
  }

  close(): void {
    this.stopped = true;
    this.ws?.close();
  }

  terminate(): void {
    this.stopped = true;
    this.ws?.terminate();
  }

  private open(): void {
    // A reconnect timer may fire after terminate(): a stopped member never opens again.
    if (this.stopped) return;
    const query = new URLSearchParams({
      roomId: this.roomId,
      clientId: this.clientId,
      joinToken: this.joinToken,
    });
    const ws = new WebSocket(`${this.url()}?${query.toString()}`, { perMessageDeflate: false });
    this.ws = ws;
    this.connects++;
    ws.on('message', (data: Buffer) => {
      const decoded = decodeServerFrame(data);
      if (!decoded.ok) return;
      const frame = decoded.frame;
      if (frame.type === 'welcome') {
        this.peers.clear();
        for (const id of frame.members) this.peers.add(id);
        this.joined = true;
        this.welcome?.();
      } else if (frame.type === 'joined') {
        this.peers.add(frame.clientId);
      } else if (frame.type === 'left') {
        this.peers.delete(frame.clientId);
      } else if (frame.type === 'message' && frame.payload.length >= 4) {
        const seq = Buffer.from(frame.payload).readUInt32BE(0);
        let list = this.received.get(frame.from);
        if (list === undefined) this.received.set(frame.from, (list = []));
        list.push(seq);
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => {
      this.joined = false;
      this.closes.push(code);
      this.reasons.push(reason.toString());
      if (this.stopped) return;
      this.interrupted = true;
      let delay: number | undefined;
      if (code === CloseCode.SERVICE_RESTART)
        delay = (decodeRestartReason(reason.toString()) ?? 500) + this.reconnectLateMs;
      else if (
        code === 1006 ||
        code === CloseCode.INTERNAL_ERROR ||
        code === CloseCode.TRY_AGAIN_LATER ||
        code === 1001
      ) {
        delay =
          Math.min(2000, 100 * 2 ** Math.min(this.closes.length, 4)) * (0.5 + Math.random() / 2);
      }
      if (delay !== undefined && this.connects < 40) setTimeout(() => this.open(), delay);
      else
        this.gaveUp?.(
          new Error(`${this.clientId}: closed ${code} ${reason.toString()}, not retried`),
        );
    });
  }
}
