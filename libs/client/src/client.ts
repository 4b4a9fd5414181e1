/**
 * NullroomClient: one member of one room, end to end.
 *
 * It owns a WebSocket to the relay and a `GroupSession` per connection. Every reconnect — after a
 * drain (close 1012 with `{"retryMs":n}`), a dropped network or a relay restart — is a new
 * connection with a new session: new ephemeral keys, a new handshake, and a re-key by the room's
 * committer. Nothing from the old session is carried over except the device identity, so the
 * relay can't splice an old session into a new one. Sends issued while (re)keying wait for the
 * new epoch.
 */
import {
  CloseCode,
  decodeRestartReason,
  decodeServerFrame,
  encodeSend,
  encodeSendTo,
  isRetryableClose,
  roomClosedCodeOf,
  type RoomMode,
} from '@nullroom/protocol';
import {
  type E2eeError,
  type FileOffer,
  type GroupSession,
  Identity,
  type MemberInfo,
  NullroomSession,
  type SessionEvent,
  type SessionOutput,
  randomBytes,
  toHex,
} from '@nullroom/e2ee';
import { backoffDelay, type BackoffOptions } from './backoff';
import { Emitter } from './emitter';
import { ConnectionClosedError, TimeoutError } from './errors';
import { createImagePreview, type Preview } from './preview';
import {
  buildWsUrl,
  globalWebSocket,
  messageData,
  OPEN,
  type SocketLike,
  type WebSocketFactory,
} from './transport';

export type ClientState = 'idle' | 'connecting' | 'keying' | 'ready' | 'reconnecting' | 'closed';

export interface ClientEvents extends Record<string, unknown> {
  state: { readonly state: ClientState; readonly closeCode?: number; readonly retryInMs?: number };
  /** A new group key is in force (after every join and leave): compare `fingerprint` out of band. */
  epoch: {
    readonly epoch: number;
    readonly members: readonly string[];
    readonly fingerprint: string;
  };
  message: { readonly id: string; readonly from: string; readonly text: string };
  typing: { readonly from: string; readonly active: boolean };
  read: { readonly from: string; readonly messageId: string };
  'file-offer': {
    readonly id: string;
    readonly from: string;
    readonly fileId: string;
    readonly offer: FileOffer;
  };
  'file-progress': {
    readonly direction: 'in' | 'out';
    readonly fileId: string;
    readonly bytes: number;
    readonly total: number;
  };
  file: {
    readonly from: string;
    readonly fileId: string;
    readonly name: string;
    readonly mime: string;
    readonly data: Uint8Array;
  };
  presence: {
    readonly event: 'joined' | 'left' | 'welcome';
    readonly clientId: string;
    readonly members: readonly string[];
  };
  /** A member's handshake verified; `safetyNumber` is the pairwise number to compare. */
  peer: { readonly clientId: string; readonly safetyNumber: string };
  /** A frame refused by the E2EE layer (forged, replayed, out of order, undecryptable…). */
  security: { readonly from?: string; readonly error: E2eeError };
  /** A non-fatal relay ERROR frame. */
  'relay-error': { readonly code: string; readonly message: string };
  closed: { readonly code: number; readonly reason: string };
}

export interface SessionFactoryOptions {
  readonly roomId: string;
  readonly selfId: string;
  readonly identity: Identity;
}

export interface ClientOptions {
  /** Relay base URL: http(s)://host[:port] or ws(s)://host[:port][/ws]. */
  readonly url: string;
  readonly roomId: string;
  readonly joinToken?: string;
  /** Unique per tab/process; generated when absent. */
  readonly clientId?: string;
  /** Only where the relay runs with REQUIRE_WS_API_KEY=1, and never in public pages. */
  readonly apiKey?: string;
  /** The device identity; generated (non-extractable) when absent. */
  readonly identity?: Identity;
  readonly webSocket?: WebSocketFactory;
  /** `false` disables reconnecting. */
  readonly reconnect?: (BackoffOptions & { readonly maxAttempts?: number }) | false;
  readonly random?: () => number;
  /** Where an MLS session could be plugged in. */
  readonly sessionFactory?: (options: SessionFactoryOptions) => Promise<GroupSession>;
  /** Pause file sending while the socket has more than this many bytes queued. */
  readonly highWaterMark?: number;
  /**
   * After a reconnect, how long sends wait for the others to come back (a drain reconnects
   * everyone at slightly different times) before going out in an epoch with nobody else in it.
   */
  readonly resumeGraceMs?: number;
}

