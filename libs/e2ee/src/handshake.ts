/**
 * The handshake (seed 000's `hs`), made of a signed key package and, in replies, a signed echo.
 *
 *   HANDSHAKE  v | 0x01 | flags u8 | keyPackage | [echo 16 | echoSig 64]     flags bit 0: reply
 *   keyPackage roomId str8 | clientId str8 | nonce 16 | identityKey 32 | ephemeralKey 65 | sig 64
 *
 * The key package is what stays fixed for a connection: its SHA-256 (`kpHash`) names it in every
 * commit and in the wrap-key derivation, so a swapped ephemeral key breaks the signature, and a
 * key package replayed from an older connection does not match the commit's transcript.
 * A reply additionally signs the newcomer's nonce, proving it is fresh.
 */
import { ByteReader, type Bytes, ByteWriter, concat } from './bytes';
import { MalformedFrameError, type E2eeError } from './errors';
import {
  ED25519_PUBLIC_BYTES,
  ED25519_SIGNATURE_BYTES,
  P256_POINT_BYTES,
  sha256,
} from './primitives';
import { fail, FrameKind, Label, MAX_FRAME_BYTES, ok, type Result, WIRE_VERSION } from './wire';

export const NONCE_BYTES = 16;
const FLAG_REPLY = 0x01;

export interface KeyPackage {
  readonly roomId: string;
  readonly clientId: string;
  readonly nonce: Bytes;
  readonly identityKey: Bytes;
  readonly ephemeralKey: Bytes;
  readonly signature: Bytes;
  /** The encoded key package, signature included. */
  readonly bytes: Bytes;
}

export interface Handshake {
  readonly keyPackage: KeyPackage;
  /** Present in replies: the nonce of the key package this one answers, and its signature. */
  readonly reply?: { readonly echo: Bytes; readonly signature: Bytes };
}

export function keyPackageSignedPart(
  roomId: string,
  clientId: string,
  nonce: Uint8Array,
  identityKey: Uint8Array,
  ephemeralKey: Uint8Array,
): Bytes {
  return new ByteWriter()
    .str8(roomId)
    .str8(clientId)
    .bytes(nonce)
    .bytes(identityKey)
    .bytes(ephemeralKey)
    .finish();
}

export function keyPackageSigningInput(unsigned: Uint8Array): Bytes {
  return concat(Label.KEY_PACKAGE, unsigned);
}

export function replySigningInput(kpHash: Uint8Array, echo: Uint8Array): Bytes {
  return concat(Label.HS_REPLY, kpHash, echo);
}

export function encodeHandshake(
  keyPackage: Uint8Array,
  reply?: { echo: Uint8Array; signature: Uint8Array },
): Bytes {
  const w = new ByteWriter()
    .u8(WIRE_VERSION)
    .u8(FrameKind.HANDSHAKE)
    .u8(reply ? FLAG_REPLY : 0)
    .bytes(keyPackage);
  if (reply) w.bytes(reply.echo).bytes(reply.signature);
  return w.finish();
}

export function decodeHandshake(payload: Uint8Array): Result<Handshake> {
  if (payload.byteLength > MAX_FRAME_BYTES[FrameKind.HANDSHAKE])
    return fail(malformed('handshake too large'));
  const r = new ByteReader(payload);
  if (r.u8() !== WIRE_VERSION || r.u8() !== FrameKind.HANDSHAKE)
    return fail(malformed('not a handshake'));
  const flags = r.u8();
  const start = r.offset;
  const roomId = r.str8();
  const clientId = r.str8();
  const nonce = r.bytes(NONCE_BYTES);
  const identityKey = r.bytes(ED25519_PUBLIC_BYTES);
  const ephemeralKey = r.bytes(P256_POINT_BYTES);
  const signature = r.bytes(ED25519_SIGNATURE_BYTES);
  const end = r.offset;
  if (flags === undefined || (flags & ~FLAG_REPLY) !== 0)
    return fail(malformed('bad handshake flags'));
  let reply: Handshake['reply'];
  if (flags & FLAG_REPLY) {
    const echo = r.bytes(NONCE_BYTES);
    const echoSig = r.bytes(ED25519_SIGNATURE_BYTES);
    if (echo && echoSig) reply = { echo, signature: echoSig };
  }
  if (
    !r.done ||
    roomId === undefined ||
    clientId === undefined ||
    !nonce ||
    !identityKey ||
    !ephemeralKey ||
    !signature
  ) {
    return fail(malformed('truncated or oversized handshake'));
  }
  const bytes = payload.slice(start, end);
  return ok({
    keyPackage: { roomId, clientId, nonce, identityKey, ephemeralKey, signature, bytes },
    ...(reply ? { reply } : {}),
  });
}

export function keyPackageHash(keyPackage: KeyPackage): Promise<Bytes> {
  return sha256(keyPackage.bytes);
}

function malformed(message: string): E2eeError {
  return new MalformedFrameError(message);
}
