/**
 * An in-memory relay speaking the real frames (libs/protocol encoders) to clients through a fake
 * WebSocket factory: presence in join order, SEND/SEND_TO fan-out with the stamped sender, drain
 * with close 1012 and `{"retryMs":n}`, and a log of every payload it forwarded.
 */
import {
  CloseCode,
  decodeClientFrame,
  encodeJoined,
  encodeLeft,
  encodeMessage,
  encodeRestartReason,
  encodeWelcome,
  MessageFlag,
} from '@nullroom/protocol';
import { type SocketLike, type WebSocketFactory } from '../src';

export class FakeSocket implements SocketLike {
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    private readonly relay: FakeRelay,
    readonly roomId: string,
    readonly clientId: string,
  ) {}

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('not open');
    const copy = new Uint8Array(data);
    queueMicrotask(() => this.relay.fromClient(this, copy));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    queueMicrotask(() => this.relay.closed(this, code, reason));
  }

  /** Server side: deliver a frame to the client. */
  deliver(frame: Uint8Array): void {
    const buffer = frame.slice().buffer;
    queueMicrotask(() => {
      if (this.readyState === 1) this.onmessage?.({ data: buffer });
    });
  }

  /** Server side: close the connection with a code. */
  serverClose(code: number, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.relay.remove(this);
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }
}

export class FakeRelay {
  readonly rooms = new Map<string, FakeSocket[]>();
  /** Every payload a client sent, as the relay saw it. */
  readonly seen: Uint8Array[] = [];
  readonly urls: string[] = [];
  readonly knownRooms = new Set<string>();
  /** While true, new connections are refused with 1013 (a pod that is restarting). */
  refuse = false;

  readonly factory: WebSocketFactory = (url) => {
    this.urls.push(url);
    const u = new URL(url);
    const socket = new FakeSocket(
      this,
      u.searchParams.get('roomId') ?? '',
      u.searchParams.get('clientId') ?? '',
    );
    setTimeout(() => this.accept(socket), 0);
    return socket;
  };

  members(roomId: string): string[] {
    return (this.rooms.get(roomId) ?? []).map((s) => s.clientId);
  }

  /** SIGTERM: every client gets 1012 with a retry delay. */
  drain(retryMs: number): void {
    for (const sockets of this.rooms.values()) {
      for (const s of [...sockets])
        s.serverClose(CloseCode.SERVICE_RESTART, encodeRestartReason(retryMs));
    }
  }

  kick(clientId: string, code: number): void {
    for (const sockets of this.rooms.values())
      for (const s of [...sockets]) if (s.clientId === clientId) s.serverClose(code);
  }

  private accept(socket: FakeSocket): void {
    if (socket.readyState !== 0) return;
    socket.readyState = 1;
    socket.onopen?.({});
    if (this.refuse) return socket.serverClose(CloseCode.TRY_AGAIN_LATER);
    if (!this.knownRooms.has(socket.roomId)) return socket.serverClose(CloseCode.ROOM_NOT_FOUND);
    const sockets = this.rooms.get(socket.roomId) ?? [];
    if (sockets.some((s) => s.clientId === socket.clientId))
      return socket.serverClose(CloseCode.DUPLICATE_CLIENT_ID);
    socket.deliver(
      encodeWelcome({
        v: 1,
        clientId: socket.clientId,
        mode: 'p2p',
        maxParticipants: 16,
        members: sockets.map((s) => s.clientId),
      }),
    );
    for (const s of sockets) s.deliver(encodeJoined(socket.clientId));
    sockets.push(socket);
    this.rooms.set(socket.roomId, sockets);
  }

  fromClient(socket: FakeSocket, data: Uint8Array): void {
    const sockets = this.rooms.get(socket.roomId);
    if (!sockets?.includes(socket)) return;
    const decoded = decodeClientFrame(data);
    if (!decoded.ok || decoded.frame.type === 'code-verdict') return;
    const payload = data.subarray(decoded.frame.payloadOffset);
    this.seen.push(payload);
    if (decoded.frame.type === 'send') {
      const out = encodeMessage(socket.clientId, 0, payload);
      for (const s of sockets) if (s !== socket) s.deliver(out);
    } else {
      const to = decoded.frame.to;
      const target = sockets.find((s) => s.clientId === to);
      target?.deliver(encodeMessage(socket.clientId, MessageFlag.DIRECT, payload));
    }
  }

  closed(socket: FakeSocket, code: number, reason: string): void {
    socket.readyState = 3;
    this.remove(socket);
    queueMicrotask(() => socket.onclose?.({ code, reason }));
  }

  remove(socket: FakeSocket): void {
    const sockets = this.rooms.get(socket.roomId);
    if (!sockets?.includes(socket)) return;
    sockets.splice(sockets.indexOf(socket), 1);
    for (const s of sockets) s.deliver(encodeLeft(socket.clientId));
  }
}
