/**
 * The cryptographic primitives, each a thin wrapper over WebCrypto with its parameters fixed:
 *
 * - SHA-256 / SHA-512 (FIPS 180-4)
 * - HKDF-SHA-256 (RFC 5869): salt and info are always explicit
 * - AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag, never shorter
 * - ECDH on P-256 (SEC 1, uncompressed 65-byte points only) for the per-connection ephemeral keys
 * - Ed25519 (RFC 8032) for identity signatures: deterministic, 32-byte keys, 64-byte signatures
 *
 * Secret keys are created non-extractable unless `extractable` is asked for (tests and golden
 * vectors only).
 */
import { bytesEqual, type Bytes, toBytes } from './bytes';
import { DecryptError, InvalidKeyError } from './errors';
import { getSubtle } from './platform';

export const AES_KEY_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const GCM_TAG_BITS = 128;
export const P256_POINT_BYTES = 65;
export const ED25519_PUBLIC_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
export const HASH_BYTES = 32;

export async function sha256(data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await getSubtle().digest('SHA-256', toBytes(data)));
}

export async function sha512(data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await getSubtle().digest('SHA-512', toBytes(data)));
}

/** Imports input keying material for HKDF. The bytes are not kept. */
export function importHkdfKey(ikm: Uint8Array): Promise<CryptoKey> {
  return getSubtle().importKey('raw', toBytes(ikm), 'HKDF', false, ['deriveBits', 'deriveKey']);
}

export async function hkdfBits(
  key: CryptoKey,
  salt: Uint8Array,
  info: Uint8Array,
  bytes: number,
): Promise<Bytes> {
  const bits = await getSubtle().deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: toBytes(salt), info: toBytes(info) },
    key,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

export function hkdfAesKey(
  key: CryptoKey,
  salt: Uint8Array,
  info: Uint8Array,
  extractable = false,
): Promise<CryptoKey> {
  return getSubtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: toBytes(salt), info: toBytes(info) },
    key,
    { name: 'AES-GCM', length: AES_KEY_BYTES * 8 },
    extractable,
    ['encrypt', 'decrypt'],
  );
}

export function importAesKey(raw: Uint8Array, extractable = false): Promise<CryptoKey> {
  if (raw.byteLength !== AES_KEY_BYTES) throw new RangeError('raw: AES key must be 32 bytes');
  return getSubtle().importKey('raw', toBytes(raw), { name: 'AES-GCM' }, extractable, [
    'encrypt',
    'decrypt',
  ]);
}

export async function aesGcmSeal(
  key: CryptoKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Promise<Bytes> {
  if (nonce.byteLength !== GCM_NONCE_BYTES) throw new RangeError('nonce: must be 12 bytes');
  const out = await getSubtle().encrypt(
    { name: 'AES-GCM', iv: toBytes(nonce), additionalData: toBytes(aad), tagLength: GCM_TAG_BITS },
    key,
    toBytes(plaintext),
  );
  return new Uint8Array(out);
}

/** Opens an AES-GCM box; a short, modified or foreign ciphertext gives a DecryptError. */
export async function aesGcmOpen(
  key: CryptoKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Promise<Bytes | DecryptError> {
  if (nonce.byteLength !== GCM_NONCE_BYTES) throw new RangeError('nonce: must be 12 bytes');
  if (ciphertext.byteLength < GCM_TAG_BYTES)
    return new DecryptError('ciphertext shorter than the tag');
  try {
    const out = await getSubtle().decrypt(
      {
        name: 'AES-GCM',
        iv: toBytes(nonce),
        additionalData: toBytes(aad),
        tagLength: GCM_TAG_BITS,
      },
      key,
      toBytes(ciphertext),
    );
    return new Uint8Array(out);
  } catch {
    return new DecryptError('authentication failed');
  }
}

/** A 96-bit nonce from a 32-bit counter: 8 zero bytes, then the counter big-endian. */
export function counterNonce(counter: number): Bytes {
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) {
    throw new RangeError('counter: must be a 32-bit unsigned integer');
  }
  const out = new Uint8Array(GCM_NONCE_BYTES);
  new DataView(out.buffer).setUint32(8, counter);
  return out;
}

// --- ECDH P-256 -----------------------------------------------------------------------------

export interface EphemeralKeyPair {
  readonly privateKey: CryptoKey;
  /** Uncompressed SEC 1 point, 65 bytes. */
  readonly publicKey: Bytes;
}

export async function generateEphemeral(): Promise<EphemeralKeyPair> {
  const pair = await getSubtle().generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ]);
  const publicKey = new Uint8Array(await getSubtle().exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey };
}

/** Imports a P-256 key pair from JWK: golden vectors only. */
export async function importEphemeralJwk(jwk: JsonWebKey): Promise<EphemeralKeyPair> {
  const privateKey = await getSubtle().importKey(
    'jwk',
    jwk,
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    ['deriveBits'],
  );
  const pub: JsonWebKey = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  const publicCrypto = await getSubtle().importKey(
    'jwk',
    pub,
    { name: 'ECDH', namedCurve: 'P-256' },
    true,
    [],
  );
  const publicKey = new Uint8Array(await getSubtle().exportKey('raw', publicCrypto));
  return { privateKey, publicKey };
}

/** Validates and imports a peer's ephemeral point; off-curve and malformed points fail here. */
export async function importEphemeralPublic(
  point: Uint8Array,
): Promise<CryptoKey | InvalidKeyError> {
  if (point.byteLength !== P256_POINT_BYTES || point[0] !== 0x04) {
    return new InvalidKeyError('ephemeral key: not an uncompressed P-256 point');
  }
  try {
    return await getSubtle().importKey(
      'raw',
      toBytes(point),
      { name: 'ECDH', namedCurve: 'P-256' },
      true,
      [],
    );
  } catch {
    return new InvalidKeyError('ephemeral key: not a point on P-256');
  }
}

/** ECDH shared secret (the x coordinate, 32 bytes) imported straight into an HKDF key. */
export async function ecdhHkdfKey(privateKey: CryptoKey, peer: CryptoKey): Promise<CryptoKey> {
  const bits = new Uint8Array(
    await getSubtle().deriveBits({ name: 'ECDH', public: peer }, privateKey, 256),
  );
  try {
    return await importHkdfKey(bits);
  } finally {
    bits.fill(0);
  }
}

// --- Ed25519 --------------------------------------------------------------------------------

export async function importEd25519Public(raw: Uint8Array): Promise<CryptoKey | InvalidKeyError> {
  if (raw.byteLength !== ED25519_PUBLIC_BYTES) {
    return new InvalidKeyError('identity key: Ed25519 public keys are 32 bytes');
  }
  try {
    return await getSubtle().importKey('raw', toBytes(raw), { name: 'Ed25519' }, true, ['verify']);
  } catch {
    return new InvalidKeyError('identity key: not a valid Ed25519 point');
  }
}

export async function ed25519Sign(privateKey: CryptoKey, data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await getSubtle().sign({ name: 'Ed25519' }, privateKey, toBytes(data)));
}

export async function ed25519Verify(
  publicKey: CryptoKey,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  if (signature.byteLength !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return await getSubtle().verify(
      { name: 'Ed25519' },
      publicKey,
      toBytes(signature),
      toBytes(data),
    );
  } catch {
    return false;
  }
}

export { bytesEqual };
