/**
 * The code-room handshake at the SDK level: it runs the PAKE (libs/e2ee code-pake.ts) between a
 * guest and its verifier over the relay — PAKE messages in SEND_TO, the relay's code frames for
 * the verdict — and reports who was verified, with the PAKE's outcome (the peer's identity key,
 * authenticated by the code, a session id, and an exporter) for the layer above: in phase 2 the
 * MLS join takes the outcome, so a code room needs no safety-number comparison.
 *
 * It owns no socket: feed it every relay frame (`handle`), give it a `send`. CodeRoomLink binds it
 * to a WebSocket; NullroomClient can do the same.
 *
 *   guest                         relay                          verifier (a member)
 *     ◀── WELCOME, CODE_CHALLENGE{verifier}                CODE_GUEST{guest} ──▶
 *     ── SEND_TO verifier  HELLO ─────────────────────────────────────────────▶
 *     ◀──────────────────────────────────────────── SEND_TO guest  REPLY ──────
 *     ── SEND_TO verifier  CONFIRM (or ABORT: wrong code) ─────────────────────▶
 *                                   ◀── CODE_ACCEPT guest (or CODE_REJECT) ────
 *     ◀── CODE_ADMITTED{joinToken}          JOINED guest, CODE_ADMITTED ──▶ members
 *
 * The relay counts attempts; this side counts too, against a relay that would not: a verifier
 * answers at most `maxFailedAttempts` HELLOs that do not end in a confirmed CONFIRM (each REPLY
 * lets the guest test one code), then stops verifying (`exhausted`).
 */
import {
  type CodeAttemptFailure,
  encodeCodeVerdict,
  encodeSendTo,
  type ServerFrame,
} from '@nullroom/protocol';
import {
  type Code,
  CodePakeInitiator,
  CodePakeResponder,
  decodePakeMessage,
  encodeAbort,
  isPakePayload,
  type PakeIdentity,
  type PakeOutcome,
} from '@nullroom/e2ee';
import { Emitter } from '../emitter';
import { type CodeRoomError, codeRoomErrorForPake } from './code-room-error';

/** The relay's CODE_MAX_FAILED_ATTEMPTS default: what a verifier accepts on its own account. */
export const DEFAULT_LOCAL_MAX_FAILED_ATTEMPTS = 3;

export interface CodeHandshakeOptions {
  readonly code: Code;
  /** The code room's id (codeRoomId(code.nameplate)). */
  readonly roomId: string;
  /** This connection's client id, as the relay stamps it. */
  readonly selfId: string;
  readonly identity: PakeIdentity;
  /** Material to authenticate with the identity key (phase 2: the MLS KeyPackage). */
  readonly binding?: Uint8Array;
  /** Verifier side: failed attempts this device tolerates before it stops verifying. */
  readonly maxFailedAttempts?: number;
  /** Writes one client frame to the relay. */
  readonly send: (frame: Uint8Array) => void;
}

export interface CodeHandshakeEvents extends Record<string, unknown> {
  /** Guest: the verifier proved the code; CONFIRM is sent, admission by the relay follows. */
  verified: { readonly outcome: PakeOutcome };
  /** Guest: the relay let us in. `joinToken` rejoins after a drain without a new attempt. */
  admitted: { readonly outcome: PakeOutcome; readonly joinToken: string | undefined };
  /** Guest: this attempt failed (wrong code, or the PAKE could not run). */
  failed: { readonly error: CodeRoomError };
  /** Verifier: a guest proved the code; CODE_ACCEPT is sent. */
  'guest-verified': { readonly peerId: string; readonly outcome: PakeOutcome };
  /** Any member: the relay counted a failed attempt (wrong code, timeout, …). */
  'attempt-failed': {
    readonly clientId: string;
    readonly reason: CodeAttemptFailure;
    readonly attemptsLeft: number;
  };
  /** Verifier: this device reached its own limit and refuses every further guest. */
  exhausted: { readonly failedAttempts: number };
}

type GuestState =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'sent'; readonly verifier: string; readonly pake: CodePakeInitiator }
  | { readonly kind: 'confirmed'; readonly verifier: string; readonly outcome: PakeOutcome }
  | { readonly kind: 'done' };

export class CodeHandshake extends Emitter<CodeHandshakeEvents> {
  private guest: GuestState = { kind: 'waiting' };
  /** Verifier side: one PAKE run per guest the relay announced; `replied` once a REPLY went out. */
  private readonly runs = new Map<string, { pake: CodePakeResponder; replied: boolean }>();
  /** REPLYs sent minus runs that confirmed: guesses this device let be tested. */
  private localFailures = 0;
  private reportedExhausted = false;
  private readonly maxFailures: number;

  constructor(private readonly options: CodeHandshakeOptions) {
    super();
    if (typeof options.send !== 'function') throw new TypeError('send: required');
    this.maxFailures = options.maxFailedAttempts ?? DEFAULT_LOCAL_MAX_FAILED_ATTEMPTS;
    if (!Number.isInteger(this.maxFailures) || this.maxFailures < 1)
      throw new RangeError('maxFailedAttempts: an integer ≥ 1');
  }

