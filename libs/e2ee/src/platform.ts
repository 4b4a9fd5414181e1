/**
 * The one door to WebCrypto. Everything in this library reaches SubtleCrypto through
 * `getSubtle()` and randomness through `randomBytes()`, so a platform without them fails in one
 * place with one typed error.
 *
 * Platform pitfalls, collected so nobody has to rediscover them:
 * - `crypto.subtle` only exists in secure contexts (https, localhost). On plain http it is
 *   `undefined` and nothing here can work. https://w3c.github.io/webcrypto/#crypto-interface
 * - Ed25519 is in WebCrypto since Chromium 137, Firefox 129, Safari 17, Node 18.4 (stable in 24).
 *   https://wicg.github.io/webcrypto-secure-curves/
 * - AES-GCM `tagLength` defaults to 128 but is caller-controlled; we always pass 128 so a
 *   truncated tag can never be accepted. https://w3c.github.io/webcrypto/#aes-gcm-operations
 * - P-256 `importKey('raw')` validates the point (off-curve points and the point at infinity are
 *   rejected with a DataError); compressed points are not supported everywhere, so we only
 *   accept the 65-byte uncompressed form. https://w3c.github.io/webcrypto/#ecdh-operations
 * - Generated key pairs always have an extractable public key, whatever `extractable` says.
 * - `getRandomValues` refuses more than 65 536 bytes per call.
 * - Secrets that must exist as bytes for a moment (a group secret being wrapped) are imported as
 *   non-extractable keys and the buffer is zeroed right after; JS cannot promise more than that.
 */
import { UnsupportedPlatformError } from './errors';

export function getSubtle(): SubtleCrypto {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle === undefined) {
    throw new UnsupportedPlatformError('WebCrypto (crypto.subtle) is not available here');
  }
  return subtle;
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(length) || length < 0)
    throw new RangeError('length: must be an integer ≥ 0');
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.getRandomValues === undefined) {
    throw new UnsupportedPlatformError('crypto.getRandomValues is not available here');
  }
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) {
    c.getRandomValues(out.subarray(at, Math.min(length, at + 65536)));
  }
  return out;
}
