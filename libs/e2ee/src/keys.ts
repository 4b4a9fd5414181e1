/**
 * Key schedule. Every key is derived with HKDF-SHA-256 (RFC 5869) from a secret and a context
 * that names exactly what the key is for, so no two uses can share a key:
 *
 *   pairKey   = HKDF-key(ECDH(ephA, ephB).x)                          per pair of connections
 *   wrapKey   = HKDF(pairKey, salt = kpHash(committer) | kpHash(member),
 *                    info = "wrap-key" | room | committer | epoch | member)  one use
 *   groupKey  = HKDF-key(groupSecret)                                 per epoch
 *   commitment= HKDF(groupKey, info = "key-commitment" | room | epoch)
 *   senderKey = HKDF(groupKey, info = "sender-key" | room | epoch | sender | kpHash(sender))
 *   fileKey   = HKDF(fileSecret, info = "file-key" | room | fileId | sender)
 *
 * The handshake transcript (the key-package hashes, which cover both identity keys, both
 * ephemeral keys and both nonces) is the salt of every wrap key.
 */
import { type Bytes, concat, lp8, u32 } from './bytes';
import { counterNonce, hkdfAesKey, hkdfBits, importHkdfKey } from './primitives';
import { Label } from './wire';

const EMPTY = new Uint8Array(0);

export function deriveWrapKey(
  pairKey: CryptoKey,
  committerKpHash: Uint8Array,
  memberKpHash: Uint8Array,
  info: Uint8Array,
  extractable = false,
): Promise<CryptoKey> {
  return hkdfAesKey(pairKey, concat(committerKpHash, memberKpHash), info, extractable);
}

export function importGroupSecret(secret: Uint8Array): Promise<CryptoKey> {
  return importHkdfKey(secret);
}

export function deriveKeyCommitment(
  groupKey: CryptoKey,
  roomId: string,
  epoch: number,
): Promise<Bytes> {
  return hkdfBits(groupKey, EMPTY, concat(Label.COMMITMENT, lp8(roomId), u32(epoch)), 32);
}

export function deriveSenderKey(
  groupKey: CryptoKey,
  roomId: string,
  epoch: number,
  sender: string,
  senderKpHash: Uint8Array,
  extractable = false,
): Promise<CryptoKey> {
  const info = concat(Label.SENDER_KEY, lp8(roomId), u32(epoch), lp8(sender), senderKpHash);
  return hkdfAesKey(groupKey, EMPTY, info, extractable);
}

export async function deriveFileKey(
  fileSecret: Uint8Array,
  roomId: string,
  fileId: Uint8Array,
  sender: string,
  extractable = false,
): Promise<CryptoKey> {
  const ikm = await importHkdfKey(fileSecret);
  return hkdfAesKey(
    ikm,
    EMPTY,
    concat(Label.FILE_KEY, lp8(roomId), fileId, lp8(sender)),
    extractable,
  );
}

/** Wrap keys are single-use, so their nonce can be fixed. */
export const WRAP_NONCE = counterNonce(0);