  /**
   * A new connection to the relay (a reconnect): runs of the old one are over (the relay failed
   * those guests), a guest that was not admitted starts over. The attempt count stays.
   */
  connectionOpened(): void {
    this.runs.clear();
    if (this.guest.kind !== 'done') this.guest = { kind: 'waiting' };
  }

  /** Failed attempts this device counted as a verifier. */
  get failedAttempts(): number {
    return this.localFailures;
  }

  get exhausted(): boolean {
    return this.localFailures >= this.maxFailures;
  }

  /**
   * One relay frame. Resolves true when the frame belonged to the code handshake (a code frame
   * or a PAKE message), false when the caller should handle it. Frames must be fed in order.
   */
  async handle(frame: ServerFrame): Promise<boolean> {
    switch (frame.type) {
      case 'code-challenge':
        await this.onChallenge(frame.verifier);
        return true;
      case 'code-guest':
        this.onGuest(frame.clientId);
        return true;
      case 'code-admitted':
        this.onAdmitted(frame.clientId, frame.joinToken);
        return true;
      case 'code-attempt-failed':
        // A guest that got our REPLY and then timed out or left still counts here (see onPake).
        if (this.runs.delete(frame.clientId)) this.checkExhausted();
        this.emit('attempt-failed', {
          clientId: frame.clientId,
          reason: frame.reason,
          attemptsLeft: frame.attemptsLeft,
        });
        return true;
      case 'message':
        if (frame.text || !frame.direct || !isPakePayload(frame.payload)) return false;
        await this.onPake(frame.from, frame.payload);
        return true;
      default:
        return false;
    }
  }

  // --- guest ---------------------------------------------------------------------------------

  private async onChallenge(verifier: string): Promise<void> {
    if (this.guest.kind !== 'waiting') return;
    const pake = await CodePakeInitiator.start({
      password: this.options.code.password,
      roomId: this.options.roomId,
      selfId: this.options.selfId,
      peerId: verifier,
      identity: this.options.identity,
      ...(this.options.binding === undefined ? {} : { binding: this.options.binding }),
    });
    this.guest = { kind: 'sent', verifier, pake };
    this.options.send(encodeSendTo(verifier, pake.hello));
  }

  private async onReply(from: string, payload: Uint8Array): Promise<void> {
    const state = this.guest;
    if (state.kind !== 'sent' || from !== state.verifier) return;
    this.guest = { kind: 'done' };
    const result = await state.pake.finish(payload);
    if (!result.ok) {
      // Tell the verifier at once, so it reports a wrong code rather than waiting for a timeout.
      this.options.send(encodeSendTo(from, encodeAbort()));
      this.emit('failed', { error: codeRoomErrorForPake(result.error) });
      return;
    }
    this.guest = { kind: 'confirmed', verifier: from, outcome: result.value.outcome };
    this.options.send(encodeSendTo(from, result.value.confirm));
    this.emit('verified', { outcome: result.value.outcome });
  }

  private onAdmitted(clientId: string, joinToken: string | undefined): void {
    const state = this.guest;
    if (clientId !== this.options.selfId || state.kind !== 'confirmed') return;
    this.guest = { kind: 'done' };
    this.emit('admitted', { outcome: state.outcome, joinToken });
  }

  // --- verifier ------------------------------------------------------------------------------

  private onGuest(guestId: string): void {
    if (guestId === this.options.selfId) return;
    if (this.exhausted) return this.reject(guestId);
    const pake = CodePakeResponder.create({
      password: this.options.code.password,
      roomId: this.options.roomId,
      selfId: this.options.selfId,
      peerId: guestId,
      identity: this.options.identity,
      ...(this.options.binding === undefined ? {} : { binding: this.options.binding }),
    });
    this.runs.set(guestId, { pake, replied: false });
  }

  private async onPake(from: string, payload: Uint8Array): Promise<void> {
    const run = this.runs.get(from);
    if (run === undefined) {
      await this.onReply(from, payload);
      return;
    }
    const kind = decodePakeMessage(payload);
    if (kind.ok && kind.value.kind === 'hello' && !run.replied) {
      if (this.exhausted) return this.reject(from);
      const reply = await run.pake.respond(payload);
      if (!reply.ok) return this.reject(from);
      // From here the guest can test one code: it counts as failed until it confirms.
      run.replied = true;
      this.localFailures++;
      this.options.send(encodeSendTo(from, reply.value));
      return;
    }
    const result = await run.pake.finish(payload);
    if (!result.ok) return this.reject(from);
    this.runs.delete(from);
    this.localFailures--;
    this.options.send(encodeCodeVerdict(true, from));
    this.emit('guest-verified', { peerId: from, outcome: result.value });
  }

  private reject(guestId: string): void {
    this.runs.delete(guestId);
    this.options.send(encodeCodeVerdict(false, guestId));
    this.checkExhausted();
  }

  private checkExhausted(): void {
    if (!this.exhausted || this.reportedExhausted) return;
    this.reportedExhausted = true;
    this.emit('exhausted', { failedAttempts: this.localFailures });
  }
}
