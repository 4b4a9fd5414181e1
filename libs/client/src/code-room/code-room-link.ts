/**
 * A code-room member's connection to the relay, with the code handshake bound to it:
 *
 *   const { link, code } = await CodeRoomLink.create({ url });      // show code.text to a friend
 *   link.on('guest-verified', ({ peerId, outcome }) => …);
 *
 *   const { link, outcome } = await CodeRoomLink.join({ url, code: '7-zucchini-aardvark-ethics' });
 *
 * `join` resolves once the relay admitted us (the verifier confirmed the PAKE) and rejects with a
 * CodeRoomError — `wrong_code` when the codes differ. After that the link is an ordinary member
 * connection: `send`/`sendTo` and `message` events carry the payloads of the layer above (phase
 * 2: MLS, keyed by the PAKE's outcome). This module stands beside NullroomClient and does not
 * change it.
 */
import {
  CloseCode,
  codeRoomId,
  decodeRestartReason,
  decodeServerFrame,
  isRetryableClose,
  encodeSend,
  encodeSendTo,
  type ServerFrame,
} from '@nullroom/protocol';
import {
  type Code,
  generateCodeWords,
  Identity,
  makeCode,
  parseCode,
  type PakeIdentity,
  type PakeOutcome,
  randomBytes,
  toHex,
} from '@nullroom/e2ee';
import { backoffDelay } from '../backoff';
import { Emitter } from '../emitter';
import {
  buildWsUrl,
  globalWebSocket,
  messageData,
  OPEN,
  type SocketLike,
  type WebSocketFactory,
} from '../transport';
import { CodeHandshake, type CodeHandshakeEvents } from './code-handshake';
import { CodeRoomError, CodeRoomErrorCode, codeRoomErrorForClose } from './code-room-error';
import { createCodeRoom } from './code-room-rest';

export interface CodeRoomLinkOptions {
  /** Relay base URL: http(s)://host[:port] or ws(s)://host[:port][/ws]. */
  readonly url: string;
  /** The device identity the PAKE authenticates; generated (non-extractable) when absent. */
  readonly identity?: PakeIdentity;
  readonly clientId?: string;
  /** Material to authenticate with the identity key (phase 2: the MLS KeyPackage). */
  readonly binding?: Uint8Array;
  /** Verifier side: failed attempts this device tolerates (default 3). */
  readonly maxFailedAttempts?: number;
  readonly webSocket?: WebSocketFactory;
  /** Guest side: the whole join, retries included, must finish within this (default 30 s). */
  readonly timeoutMs?: number;
  /** Guest side: retries after "nobody to verify you yet" (4440) or "busy" (4444), default 3. */
  readonly retries?: number;
  readonly random?: () => number;
}

export interface CodeRoomLinkEvents extends Record<string, unknown> {
  'guest-verified': CodeHandshakeEvents['guest-verified'];
  'attempt-failed': CodeHandshakeEvents['attempt-failed'];
  exhausted: CodeHandshakeEvents['exhausted'];
  presence: { readonly event: 'joined' | 'left'; readonly clientId: string };
  /** A member's connection dropped (drain, network) and is coming back after `retryInMs`. */
  reconnecting: { readonly closeCode: number; readonly retryInMs: number };
  /** A payload that is not part of the code handshake. */
  message: { readonly from: string; readonly direct: boolean; readonly payload: Uint8Array };
  closed: { readonly code: number; readonly reason: string; readonly error: CodeRoomError };
}

export interface CodeRoomJoined {
  readonly link: CodeRoomLink;
  /** The verifier's identity key (authenticated by the code), session id and exporter. */
  readonly outcome: PakeOutcome;
  /** Rejoin with it after a drain without a new attempt. */
  readonly joinToken: string | undefined;
}

const CLOSE_AFTER_FAILURE_MS = 2_000;
/** Reconnects of a member (with the token) in a row before it gives up. */
const MAX_RECONNECTS = 8;

export class CodeRoomLink extends Emitter<CodeRoomLinkEvents> {
  private socket: SocketLike | undefined;
  private inbox: Promise<void> = Promise.resolve();
  private readonly handshake: CodeHandshake;
  private ended = false;
  /** Set once we are a member (creator, or admitted guest): reconnects rejoin with it. */
  private memberToken: string | undefined;
  private reconnects = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Why we are closing, when it was our decision (reported instead of the bare close code). */
  private closingWith: CodeRoomError | undefined;

