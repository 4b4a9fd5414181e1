/**
 * Application messages and file chunks: sender-authenticated AEAD frames.
 *
 *   MESSAGE     v | 0x03 | roomTag 8 | epoch u32 | seq u32 | ciphertext | sig 64
 *   FILE_CHUNK  v | 0x04 | roomTag 8 | fileId 16 | index u32 | flags u8 | ciphertext | sig 64
 *                                                                   flags bit 0: last chunk
 *
 * The sender id is not carried: the relay stamps it (MESSAGE.from) and both the AAD and the
 * signature bind it, with the room id, so a frame re-stamped with another sender, or redirected
 * to another room, fails. Nonces are counters (seq, index) under keys used by one sender only,
 * so a (key, nonce) pair never repeats.
 *
 *   message AAD  = "nullroom/v1/msg"   | str8 roomId | str8 sender | header
 *   chunk AAD    = "nullroom/v1/chunk" | str8 roomId | str8 sender | header
 *   signature    = Ed25519(identity, label-sig | str8 roomId | str8 sender | header | ciphertext)
 */
import { ByteReader, type Bytes, ByteWriter, concat, lp8 } from './bytes';
import { MalformedFrameError } from './errors';
import { ED25519_SIGNATURE_BYTES, GCM_TAG_BYTES } from './primitives';
import {
  fail,
  FrameKind,
  Label,
  MAX_FRAME_BYTES,
  ok,
  type Result,
  ROOM_TAG_BYTES,
  WIRE_VERSION,
} from './wire';

export const FILE_ID_BYTES = 16;
export const MESSAGE_HEADER_BYTES = 2 + ROOM_TAG_BYTES + 4 + 4;
export const CHUNK_HEADER_BYTES = 2 + ROOM_TAG_BYTES + FILE_ID_BYTES + 4 + 1;
const FLAG_LAST = 0x01;

export interface MessageFrame {
  readonly roomTag: Bytes;
  readonly epoch: number;
  readonly seq: number;
  readonly header: Bytes;
  readonly ciphertext: Bytes;
  readonly signature: Bytes;
}

export interface ChunkFrame {
  readonly roomTag: Bytes;
  readonly fileId: Bytes;
  readonly index: number;
  readonly last: boolean;
  readonly header: Bytes;
  readonly ciphertext: Bytes;
  readonly signature: Bytes;
}

export function encodeMessageHeader(roomTag: Uint8Array, epoch: number, seq: number): Bytes {
  return new ByteWriter()
    .u8(WIRE_VERSION)
    .u8(FrameKind.MESSAGE)
    .bytes(roomTag)
    .u32(epoch)
    .u32(seq)
    .finish();
}

export function encodeChunkHeader(
  roomTag: Uint8Array,
  fileId: Uint8Array,
  index: number,
  last: boolean,
): Bytes {
  return new ByteWriter()
    .u8(WIRE_VERSION)
    .u8(FrameKind.FILE_CHUNK)
    .bytes(roomTag)
    .bytes(fileId)
    .u32(index)
    .u8(last ? FLAG_LAST : 0)
    .finish();
}

export function messageAad(roomId: string, sender: string, header: Uint8Array): Bytes {
  return concat(Label.MSG_AAD, lp8(roomId), lp8(sender), header);
}

export function messageSigningInput(
  roomId: string,
  sender: string,
  header: Uint8Array,
  ciphertext: Uint8Array,
): Bytes {
  return concat(Label.MSG_SIG, lp8(roomId), lp8(sender), header, ciphertext);
}

export function chunkAad(roomId: string, sender: string, header: Uint8Array): Bytes {
  return concat(Label.CHUNK_AAD, lp8(roomId), lp8(sender), header);
}

export function chunkSigningInput(
  roomId: string,
  sender: string,
  header: Uint8Array,
  ciphertext: Uint8Array,
): Bytes {
  return concat(Label.CHUNK_SIG, lp8(roomId), lp8(sender), header, ciphertext);
}

export function decodeMessage(payload: Uint8Array): Result<MessageFrame> {
  if (payload.byteLength > MAX_FRAME_BYTES[FrameKind.MESSAGE])
    return fail(new MalformedFrameError('message too large'));
  if (payload.byteLength < MESSAGE_HEADER_BYTES + GCM_TAG_BYTES + ED25519_SIGNATURE_BYTES) {
    return fail(new MalformedFrameError('message too short'));
  }
  const r = new ByteReader(payload);
  if (r.u8() !== WIRE_VERSION || r.u8() !== FrameKind.MESSAGE)
    return fail(new MalformedFrameError('not a message'));
  const roomTag = r.bytes(ROOM_TAG_BYTES)!;
  const epoch = r.u32()!;
  const seq = r.u32()!;
  const ciphertext = r.rest(ED25519_SIGNATURE_BYTES)!;
  const signature = r.rest()!;
  return ok({
    roomTag,
    epoch,
    seq,
    header: payload.slice(0, MESSAGE_HEADER_BYTES),
    ciphertext,
    signature,
  });
}

export function decodeChunk(payload: Uint8Array): Result<ChunkFrame> {
  if (payload.byteLength > MAX_FRAME_BYTES[FrameKind.FILE_CHUNK])
    return fail(new MalformedFrameError('chunk too large'));
  if (payload.byteLength < CHUNK_HEADER_BYTES + GCM_TAG_BYTES + ED25519_SIGNATURE_BYTES) {
    return fail(new MalformedFrameError('chunk too short'));
  }
  const r = new ByteReader(payload);
  if (r.u8() !== WIRE_VERSION || r.u8() !== FrameKind.FILE_CHUNK)
    return fail(new MalformedFrameError('not a chunk'));
  const roomTag = r.bytes(ROOM_TAG_BYTES)!;
  const fileId = r.bytes(FILE_ID_BYTES)!;
  const index = r.u32()!;
  const flags = r.u8()!;
  if ((flags & ~FLAG_LAST) !== 0) return fail(new MalformedFrameError('bad chunk flags'));
  const ciphertext = r.rest(ED25519_SIGNATURE_BYTES)!;
  const signature = r.rest()!;
  return ok({
    roomTag,
    fileId,
    index,
    last: (flags & FLAG_LAST) !== 0,
    header: payload.slice(0, CHUNK_HEADER_BYTES),
    ciphertext,
    signature,
  });
}
