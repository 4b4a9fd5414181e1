/**
 * The epoch commit (seed 000's `wrap`, made a signed, roster-binding commit):
 *
 *   WRAP  v | 0x02 | roomId str8 | committer str8 | epoch u32 | keyCommitment 32
 *         | count u16 | count × (memberId str8 | kpHash 32 | n u8 | wrappedSecret n) | sig 64
 *
 * One entry per member of the new epoch, the committer included (with n = 0). `kpHash` pins the
 * key package the committer used for that member: a receiver refuses the commit unless every
 * hash matches the key package it verified itself, so the relay can't show members different
 * keys. `wrappedSecret` is AES-256-GCM(wrapKey, 0^96, groupSecret, aad) — 48 bytes — where the
 * wrap key is HKDF over that pair's ECDH secret with both key-package hashes as salt and the
 * (room, epoch, committer, member) context as info, so each wrap key is used exactly once.
 * `keyCommitment` = HKDF(groupSecret, "key-commitment" | room | epoch) lets everyone check they
 * got the same secret and goes into the group fingerprint.
 */
import { ByteReader, type Bytes, ByteWriter, concat, lp8, u32 } from './bytes';
import { MalformedFrameError } from './errors';
import { ED25519_SIGNATURE_BYTES, GCM_TAG_BYTES, HASH_BYTES } from './primitives';
import { fail, FrameKind, Label, MAX_FRAME_BYTES, ok, type Result, WIRE_VERSION } from './wire';

export const GROUP_SECRET_BYTES = 32;
export const WRAPPED_SECRET_BYTES = GROUP_SECRET_BYTES + GCM_TAG_BYTES;

export interface WrapEntry {
  readonly memberId: string;
  readonly kpHash: Bytes;
  /** Empty for the committer's own entry. */
  readonly wrapped: Bytes;
}

export interface WrapFrame {
  readonly roomId: string;
  readonly committer: string;
  readonly epoch: number;
  readonly keyCommitment: Bytes;
  readonly entries: readonly WrapEntry[];
  readonly signature: Bytes;
  /** Everything the signature covers (without the label). */
  readonly signed: Bytes;
}

export function encodeWrapUnsigned(frame: Omit<WrapFrame, 'signature' | 'signed'>): Bytes {
  if (frame.entries.length > 0xffff) throw new RangeError('entries: too many members');
  const w = new ByteWriter()
    .u8(WIRE_VERSION)
    .u8(FrameKind.WRAP)
    .str8(frame.roomId)
    .str8(frame.committer)
    .u32(frame.epoch)
    .bytes(frame.keyCommitment)
    .u16(frame.entries.length);
  for (const e of frame.entries) {
    w.str8(e.memberId).bytes(e.kpHash).u8(e.wrapped.byteLength).bytes(e.wrapped);
  }
  return w.finish();
}

export function wrapSigningInput(unsigned: Uint8Array): Bytes {
  return concat(Label.WRAP_SIG, unsigned);
}

/** AAD of one wrapped secret: binds it to room, epoch, committer, commitment and recipient. */
export function wrapAad(
  roomId: string,
  committer: string,
  epoch: number,
  keyCommitment: Uint8Array,
  memberId: string,
): Bytes {
  return concat(
    Label.WRAP_AAD,
    lp8(roomId),
    lp8(committer),
    u32(epoch),
    keyCommitment,
    lp8(memberId),
  );
}

/** HKDF info of a wrap key. */
export function wrapKeyInfo(
  roomId: string,
  committer: string,
  epoch: number,
  memberId: string,
): Bytes {
  return concat(Label.WRAP_KEY, lp8(roomId), lp8(committer), u32(epoch), lp8(memberId));
}

export function decodeWrap(payload: Uint8Array): Result<WrapFrame> {
  if (payload.byteLength > MAX_FRAME_BYTES[FrameKind.WRAP])
    return fail(new MalformedFrameError('wrap too large'));
  if (payload.byteLength < 2 + ED25519_SIGNATURE_BYTES)
    return fail(new MalformedFrameError('wrap too short'));
  const signedEnd = payload.byteLength - ED25519_SIGNATURE_BYTES;
  const r = new ByteReader(payload.subarray(0, signedEnd));
  if (r.u8() !== WIRE_VERSION || r.u8() !== FrameKind.WRAP)
    return fail(new MalformedFrameError('not a wrap'));
  const roomId = r.str8();
  const committer = r.str8();
  const epoch = r.u32();
  const keyCommitment = r.bytes(HASH_BYTES);
  const count = r.u16();
  const entries: WrapEntry[] = [];
  for (let i = 0; count !== undefined && i < count && r.ok; i++) {
    const memberId = r.str8();
    const kpHash = r.bytes(HASH_BYTES);
    const n = r.u8();
    if (n !== undefined && n !== 0 && n !== WRAPPED_SECRET_BYTES) {
      return fail(new MalformedFrameError('wrapped secret has the wrong length'));
    }
    const wrapped = r.bytes(n ?? 0);
    if (memberId !== undefined && kpHash && wrapped) entries.push({ memberId, kpHash, wrapped });
  }
  if (
    !r.done ||
    roomId === undefined ||
    committer === undefined ||
    epoch === undefined ||
    !keyCommitment ||
    count === undefined
  ) {
    return fail(new MalformedFrameError('truncated or oversized wrap'));
  }
  const ids = new Set(entries.map((e) => e.memberId));
  if (ids.size !== entries.length) return fail(new MalformedFrameError('duplicate member in wrap'));
  return ok({
    roomId,
    committer,
    epoch,
    keyCommitment,
    entries,
    signature: payload.slice(signedEnd),
    signed: payload.slice(0, signedEnd),
  });
}
