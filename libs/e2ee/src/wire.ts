/**
 * Common framing of E2EE payloads. Every payload this library puts inside a relay SEND/SEND_TO
 * (and reads out of a relay MESSAGE) starts with two bytes:
 *
 *   version u8 (= 1) | kind u8
 *
 * Sizes are checked before anything else is parsed. The relay never sees inside; these bytes are
 * only ever read by peers.
 */
import { type Bytes, utf8 } from './bytes';
import { E2eeErrorCode, type E2eeError, MalformedFrameError } from './errors';
import { sha256 } from './primitives';

export const WIRE_VERSION = 1;

export const FrameKind = {
  /** Key package: identity key, ephemeral ECDH key, signed (seed 000's `hs`). */
  HANDSHAKE: 0x01,
  /** Epoch commit: the group secret wrapped per member, signed (seed 000's `wrap`). */
  WRAP: 0x02,
  /** Application message: text, control (typing, read receipts) or a file manifest. */
  MESSAGE: 0x03,
  /** One chunk of a file stream, under the file's own key. */
  FILE_CHUNK: 0x04,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Largest payload of each kind, checked before parsing. */
export const MAX_FRAME_BYTES: Readonly<Record<FrameKind, number>> = {
  [FrameKind.HANDSHAKE]: 512,
  [FrameKind.WRAP]: 64 * 1024,
  [FrameKind.MESSAGE]: 160 * 1024,
  // The relay's default frame limit is 1 MiB including its own header (≤ 67 bytes).
  [FrameKind.FILE_CHUNK]: 1024 * 1024 - 128,
};

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E2eeError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}
export function fail<T>(error: E2eeError): Result<T> {
  return { ok: false, error };
}

/** Reads the kind of an E2EE payload after checking version and size. Never throws. */
export function peekKind(payload: Uint8Array): Result<FrameKind> {
  if (payload.byteLength < 2) return fail(new MalformedFrameError('frame shorter than its header'));
  if (payload[0] !== WIRE_VERSION) {
    return fail(new MalformedFrameError('unknown wire version', E2eeErrorCode.UNSUPPORTED_VERSION));
  }
  const kind = payload[1] as FrameKind;
  const max = MAX_FRAME_BYTES[kind];
  if (max === undefined) return fail(new MalformedFrameError('unknown frame kind'));
  if (payload.byteLength > max)
    return fail(new MalformedFrameError('frame too large', E2eeErrorCode.TOO_LARGE));
  return ok(kind);
}

/** Domain-separation labels: every signature, AAD and KDF input starts with one of these. */
export const Label = {
  KEY_PACKAGE: utf8('nullroom/v1/key-package'),
  HS_REPLY: utf8('nullroom/v1/hs-reply'),
  WRAP_SIG: utf8('nullroom/v1/wrap'),
  WRAP_AAD: utf8('nullroom/v1/wrap-aad'),
  WRAP_KEY: utf8('nullroom/v1/wrap-key'),
  COMMITMENT: utf8('nullroom/v1/key-commitment'),
  SENDER_KEY: utf8('nullroom/v1/sender-key'),
  MSG_AAD: utf8('nullroom/v1/msg'),
  MSG_SIG: utf8('nullroom/v1/msg-sig'),
  FILE_KEY: utf8('nullroom/v1/file-key'),
  CHUNK_AAD: utf8('nullroom/v1/chunk'),
  CHUNK_SIG: utf8('nullroom/v1/chunk-sig'),
  ROOM_TAG: utf8('nullroom/v1/room-tag'),
  SAFETY: utf8('nullroom/v1/safety-number'),
  FINGERPRINT: utf8('nullroom/v1/group-fingerprint'),
} as const;

export const ROOM_TAG_BYTES = 8;

/**
 * A short public tag of the room id carried by messages and chunks, so a frame redirected from
 * another room is refused before any crypto runs. The relay knows the room id anyway.
 */
export async function roomTag(roomId: string): Promise<Bytes> {
  const digest = await sha256(new Uint8Array([...Label.ROOM_TAG, ...utf8(roomId)]));
  return digest.slice(0, ROOM_TAG_BYTES);
}