export interface SendFileOptions {
  readonly name: string;
  readonly mime?: string;
  readonly chunkSize?: number;
  /** A thumbnail; for images in a browser one is made automatically when absent. */
  readonly preview?: Preview | null;
  readonly onProgress?: (sent: number, total: number) => void;
}

interface IncomingFile {
  readonly from: string;
  readonly offer: FileOffer;
  readonly chunks: Uint8Array[];
  bytes: number;
}

const EXPIRE_EVERY_MS = 5_000;

export class NullroomClient extends Emitter<ClientEvents> {
  readonly clientId: string;
  private readonly options: ClientOptions;
  private readonly factory: WebSocketFactory;
  private readonly random: () => number;
  private identity: Identity | undefined;
  private socket: SocketLike | undefined;
  private session: GroupSession | undefined;
  private currentState: ClientState = 'idle';
  private attempt = 0;
  private everWelcomed = false;
  private presence: string[] = [];
  private mode: RoomMode | undefined;
  private inbox: Promise<void> = Promise.resolve();
  private readyWaiters: { resolve: (s: GroupSession) => void; reject: (e: Error) => void }[] = [];
  private readonly incoming = new Map<string, IncomingFile>();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private expireTimer: ReturnType<typeof setInterval> | undefined;
  private closedWith: ConnectionClosedError | undefined;
  /** Others in the last epoch of the previous connection: whom a resumed session waits for. */
  private othersBeforeReconnect = 0;
  private othersNow = 0;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ClientOptions) {
    super();
    if (typeof options.url !== 'string') throw new TypeError('url: required');
    if (typeof options.roomId !== 'string' || options.roomId.length === 0)
      throw new TypeError('roomId: required');
    this.options = options;
    this.factory = options.webSocket ?? globalWebSocket;
    this.random = options.random ?? Math.random;
    this.clientId = options.clientId ?? `c-${toHex(randomBytes(8))}`;
    this.identity = options.identity;
  }

  get state(): ClientState {
    return this.currentState;
  }

  get roomMode(): RoomMode | undefined {
    return this.mode;
  }

  /** Connects and resolves once the first group key is in force. */
  async connect(timeoutMs = 30_000): Promise<void> {
    if (this.currentState === 'closed')
      throw this.closedWith ?? new ConnectionClosedError(CloseCode.NORMAL, 'closed');
    this.identity ??= await Identity.generate();
    if (this.currentState === 'idle') this.open();
    await this.ready(timeoutMs);
  }

  /** Resolves with the session once a group key is in force (immediately if it is). */
  ready(timeoutMs = 30_000): Promise<GroupSession> {
    if (
      this.session &&
      this.session.epoch > 0 &&
      this.socket?.readyState === OPEN &&
      this.graceTimer === undefined
    ) {
      return Promise.resolve(this.session);
    }
    if (this.currentState === 'closed')
      return Promise.reject(
        this.closedWith ?? new ConnectionClosedError(CloseCode.NORMAL, 'closed'),
      );
    return new Promise<GroupSession>((resolve, reject) => {
      const waiter = {
        resolve: (s: GroupSession) => {
          clearTimeout(timer);
          resolve(s);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== waiter);
        reject(new TimeoutError('no group key in time'));
      }, timeoutMs);
      this.readyWaiters.push(waiter);
    });
  }

  async sendText(text: string): Promise<string> {
    if (typeof text !== 'string') throw new TypeError('text: must be a string');
    const session = await this.ready();
    const { id, payload } = await session.encrypt({ type: 'text', text });
    this.transmit(undefined, payload);
    return id;
  }

  async setTyping(active: boolean): Promise<void> {
    const session = await this.ready();
    this.transmit(undefined, (await session.encrypt({ type: 'typing', active })).payload);
  }

  async markRead(messageId: string): Promise<void> {
    if (typeof messageId !== 'string' || messageId.length === 0)
      throw new TypeError('messageId: required');
    const session = await this.ready();
    this.transmit(undefined, (await session.encrypt({ type: 'read', messageId })).payload);
  }

  /**
   * Sends a file as a signed manifest and a chunked stream under a per-file key. Resolves with the
   * file id when every chunk is handed to the socket. If a member leaves mid-transfer the stream
   * stops (they held the file key) and this rejects: send again.
   */
  async sendFile(data: Uint8Array | Blob, options: SendFileOptions): Promise<string> {
    const size = data instanceof Uint8Array ? data.byteLength : data.size;
    const mime =
      options.mime ??
      (data instanceof Uint8Array
        ? 'application/octet-stream'
        : data.type || 'application/octet-stream');
    let preview = options.preview ?? undefined;
    if (
      options.preview === undefined &&
      !(data instanceof Uint8Array) &&
      mime.startsWith('image/')
    ) {
      preview = await createImagePreview(data);
    }
    const session = await this.ready();
    const file = await session.prepareFile({
      name: options.name,
      mime,
      size,
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
      ...(preview ? { preview } : {}),
    });
    this.transmit(undefined, file.manifestFrame);
    const chunkSize = file.manifest.chunkSize;
    let sent = 0;
    for (let i = 0; i < file.chunkCount; i++) {
      const start = i * chunkSize;
      const end = Math.min(size, start + chunkSize);
      const chunk =
        data instanceof Uint8Array
          ? data.subarray(start, end)
          : new Uint8Array(await data.slice(start, end).arrayBuffer());
      await this.drainSocket();
      this.transmit(undefined, await file.sealChunk(i, chunk));
      sent = end;
      options.onProgress?.(sent, size);
      this.emit('file-progress', {
        direction: 'out',
        fileId: file.fileId,
        bytes: sent,
        total: size,
      });
    }
    return file.fileId;
  }

  members(): readonly MemberInfo[] {
    return this.session?.members() ?? [];
  }

  fingerprint(): string | undefined {
    return this.session?.fingerprint();
  }

  safetyNumber(peerId: string): Promise<string | undefined> {
    return this.session?.safetyNumber(peerId) ?? Promise.resolve(undefined);
  }

  close(): void {
    this.finish(CloseCode.NORMAL, 'closed by the client');
  }

  // --- connection lifecycle -----------------------------------------------------------------

  private setState(
    state: ClientState,
    extra: { closeCode?: number; retryInMs?: number } = {},
  ): void {
    this.currentState = state;
    this.emit('state', { state, ...extra });
  }

  private open(): void {
    this.setState(this.everWelcomed ? 'reconnecting' : 'connecting');
    const url = buildWsUrl(this.options.url, {
      roomId: this.options.roomId,
      clientId: this.clientId,
      ...(this.options.joinToken ? { joinToken: this.options.joinToken } : {}),
      ...(this.options.apiKey ? { apiKey: this.options.apiKey } : {}),
    });
    const socket = this.factory(url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.inbox = Promise.resolve();
    socket.onmessage = (event) => {
      const data = messageData(event.data);
      if (socket !== this.socket || data === undefined) return;
      this.inbox = this.inbox.then(() => this.onFrame(data)).catch(() => undefined);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      void this.inbox.then(() => this.onClose(event.code, event.reason));
    };
    socket.onerror = () => undefined;
    this.expireTimer ??= unrefInterval(() => {
      const s = this.session;
      if (s) void s.expire(Date.now()).then((out) => this.apply(s, out));
    }, EXPIRE_EVERY_MS);
  }

  private onClose(code: number, reason: string): void {
    if (this.othersNow > 0) this.othersBeforeReconnect = this.othersNow;
    this.othersNow = 0;
    this.dropSession();
    this.socket = undefined;
    if (this.currentState === 'closed') return;
    const retryable =
      isRetryableClose(code) ||
      // Our previous socket may still be registered when we come back quickly after a drop.
      (code === CloseCode.DUPLICATE_CLIENT_ID && this.everWelcomed);
    const policy = this.options.reconnect;
    const maxAttempts = policy === false ? 0 : (policy?.maxAttempts ?? Infinity);
    if (!retryable || this.attempt >= maxAttempts) {
      this.finish(code, reason);
      return;
    }
    const drained = code === CloseCode.SERVICE_RESTART ? decodeRestartReason(reason) : undefined;
    const delay =
      drained !== undefined
        ? // The relay already spreads its clients over retryMs; a little more jitter on top.
          drained + Math.round(this.random() * 250)
        : backoffDelay(this.attempt, policy === false ? {} : (policy ?? {}), this.random);
    this.attempt++;
    this.setState('reconnecting', { closeCode: code, retryInMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.currentState !== 'closed') this.open();
    }, delay);
  }

  private finish(code: number, reason: string): void {
    if (this.currentState === 'closed') return;
    this.closedWith = new ConnectionClosedError(code, reason);
    this.setState('closed', { closeCode: code });
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.expireTimer) clearInterval(this.expireTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.expireTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    this.dropSession();
    if (socket && socket.readyState <= OPEN) socket.close(CloseCode.NORMAL, '');
    for (const w of this.readyWaiters.splice(0)) w.reject(this.closedWith);
    this.emit('closed', { code, reason });
  }

  private dropSession(): void {
    this.session?.close();
    this.session = undefined;
    this.incoming.clear();
  }

  // --- frames from the relay ----------------------------------------------------------------

  private async onFrame(data: Uint8Array | string): Promise<void> {
    // Text WebSocket messages are broadcasts from clients of the plaintext seed-000 protocol;
    // the relay wraps them in MESSAGE frames with the TEXT flag, which we refuse below.
    if (typeof data === 'string') return;
    const decoded = decodeServerFrame(data);
    if (!decoded.ok) return;
    const frame = decoded.frame;
    switch (frame.type) {
      case 'welcome': {
        this.dropSession();
        this.mode = frame.mode;
        this.presence = [...frame.members, this.clientId];
        const factory =
          this.options.sessionFactory ?? ((o: SessionFactoryOptions) => NullroomSession.create(o));
        const session = await factory({
          roomId: this.options.roomId,
          selfId: frame.clientId,
          identity: this.identity!,
        });
        this.session = session;
        this.everWelcomed = true;
        this.attempt = 0;
        this.setState('keying');
        this.emit('presence', {
          event: 'welcome',
          clientId: frame.clientId,
          members: [...this.presence],
        });
        this.apply(session, await session.start(frame.members));
        return;
      }
      case 'joined': {
        if (!this.presence.includes(frame.clientId)) this.presence.push(frame.clientId);
        this.emit('presence', {
          event: 'joined',
          clientId: frame.clientId,
          members: [...this.presence],
        });
        if (this.session) this.apply(this.session, await this.session.memberJoined(frame.clientId));
        return;
      }
      case 'left': {
        this.presence = this.presence.filter((m) => m !== frame.clientId);
        for (const [key, file] of this.incoming)
          if (file.from === frame.clientId) this.incoming.delete(key);
        this.emit('presence', {
          event: 'left',
          clientId: frame.clientId,
          members: [...this.presence],
        });
        if (this.session) this.apply(this.session, await this.session.memberLeft(frame.clientId));
        return;
      }
      case 'message': {
        if (!this.session || frame.text) return;
        this.apply(this.session, await this.session.receive(frame.from, frame.payload));
        return;
      }
      case 'error':
        this.emit('relay-error', { code: frame.code, message: frame.message });
        return;
      case 'room-closed':
        // The reason says which 40xx close follows: closed 4000, expired 4001, destroyed 4002.
        this.finish(roomClosedCodeOf(frame.reason), frame.reason);
        return;
    }
  }

  private apply(session: GroupSession, output: SessionOutput): void {
    if (session !== this.session) return;
    for (const o of output.outbound) this.transmit(o.to, o.payload);
    for (const event of output.events) this.deliver(session, event);
  }

  private deliver(session: GroupSession, event: SessionEvent): void {
    switch (event.type) {
      case 'peer':
        void session.safetyNumber(event.peerId).then((safetyNumber) => {
          if (safetyNumber) this.emit('peer', { clientId: event.peerId, safetyNumber });
        });
        return;
      case 'epoch':
        this.emit('epoch', {
          epoch: event.epoch,
          members: event.members,
          fingerprint: event.fingerprint,
        });
        this.othersNow = event.members.length - 1;
        if (this.socket?.readyState === OPEN) {
          if (this.currentState !== 'ready') this.setState('ready');
          if (this.othersNow === 0 && this.othersBeforeReconnect > 0) {
            // Resumed alone: hold queued sends briefly so they reach the others when they return.
            this.graceTimer ??= setTimeout(() => {
              this.graceTimer = undefined;
              this.othersBeforeReconnect = 0;
              if (this.session === session) this.releaseWaiters(session);
            }, this.options.resumeGraceMs ?? 5_000);
            return;
          }
          this.othersBeforeReconnect = 0;
          this.releaseWaiters(session);
        }
        return;
      case 'message': {
        const c = event.content;
        switch (c.type) {
          case 'text':
            this.emit('message', { id: event.id, from: event.from, text: c.text });
            return;
          case 'typing':
            this.emit('typing', { from: event.from, active: c.active });
            return;
          case 'read':
            this.emit('read', { from: event.from, messageId: c.messageId });
            return;
          case 'file': {
            const fileId = toHex(c.manifest.fileId);
            this.incoming.set(`${event.from}:${fileId}`, {
              from: event.from,
              offer: c.manifest,
              chunks: [],
              bytes: 0,
            });
            this.emit('file-offer', { id: event.id, from: event.from, fileId, offer: c.manifest });
            return;
          }
        }
        return;
      }
      case 'file-chunk': {
        const key = `${event.from}:${event.fileId}`;
        const file = this.incoming.get(key);
        if (!file) return;
        file.chunks.push(event.data);
        file.bytes += event.data.byteLength;
        this.emit('file-progress', {
          direction: 'in',
          fileId: event.fileId,
          bytes: file.bytes,
          total: file.offer.size,
        });
        if (event.last) {
          this.incoming.delete(key);
          const data = new Uint8Array(file.bytes);
          let at = 0;
          for (const c of file.chunks) {
            data.set(c, at);
            at += c.byteLength;
          }
          this.emit('file', {
            from: event.from,
            fileId: event.fileId,
            name: file.offer.name,
            mime: file.offer.mime,
            data,
          });
        }
        return;
      }
      case 'rejected':
        this.emit('security', {
          error: event.error,
          ...(event.from === undefined ? {} : { from: event.from }),
        });
        return;
    }
  }

  private releaseWaiters(session: GroupSession): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    for (const w of this.readyWaiters.splice(0)) w.resolve(session);
  }

  private transmit(to: string | undefined, payload: Uint8Array): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN)
      throw new ConnectionClosedError(CloseCode.GOING_AWAY, 'not connected');
    socket.send(to === undefined ? encodeSend(payload) : encodeSendTo(to, payload));
  }

  /** Waits while the socket has too much queued (files must not balloon memory). */
  private async drainSocket(): Promise<void> {
    const limit = this.options.highWaterMark ?? 1024 * 1024;
    while (this.socket && this.socket.readyState === OPEN && this.socket.bufferedAmount > limit) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function unrefInterval(fn: () => void, ms: number): ReturnType<typeof setInterval> {
  const timer = setInterval(fn, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