  private constructor(
    private readonly options: CodeRoomLinkOptions,
    readonly code: Code,
    readonly roomId: string,
    readonly clientId: string,
    identity: PakeIdentity,
  ) {
    super();
    // One handshake for the link's whole life: its own attempt count survives reconnects.
    const handshake = new CodeHandshake({
      code,
      roomId,
      selfId: clientId,
      identity,
      ...(options.binding === undefined ? {} : { binding: options.binding }),
      ...(options.maxFailedAttempts === undefined
        ? {}
        : { maxFailedAttempts: options.maxFailedAttempts }),
      send: (bytes) => this.write(bytes),
    });
    this.handshake = handshake;
    handshake.on('guest-verified', (e) => this.emit('guest-verified', e));
    handshake.on('attempt-failed', (e) => this.emit('attempt-failed', e));
    handshake.on('exhausted', (e) => {
      this.emit('exhausted', e);
      // This device will verify no one any more: the code is spent. Leave, so the room (and
      // its nameplate) ends once nobody else who knows the code is in it.
      this.close(
        new CodeRoomError(
          CodeRoomErrorCode.TOO_MANY_ATTEMPTS,
          `${e.failedAttempts} failed attempts: make a new code`,
        ),
      );
    });
  }

  /** Creates a code room (POST /rooms) and joins it as its first member. */
  static async create(
    options: CodeRoomLinkOptions & {
      readonly apiKey?: string;
      readonly words?: number;
      readonly maxParticipants?: number;
    },
  ): Promise<{ readonly link: CodeRoomLink; readonly code: Code }> {
    const created = await createCodeRoom(options.url, {
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.maxParticipants === undefined
        ? {}
        : { maxParticipants: options.maxParticipants }),
    });
    const code = makeCode(created.nameplate, generateCodeWords(options.words));
    const link = await CodeRoomLink.host({ ...options, code, joinToken: created.joinToken });
    return { link, code };
  }

  /** Joins a code room as a member who knows the code (with the members' token). */
  static async host(
    options: CodeRoomLinkOptions & { readonly code: Code; readonly joinToken: string },
  ): Promise<CodeRoomLink> {
    const link = await CodeRoomLink.prepare(options, options.code);
    await link.connect(options.joinToken);
    return link;
  }

  /** Joins a code room by its code: the PAKE with a member decides. */
  static async join(
    options: CodeRoomLinkOptions & { readonly code: string | Code },
  ): Promise<CodeRoomJoined> {
    let code: Code;
    if (typeof options.code === 'string') {
      const parsed = parseCode(options.code);
      if (!parsed.ok) throw new CodeRoomError(CodeRoomErrorCode.INVALID_CODE, parsed.error.message);
      code = parsed.code;
    } else code = options.code;
    const link = await CodeRoomLink.prepare(options, code);
    return link.guestJoin();
  }

  private static async prepare(options: CodeRoomLinkOptions, code: Code): Promise<CodeRoomLink> {
    if (typeof options.url !== 'string') throw new TypeError('url: required');
    const identity = options.identity ?? (await Identity.generate());
    const clientId = options.clientId ?? `c-${toHex(randomBytes(8))}`;
    return new CodeRoomLink(options, code, await codeRoomId(code.nameplate), clientId, identity);
  }

  /** Failed attempts this device counted as a verifier. */
  get failedAttempts(): number {
    return this.handshake.failedAttempts;
  }

  send(payload: Uint8Array): void {
    this.write(encodeSend(payload));
  }

  sendTo(to: string, payload: Uint8Array): void {
    this.write(encodeSendTo(to, payload));
  }

  close(reason?: CodeRoomError): void {
    this.closingWith ??= reason;
    this.ended = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    if (socket && socket.readyState <= OPEN) socket.close(CloseCode.NORMAL, '');
  }

  // --- connecting ----------------------------------------------------------------------------

  private async guestJoin(): Promise<CodeRoomJoined> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attemptJoin(deadline);
      } catch (error) {
        const retryable =
          error instanceof CodeRoomError &&
          (error.code === CodeRoomErrorCode.NO_VERIFIER ||
            error.code === CodeRoomErrorCode.BUSY ||
            error.closeCode === CloseCode.SERVICE_RESTART ||
            error.closeCode === CloseCode.TRY_AGAIN_LATER);
        const delay = backoffDelay(attempt, { initialMs: 1000 }, this.options.random);
        if (!retryable || attempt >= retries || Date.now() + delay >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private attemptJoin(deadline: number): Promise<CodeRoomJoined> {
    return new Promise<CodeRoomJoined>((resolve, reject) => {
      let settled = false;
      let local: CodeRoomError | undefined;
      let grace: ReturnType<typeof setTimeout> | undefined;
      const timer = setTimeout(
        () => fail(new CodeRoomError(CodeRoomErrorCode.TIMEOUT, 'no answer in time')),
        Math.max(0, deadline - Date.now()),
      );
      const offs: Array<() => void> = [];
      const done = (): void => {
        settled = true;
        clearTimeout(timer);
        if (grace !== undefined) clearTimeout(grace);
        for (const off of offs.splice(0)) off();
      };
      const fail = (error: CodeRoomError): void => {
        if (settled) return;
        done();
        this.close();
        reject(error);
      };
      offs.push(
        this.handshake.on('admitted', ({ outcome, joinToken }) => {
          if (settled) return;
          done();
          this.memberToken = joinToken;
          this.onEnd = (error) => this.emit('closed', endEvent(error));
          resolve({ link: this, outcome, joinToken });
        }),
        this.handshake.on('failed', ({ error }) => {
          // The verifier reports a wrong code to the relay, which closes us with 4441: wait
          // briefly for that, so both sides see the same outcome, then give up anyway.
          local = error;
          grace = setTimeout(() => fail(error), CLOSE_AFTER_FAILURE_MS);
        }),
      );
      this.onEnd = (error) => fail(local ?? error);
      this.open(undefined);
    });
  }

  private connect(joinToken: string): Promise<void> {
    this.memberToken = joinToken;
    return new Promise<void>((resolve, reject) => {
      this.onWelcome = () => {
        this.onEnd = (error) => this.emit('closed', endEvent(error));
        resolve();
      };
      this.onEnd = (error) => reject(error);
      this.open(joinToken);
    });
  }

  // --- the socket ----------------------------------------------------------------------------

  private onWelcome: (() => void) | undefined;
  private onEnd: ((error: CodeRoomError) => void) | undefined;

  private open(joinToken: string | undefined): void {
    this.ended = false;
    this.closingWith = undefined;
    const socket = (this.options.webSocket ?? globalWebSocket)(
      buildWsUrl(this.options.url, {
        roomId: this.roomId,
        clientId: this.clientId,
        ...(joinToken === undefined ? {} : { joinToken }),
      }),
    );
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.inbox = Promise.resolve();
    socket.onmessage = (event) => {
      const data = messageData(event.data);
      if (socket !== this.socket || data === undefined || typeof data === 'string') return;
      const decoded = decodeServerFrame(data);
      if (!decoded.ok) return;
      this.inbox = this.inbox.then(() => this.onFrame(decoded.frame)).catch(() => undefined);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      void this.inbox.then(() => {
        this.socket = undefined;
        if (this.shouldReconnect(event.code)) {
          const drained =
            event.code === CloseCode.SERVICE_RESTART
              ? decodeRestartReason(event.reason)
              : undefined;
          const delay =
            drained !== undefined
              ? drained + Math.round((this.options.random ?? Math.random)() * 250)
              : backoffDelay(this.reconnects, {}, this.options.random);
          this.reconnects++;
          this.emit('reconnecting', { closeCode: event.code, retryInMs: delay });
          this.reconnectTimer = setTimeout(() => {
            this.reconnectTimer = undefined;
            if (!this.ended) this.open(this.memberToken);
          }, delay);
          return;
        }
        const error = this.closingWith ?? codeRoomErrorForClose(event.code, event.reason);
        this.closingWith = undefined;
        this.onEnd?.(error);
      });
    };
    socket.onerror = () => undefined;
  }

  /** A member (with the token) comes back after a drain or a dropped network; a guest retries. */
  private shouldReconnect(code: number): boolean {
    return (
      this.memberToken !== undefined &&
      !this.ended &&
      this.closingWith === undefined &&
      this.reconnects < MAX_RECONNECTS &&
      (isRetryableClose(code) || code === CloseCode.DUPLICATE_CLIENT_ID)
    );
  }

  private async onFrame(frame: ServerFrame): Promise<void> {
    if (frame.type === 'welcome') {
      this.reconnects = 0;
      this.handshake.connectionOpened();
      this.onWelcome?.();
      this.onWelcome = undefined;
      return;
    }
    if (await this.handshake.handle(frame)) return;
    switch (frame.type) {
      case 'joined':
      case 'left':
        this.emit('presence', { event: frame.type, clientId: frame.clientId });
        return;
      case 'message':
        this.emit('message', { from: frame.from, direct: frame.direct, payload: frame.payload });
        return;
      default:
        return;
    }
  }

  private write(bytes: Uint8Array): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN || this.ended)
      throw new CodeRoomError(CodeRoomErrorCode.CLOSED, 'not connected');
    socket.send(bytes);
  }
}

function endEvent(error: CodeRoomError): CodeRoomLinkEvents['closed'] {
  return { code: error.closeCode ?? CloseCode.NORMAL, reason: error.message, error };
}
