/**
 * Relay frames of code rooms (docs/protocol.md "Code rooms"). The relay cannot see the PAKE that
 * members run inside SEND_TO payloads; these frames are how it learns the one thing it needs — did
 * a member who knows the code accept the guest? — and how it tells members what it counted.
 *
 * Client → relay (binary, first byte the type):
 *   CODE_ACCEPT  0x08 | n:u8 | guestId     the guest proved the code: admit it
 *   CODE_REJECT  0x09 | n:u8 | guestId     the guest's PAKE failed: a wrong code
 *
 * Relay → client:
 *   CODE_CHALLENGE      0x90 | JSON {verifier, attemptsLeft, timeoutMs}   to a guest, after WELCOME
 *   CODE_GUEST          0x91 | JSON {clientId, attemptsLeft, timeoutMs}   to the guest's verifier
 *   CODE_ADMITTED       0x92 | JSON {clientId, joinToken?}                 the guest was accepted
 *   CODE_ATTEMPT_FAILED 0x93 | JSON {clientId, reason, attemptsLeft}      to the room's members
 */
import { CLIENT_ID_PATTERN } from './limits';
import { utf8Encode } from './text';

export const CodeClientFrameType = {
  CODE_ACCEPT: 0x08,
  CODE_REJECT: 0x09,
} as const;

export const CodeServerFrameType = {
  CODE_CHALLENGE: 0x90,
  CODE_GUEST: 0x91,
  CODE_ADMITTED: 0x92,
  CODE_ATTEMPT_FAILED: 0x93,
} as const;

/** Why an attempt counted as failed. Anything but an accept counts (docs/protocol.md). */
export const CodeAttemptFailure = {
  /** The verifier's PAKE did not confirm (CODE_REJECT). */
  WRONG_CODE: 'wrong_code',
  /** No verdict within CODE_ATTEMPT_TIMEOUT_MS. */
  TIMEOUT: 'timeout',
  /** The guest left before a verdict. */
  ABANDONED: 'abandoned',
  /** The verifier left before a verdict. */
  VERIFIER_LEFT: 'verifier_left',
} as const;
export type CodeAttemptFailure = (typeof CodeAttemptFailure)[keyof typeof CodeAttemptFailure];

const FAILURES: ReadonlySet<string> = new Set(Object.values(CodeAttemptFailure));

export interface CodeChallenge {
  /** The member who will run the PAKE with you (the oldest admitted member). */
  readonly verifier: string;
  /** Wrong codes the room still tolerates, this attempt included. */
  readonly attemptsLeft: number;
  /** The verifier must accept you within this many milliseconds. */
  readonly timeoutMs: number;
}

export interface CodeGuest {
  readonly clientId: string;
  readonly attemptsLeft: number;
  readonly timeoutMs: number;
}

export interface CodeAdmitted {
  readonly clientId: string;
  /** Only in the frame to the admitted guest: rejoin with it after a drain, without a new attempt. */
  readonly joinToken?: string;
}

export interface CodeAttemptFailed {
  readonly clientId: string;
  readonly reason: CodeAttemptFailure;
  readonly attemptsLeft: number;
}

export type CodeServerFrame =
  | ({ readonly type: 'code-challenge' } & CodeChallenge)
  | ({ readonly type: 'code-guest' } & CodeGuest)
  | ({ readonly type: 'code-admitted' } & CodeAdmitted)
  | ({ readonly type: 'code-attempt-failed' } & CodeAttemptFailed);

export function encodeCodeVerdict(accept: boolean, guestId: string): Uint8Array {
  if (!CLIENT_ID_PATTERN.test(guestId)) throw new RangeError('guestId: not a valid client id');
  const out = new Uint8Array(2 + guestId.length);
  out[0] = accept ? CodeClientFrameType.CODE_ACCEPT : CodeClientFrameType.CODE_REJECT;
  out[1] = guestId.length;
  for (let i = 0; i < guestId.length; i++) out[2 + i] = guestId.charCodeAt(i);
  return out;
}

export function encodeCodeChallenge(challenge: CodeChallenge): Uint8Array {
  return json(CodeServerFrameType.CODE_CHALLENGE, {
    verifier: challenge.verifier,
    attemptsLeft: challenge.attemptsLeft,
    timeoutMs: challenge.timeoutMs,
  });
}

export function encodeCodeGuest(guest: CodeGuest): Uint8Array {
  return json(CodeServerFrameType.CODE_GUEST, {
    clientId: guest.clientId,
    attemptsLeft: guest.attemptsLeft,
    timeoutMs: guest.timeoutMs,
  });
}

export function encodeCodeAdmitted(admitted: CodeAdmitted): Uint8Array {
  return json(CodeServerFrameType.CODE_ADMITTED, {
    clientId: admitted.clientId,
    ...(admitted.joinToken === undefined ? {} : { joinToken: admitted.joinToken }),
  });
}

export function encodeCodeAttemptFailed(failed: CodeAttemptFailed): Uint8Array {
  return json(CodeServerFrameType.CODE_ATTEMPT_FAILED, {
    clientId: failed.clientId,
    reason: failed.reason,
    attemptsLeft: failed.attemptsLeft,
  });
}

/**
 * Validates the JSON body of a code server frame (decodeServerFrame parses it). Never throws;
 * undefined for anything malformed.
 */
export function decodeCodeServerFrame(type: number, body: unknown): CodeServerFrame | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  switch (type) {
    case CodeServerFrameType.CODE_CHALLENGE:
      return isId(b.verifier) && isCount(b.attemptsLeft) && isCount(b.timeoutMs)
        ? {
            type: 'code-challenge',
            verifier: b.verifier,
            attemptsLeft: b.attemptsLeft,
            timeoutMs: b.timeoutMs,
          }
        : undefined;
    case CodeServerFrameType.CODE_GUEST:
      return isId(b.clientId) && isCount(b.attemptsLeft) && isCount(b.timeoutMs)
        ? {
            type: 'code-guest',
            clientId: b.clientId,
            attemptsLeft: b.attemptsLeft,
            timeoutMs: b.timeoutMs,
          }
        : undefined;
    case CodeServerFrameType.CODE_ADMITTED:
      if (!isId(b.clientId)) return undefined;
      if (b.joinToken !== undefined && typeof b.joinToken !== 'string') return undefined;
      return {
        type: 'code-admitted',
        clientId: b.clientId,
        ...(typeof b.joinToken === 'string' ? { joinToken: b.joinToken } : {}),
      };
    case CodeServerFrameType.CODE_ATTEMPT_FAILED:
      return isId(b.clientId) &&
        typeof b.reason === 'string' &&
        FAILURES.has(b.reason) &&
        isCount(b.attemptsLeft)
        ? {
            type: 'code-attempt-failed',
            clientId: b.clientId,
            reason: b.reason as CodeAttemptFailure,
            attemptsLeft: b.attemptsLeft,
          }
        : undefined;
    default:
      return undefined;
  }
}

export function isCodeServerFrameType(type: number): boolean {
  return (
    type >= CodeServerFrameType.CODE_CHALLENGE && type <= CodeServerFrameType.CODE_ATTEMPT_FAILED
  );
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID_PATTERN.test(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function json(type: number, body: unknown): Uint8Array {
  const text = utf8Encode(JSON.stringify(body));
  const out = new Uint8Array(1 + text.byteLength);
  out[0] = type;
  out.set(text, 1);
  return out;
}
