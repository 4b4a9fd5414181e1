/**
 * The three (or, on failure, two) messages of a code-room PAKE run, as they travel in a relay
 * SEND_TO payload. Every message has a fixed length, whatever the code, the identities or the
 * outcome: a recording shows that a PAKE ran and how it ended, nothing else.
 *
 *   HELLO    01 40 ‖ sid₁₆ ‖ Ya₃₂                          initiator → responder    50 B
 *   REPLY    01 41 ‖ Yb₃₂ ‖ seal_r₁₄₄                       responder → initiator   178 B
 *   CONFIRM  01 42 ‖ seal_i₁₄₄                              initiator → responder   146 B
 *   ABORT    01 43 ‖ reason u8                              initiator → responder     3 B
 *
 * seal = AES-256-GCM(identityKey₃₂ ‖ bindingHash₃₂ ‖ signature₆₄) + tag₁₆, under a key derived
 * from CPace's ISK (code-pake.ts). Decoders never throw and check the length first.
 */
import { ByteReader, ByteWriter, type Bytes } from '../bytes';
import { E2eeErrorCode, MalformedFrameError } from '../errors';
import { fail, ok, type Result, WIRE_VERSION } from '../wire';
import { CPACE_ELEMENT_BYTES } from './cpace';

/** Kinds of PAKE payloads; 0x40–0x4f is the code-room range of the E2EE kind byte. */
export const PakeKind = {
  HELLO: 0x40,
  REPLY: 0x41,
  CONFIRM: 0x42,
  ABORT: 0x43,
} as const;
export type PakeKind = (typeof PakeKind)[keyof typeof PakeKind];

export const PAKE_SID_BYTES = 16;
/** identity key, binding hash, Ed25519 signature. */
export const PAKE_SEALED_PLAINTEXT_BYTES = 32 + 32 + 64;
export const PAKE_SEALED_BYTES = PAKE_SEALED_PLAINTEXT_BYTES + 16;

export const PAKE_MESSAGE_BYTES: Readonly<Record<PakeKind, number>> = {
  [PakeKind.HELLO]: 2 + PAKE_SID_BYTES + CPACE_ELEMENT_BYTES,
  [PakeKind.REPLY]: 2 + CPACE_ELEMENT_BYTES + PAKE_SEALED_BYTES,
  [PakeKind.CONFIRM]: 2 + PAKE_SEALED_BYTES,
  [PakeKind.ABORT]: 3,
};

/** Why an initiator gave up; only one reason today. */
export const PakeAbortReason = {
  /** The responder's REPLY did not open: the codes differ (or the REPLY was altered). */
  WRONG_CODE: 1,
} as const;

export type PakeMessage =
  | { readonly kind: 'hello'; readonly sid: Bytes; readonly ya: Bytes }
  | { readonly kind: 'reply'; readonly yb: Bytes; readonly sealed: Bytes }
  | { readonly kind: 'confirm'; readonly sealed: Bytes }
  | { readonly kind: 'abort'; readonly reason: number };

export function encodeHello(sid: Uint8Array, ya: Uint8Array): Bytes {
  check(sid, PAKE_SID_BYTES, 'sid');
  check(ya, CPACE_ELEMENT_BYTES, 'ya');
  return header(PakeKind.HELLO).bytes(sid).bytes(ya).finish();
}

export function encodeReply(yb: Uint8Array, sealed: Uint8Array): Bytes {
  check(yb, CPACE_ELEMENT_BYTES, 'yb');
  check(sealed, PAKE_SEALED_BYTES, 'sealed');
  return header(PakeKind.REPLY).bytes(yb).bytes(sealed).finish();
}

export function encodeConfirm(sealed: Uint8Array): Bytes {
  check(sealed, PAKE_SEALED_BYTES, 'sealed');
  return header(PakeKind.CONFIRM).bytes(sealed).finish();
}

export function encodeAbort(reason: number = PakeAbortReason.WRONG_CODE): Bytes {
  if (!Number.isInteger(reason) || reason < 0 || reason > 255)
    throw new RangeError('reason: must be a byte');
  return header(PakeKind.ABORT).u8(reason).finish();
}

/** True when a payload is a PAKE message (version 1, kind 0x40–0x43), before full decoding. */
export function isPakePayload(payload: Uint8Array): boolean {
  return (
    payload.byteLength >= 2 &&
    payload[0] === WIRE_VERSION &&
    payload[1]! >= PakeKind.HELLO &&
    payload[1]! <= PakeKind.ABORT
  );
}

/** Decodes any PAKE message. Never throws. */
export function decodePakeMessage(payload: Uint8Array): Result<PakeMessage> {
  if (!isPakePayload(payload)) return fail(new MalformedFrameError('not a PAKE message'));
  const kind = payload[1] as PakeKind;
  if (payload.byteLength !== PAKE_MESSAGE_BYTES[kind]) {
    const code =
      payload.byteLength > PAKE_MESSAGE_BYTES[kind]
        ? E2eeErrorCode.TOO_LARGE
        : E2eeErrorCode.MALFORMED;
    return fail(new MalformedFrameError('PAKE message of the wrong length', code));
  }
  const r = new ByteReader(payload.subarray(2));
  switch (kind) {
    case PakeKind.HELLO:
      return done(r, {
        kind: 'hello',
        sid: r.bytes(PAKE_SID_BYTES)!,
        ya: r.bytes(CPACE_ELEMENT_BYTES)!,
      });
    case PakeKind.REPLY:
      return done(r, {
        kind: 'reply',
        yb: r.bytes(CPACE_ELEMENT_BYTES)!,
        sealed: r.bytes(PAKE_SEALED_BYTES)!,
      });
    case PakeKind.CONFIRM:
      return done(r, { kind: 'confirm', sealed: r.bytes(PAKE_SEALED_BYTES)! });
    case PakeKind.ABORT:
      return done(r, { kind: 'abort', reason: r.u8()! });
  }
}

function done(r: ByteReader, message: PakeMessage): Result<PakeMessage> {
  return r.done ? ok(message) : fail(new MalformedFrameError('truncated PAKE message'));
}

function header(kind: PakeKind): ByteWriter {
  return new ByteWriter().u8(WIRE_VERSION).u8(kind);
}

function check(value: Uint8Array, length: number, name: string): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: must be a Uint8Array`);
  if (value.byteLength !== length) throw new RangeError(`${name}: must be ${length} bytes`);
}
