import { E2eeErrorCode, type E2eeError } from '@nullroom/e2ee';
import { CloseMeaning, closeMeaning } from '../close-meaning';

/** Why joining or hosting a code room failed. Stable codes, safe to show or log. */
export const CodeRoomErrorCode = {
  /** The other side typed another code (or a PAKE message was altered on the way). */
  WRONG_CODE: 'wrong_code',
  /** The typed text is not a code (unknown word, no number, too few words). */
  INVALID_CODE: 'invalid_code',
  /** No room has this nameplate (mistyped number, or the room ended). */
  NOT_FOUND: 'not_found',
  /** The room already has all its members (4410). */
  ROOM_FULL: 'room_full',
  /** Too many wrong codes: the relay closed the room (4442). Make a new code. */
  ROOM_LOCKED: 'room_locked',
  /** This device saw as many failed attempts as it accepts, and stopped verifying. */
  TOO_MANY_ATTEMPTS: 'too_many_attempts',
  /** Nobody who knows the code is in the room (4440), even after retrying. */
  NO_VERIFIER: 'no_verifier',
  /** Other attempts kept the room busy (4444), even after retrying. */
  BUSY: 'busy',
  /** The PAKE was not confirmed in time (4443, or no answer). */
  TIMEOUT: 'timeout',
  /** Too many code attempts from this address (4429). */
  RATE_LIMITED: 'rate_limited',
  /** The PAKE failed otherwise: an invalid element, a bad signature, a malformed message. */
  PAKE_FAILED: 'pake_failed',
  /** The connection ended for another reason (see `closeCode`). */
  CLOSED: 'closed',
} as const;
export type CodeRoomErrorCode = (typeof CodeRoomErrorCode)[keyof typeof CodeRoomErrorCode];

export class CodeRoomError extends Error {
  constructor(
    readonly code: CodeRoomErrorCode,
    message: string,
    /** The relay's close code, when the relay ended it. */
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = 'CodeRoomError';
  }
}

/** What a close code from the relay means for a code-room member (libs/client's one table). */
export function codeRoomErrorForClose(code: number, reason: string): CodeRoomError {
  const error = (c: CodeRoomErrorCode, message: string) => new CodeRoomError(c, message, code);
  switch (closeMeaning(code)) {
    case CloseMeaning.WRONG_CODE:
      return error(CodeRoomErrorCode.WRONG_CODE, 'wrong code');
    case CloseMeaning.ROOM_LOCKED:
      return error(CodeRoomErrorCode.ROOM_LOCKED, 'too many wrong codes: the room is closed');
    case CloseMeaning.NO_VERIFIER:
      return error(CodeRoomErrorCode.NO_VERIFIER, 'nobody who knows the code is there');
    case CloseMeaning.CODE_BUSY:
      return error(CodeRoomErrorCode.BUSY, 'the room is busy with other attempts');
    case CloseMeaning.CODE_TIMEOUT:
      return error(CodeRoomErrorCode.TIMEOUT, 'the code was not confirmed in time');
    case CloseMeaning.ROOM_NOT_FOUND:
      return error(CodeRoomErrorCode.NOT_FOUND, 'no room with this number');
    case CloseMeaning.ROOM_FULL:
      return error(CodeRoomErrorCode.ROOM_FULL, 'the room is full');
    case CloseMeaning.RATE_LIMITED:
      return error(CodeRoomErrorCode.RATE_LIMITED, 'too many attempts from here');
    default:
      return error(
        CodeRoomErrorCode.CLOSED,
        `connection closed (${code}${reason ? `: ${reason}` : ''})`,
      );
  }
}

/** A failed PAKE run, from the E2EE layer's typed error. */
export function codeRoomErrorForPake(error: E2eeError): CodeRoomError {
  return error.code === E2eeErrorCode.WRONG_CODE
    ? new CodeRoomError(CodeRoomErrorCode.WRONG_CODE, 'wrong code')
    : new CodeRoomError(CodeRoomErrorCode.PAKE_FAILED, `code check failed (${error.code})`);
}
