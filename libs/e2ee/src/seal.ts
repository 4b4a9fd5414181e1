/**
 * Sealing and opening of MESSAGE and FILE_CHUNK frames, as pure functions of their inputs (the
 * session supplies keys and counters; the golden vectors call these directly).
 */
import { type Bytes, bytesEqual, concat } from './bytes';
import { type Content, decodeContent, encodeContent } from './content';
import {
  type E2eeError,
  ContextMismatchError,
  E2eeErrorCode,
  MalformedFrameError,
  SignatureError,
} from './errors';
import { type Identity } from './identity';
import {
  chunkAad,
  chunkSigningInput,
  decodeChunk,
  decodeMessage,
  encodeChunkHeader,
  encodeMessageHeader,
  messageAad,
  messageSigningInput,
  type ChunkFrame,
  type MessageFrame,
} from './message-frame';
import { pad, unpad } from './padding';
import { aesGcmOpen, aesGcmSeal, counterNonce, ed25519Verify } from './primitives';
import { fail, ok, type Result } from './wire';

export interface MessageContext {
  readonly roomId: string;
  readonly roomTag: Uint8Array;
  readonly sender: string;
}

export async function sealMessage(
  ctx: MessageContext,
  key: CryptoKey,
  identity: Identity,
  epoch: number,
  seq: number,
  content: Content,
): Promise<Bytes> {
  const header = encodeMessageHeader(ctx.roomTag, epoch, seq);
  const ciphertext = await aesGcmSeal(
    key,
    counterNonce(seq),
    messageAad(ctx.roomId, ctx.sender, header),
    pad(encodeContent(content)),
  );
  const signature = await identity.sign(
    messageSigningInput(ctx.roomId, ctx.sender, header, ciphertext),
  );
  return concat(header, ciphertext, signature);
}

/** Parses a MESSAGE and checks room and sender signature; decryption is `openMessage`. */
export async function verifyMessage(
  ctx: MessageContext,
  payload: Uint8Array,
  senderIdentity: CryptoKey,
): Promise<Result<MessageFrame>> {
  const decoded = decodeMessage(payload);
  if (!decoded.ok) return decoded;
  const frame = decoded.value;
  if (!bytesEqual(frame.roomTag, ctx.roomTag)) {
    return fail(
      new ContextMismatchError(E2eeErrorCode.ROOM_MISMATCH, 'message is bound to another room'),
    );
  }
  const signed = messageSigningInput(ctx.roomId, ctx.sender, frame.header, frame.ciphertext);
  if (!(await ed25519Verify(senderIdentity, frame.signature, signed))) {
    return fail(new SignatureError('message signature does not verify for its sender'));
  }
  return ok(frame);
}

export async function openMessage(
  ctx: MessageContext,
  frame: MessageFrame,
  key: CryptoKey,
): Promise<Result<Content>> {
  const plain = await aesGcmOpen(
    key,
    counterNonce(frame.seq),
    messageAad(ctx.roomId, ctx.sender, frame.header),
    frame.ciphertext,
  );
  if (!(plain instanceof Uint8Array)) return fail(plain);
  const body = unpad(plain);
  const content = body && decodeContent(body);
  return content ? ok(content) : fail(new MalformedFrameError('message content does not parse'));
}

export async function sealChunk(
  ctx: MessageContext,
  key: CryptoKey,
  identity: Identity,
  fileId: Uint8Array,
  index: number,
  last: boolean,
  data: Uint8Array,
  chunkSize: number,
): Promise<Bytes> {
  const header = encodeChunkHeader(ctx.roomTag, fileId, index, last);
  const ciphertext = await aesGcmSeal(
    key,
    counterNonce(index),
    chunkAad(ctx.roomId, ctx.sender, header),
    pad(data, chunkSize + 4),
  );
  const signature = await identity.sign(
    chunkSigningInput(ctx.roomId, ctx.sender, header, ciphertext),
  );
  return concat(header, ciphertext, signature);
}

export async function verifyChunk(
  ctx: MessageContext,
  payload: Uint8Array,
  senderIdentity: CryptoKey,
): Promise<Result<ChunkFrame>> {
  const decoded = decodeChunk(payload);
  if (!decoded.ok) return decoded;
  const frame = decoded.value;
  if (!bytesEqual(frame.roomTag, ctx.roomTag)) {
    return fail(
      new ContextMismatchError(E2eeErrorCode.ROOM_MISMATCH, 'chunk is bound to another room'),
    );
  }
  const signed = chunkSigningInput(ctx.roomId, ctx.sender, frame.header, frame.ciphertext);
  if (!(await ed25519Verify(senderIdentity, frame.signature, signed))) {
    return fail(new SignatureError('chunk signature does not verify for its sender'));
  }
  return ok(frame);
}

export async function openChunk(
  ctx: MessageContext,
  frame: ChunkFrame,
  key: CryptoKey,
): Promise<Bytes | E2eeError> {
  const plain = await aesGcmOpen(
    key,
    counterNonce(frame.index),
    chunkAad(ctx.roomId, ctx.sender, frame.header),
    frame.ciphertext,
  );
  if (!(plain instanceof Uint8Array)) return plain;
  return unpad(plain) ?? new MalformedFrameError('chunk padding is wrong');
}
