/**
 * The library's error hierarchy. Every rejection of peer input is one of these, carried in a
 * `rejected` event or a result — never thrown out of a decoder. `code` is stable and safe to log;
 * messages never contain key material or payload bytes.
 */
export const E2eeErrorCode = {
  MALFORMED: 'malformed',
  TOO_LARGE: 'too_large',
  UNSUPPORTED_VERSION: 'unsupported_version',
  BAD_SIGNATURE: 'bad_signature',
  DECRYPT_FAILED: 'decrypt_failed',
  INVALID_KEY: 'invalid_key',
  REPLAY: 'replay',
  OUT_OF_ORDER: 'out_of_order',
  ROOM_MISMATCH: 'room_mismatch',
  SENDER_MISMATCH: 'sender_mismatch',
  NOT_A_MEMBER: 'not_a_member',
  NOT_LEADER: 'not_leader',
  KEY_MISMATCH: 'key_mismatch',
  STALE_EPOCH: 'stale_epoch',
  FILE_INTEGRITY: 'file_integrity',
  PENDING_OVERFLOW: 'pending_overflow',
  TIMEOUT: 'timeout',
  NOT_READY: 'not_ready',
  CLOSED: 'closed',
  UNSUPPORTED_PLATFORM: 'unsupported_platform',
  /** A code-room PAKE did not confirm: the other side used another code (or the run was tampered with). */
  WRONG_CODE: 'wrong_code',
  /** A code could not be read: unknown word, missing nameplate, too few words. */
  INVALID_CODE: 'invalid_code',
} as const;
export type E2eeErrorCode = (typeof E2eeErrorCode)[keyof typeof E2eeErrorCode];

export class E2eeError extends Error {
  constructor(
    readonly code: E2eeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'E2eeError';
  }
}

/** Bytes that do not parse: wrong length, truncated, bad field. */
export class MalformedFrameError extends E2eeError {
  constructor(message: string, code: E2eeErrorCode = E2eeErrorCode.MALFORMED) {
    super(code, message);
    this.name = 'MalformedFrameError';
  }
}

/** A signature did not verify: forged sender, tampered handshake, modified frame. */
export class SignatureError extends E2eeError {
  constructor(message: string) {
    super(E2eeErrorCode.BAD_SIGNATURE, message);
    this.name = 'SignatureError';
  }
}

/** AEAD authentication failed: wrong key, wrong context (AAD), truncated or modified tag. */
export class DecryptError extends E2eeError {
  constructor(message: string) {
    super(E2eeErrorCode.DECRYPT_FAILED, message);
    this.name = 'DecryptError';
  }
}

/** A public key that is not a valid point or has the wrong form. */
export class InvalidKeyError extends E2eeError {
  constructor(message: string) {
    super(E2eeErrorCode.INVALID_KEY, message);
    this.name = 'InvalidKeyError';
  }
}

/** A frame seen before, or older than what was already accepted. */
export class ReplayError extends E2eeError {
  constructor(message: string) {
    super(E2eeErrorCode.REPLAY, message);
    this.name = 'ReplayError';
  }
}

/** A frame ahead of the next expected one: something was dropped or reordered on the way. */
export class SequenceError extends E2eeError {
  constructor(message: string) {
    super(E2eeErrorCode.OUT_OF_ORDER, message);
    this.name = 'SequenceError';
  }
}

/** A frame bound to another room or another sender than the one it arrived as. */
export class ContextMismatchError extends E2eeError {
  constructor(
    code: typeof E2eeErrorCode.ROOM_MISMATCH | typeof E2eeErrorCode.SENDER_MISMATCH,
    message: string,
  ) {
    super(code, message);
    this.name = 'ContextMismatchError';
  }
}

/** Membership rules: not in the roster, not the committer we expect, roster keys differ. */
export class MembershipError extends E2eeError {
  constructor(
    code:
      | typeof E2eeErrorCode.NOT_A_MEMBER
      | typeof E2eeErrorCode.NOT_LEADER
      | typeof E2eeErrorCode.KEY_MISMATCH
      | typeof E2eeErrorCode.STALE_EPOCH,
    message: string,
  ) {
    super(code, message);
    this.name = 'MembershipError';
  }
}

/** A file stream that is out of order, spliced, truncated or inconsistent with its manifest. */
export class FileIntegrityError extends E2eeError {
  constructor(message: string) {
    super(E2eeErrorCode.FILE_INTEGRITY, message);
    this.name = 'FileIntegrityError';
  }
}

/** Local state: no key yet, session closed, too many frames waiting, waited too long. */
export class SessionStateError extends E2eeError {
  constructor(
    code:
      | typeof E2eeErrorCode.NOT_READY
      | typeof E2eeErrorCode.CLOSED
      | typeof E2eeErrorCode.PENDING_OVERFLOW
      | typeof E2eeErrorCode.TIMEOUT,
    message: string,
  ) {
    super(code, message);
    this.name = 'SessionStateError';
  }
}

export class UnsupportedPlatformError extends E2eeError {
  constructor(message: string) {
    super(E2eeErrorCode.UNSUPPORTED_PLATFORM, message);
    this.name = 'UnsupportedPlatformError';
  }
}

/**
 * The code-room PAKE failed its key confirmation: the two sides did not use the same code. A relay
 * that alters a PAKE message causes the same failure; the two cannot be told apart, by design.
 */
export class WrongCodeError extends E2eeError {
  constructor(message = 'wrong code') {
    super(E2eeErrorCode.WRONG_CODE, message);
    this.name = 'WrongCodeError';
  }
}

/** Typed input that is not a code: names what is wrong (never echoes the code). */
export class InvalidCodeError extends E2eeError {
  constructor(message: string) {
    super(E2eeErrorCode.INVALID_CODE, message);
    this.name = 'InvalidCodeError';
  }
}
