export * from './errors';
export * from './group-session';
export { NullroomSession, type SessionOptions } from './session';
export { Identity } from './identity';
export { safetyNumber, groupFingerprint, type FingerprintInput } from './fingerprint';
export {
  type Content,
  type ChatContent,
  type DeliveredContent,
  type FileManifest,
  type FileOffer,
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  MAX_PREVIEW_BYTES,
  chunkCountFor,
  encodeContent,
  decodeContent,
} from './content';
export { padme, pad, unpad, paddedLength, MIN_PADDED_BYTES } from './padding';
export { FrameKind, WIRE_VERSION, MAX_FRAME_BYTES, peekKind, roomTag, type Result } from './wire';
export { decodeHandshake, encodeHandshake, type Handshake, type KeyPackage } from './handshake';
export { decodeWrap, type WrapFrame, type WrapEntry } from './wrap';
export { decodeMessage, decodeChunk, type MessageFrame, type ChunkFrame } from './message-frame';
export {
  sealMessage,
  openMessage,
  verifyMessage,
  sealChunk,
  openChunk,
  verifyChunk,
  type MessageContext,
} from './seal';
export {
  deriveSenderKey,
  deriveFileKey,
  deriveKeyCommitment,
  deriveWrapKey,
  importGroupSecret,
} from './keys';
export {
  aesGcmSeal,
  aesGcmOpen,
  counterNonce,
  sha256,
  hkdfBits,
  importHkdfKey,
  importEphemeralPublic,
  importEphemeralJwk,
  importEd25519Public,
  ed25519Verify,
  generateEphemeral,
  type EphemeralKeyPair,
} from './primitives';
export { getSubtle, randomBytes } from './platform';
export { toHex, fromHex, concat, bytesEqual, type Bytes } from './bytes';
export {
  CodePakeInitiator,
  CodePakeResponder,
  type CodePakeOptions,
  type PakeIdentity,
  type PakeOutcome,
} from './pake/code-pake';
export {
  PakeKind,
  PakeAbortReason,
  PAKE_MESSAGE_BYTES,
  decodePakeMessage,
  encodeAbort,
  isPakePayload,
  type PakeMessage,
} from './pake/pake-messages';
export {
  type Code,
  DEFAULT_CODE_WORDS,
  MIN_CODE_WORDS,
  MAX_CODE_WORDS,
  generateCodeWords,
  makeCode,
  parseCode,
  resolveWord,
} from './code/code';
export { CODE_WORDLIST, CODE_WORDLIST_SHA256 } from './code/wordlist';
