import { type Bytes, concat, fromHex, toBytes } from './bytes';
import { UnsupportedPlatformError } from './errors';
import { getSubtle } from './platform';
import { ed25519Sign } from './primitives';

/** PKCS #8 prefix for a bare 32-byte Ed25519 seed (RFC 8410 §7). */
const ED25519_PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');

/**
 * A device's long-term signing identity (Ed25519). It signs handshakes and every message and
 * file chunk; safety numbers are computed from its public key. The private key is
 * non-extractable: in a browser it can be kept in IndexedDB (CryptoKey is structured-cloneable)
 * and never leaves WebCrypto.
 */
export class Identity {
  private constructor(
    private readonly privateKey: CryptoKey,
    /** The raw 32-byte public key. */
    readonly publicKey: Bytes,
  ) {}

  static async generate(): Promise<Identity> {
    const pair = await ed25519(() =>
      getSubtle().generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']),
    );
    const publicKey = new Uint8Array(await getSubtle().exportKey('raw', pair.publicKey));
    return new Identity(pair.privateKey, publicKey);
  }

  /** From a stored 32-byte seed (RFC 8032 private key). For CLIs, tests and vectors. */
  static async fromSeed(seed: Uint8Array): Promise<Identity> {
    if (!(seed instanceof Uint8Array)) throw new TypeError('seed: must be a Uint8Array');
    if (seed.byteLength !== 32) throw new RangeError('seed: must be 32 bytes');
    const subtle = getSubtle();
    // WebCrypto cannot compute a public key from a private one; an extractable import exports
    // the JWK (which carries x), then the private key is imported again, non-extractable.
    const temp = await subtle.importKey(
      'pkcs8',
      concat(ED25519_PKCS8_PREFIX, toBytes(seed)),
      { name: 'Ed25519' },
      true,
      ['sign'],
    );
    const jwk = await subtle.exportKey('jwk', temp);
    const privateKey = await subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['sign']);
    const publicKey = base64UrlDecode(jwk.x ?? '');
    delete jwk.d;
    return new Identity(privateKey, publicKey);
  }

  /** Wraps a key pair the caller already holds (e.g. loaded from IndexedDB). */
  static async fromKeyPair(pair: CryptoKeyPair): Promise<Identity> {
    const publicKey = new Uint8Array(await getSubtle().exportKey('raw', pair.publicKey));
    return new Identity(pair.privateKey, publicKey);
  }

  sign(data: Uint8Array): Promise<Bytes> {
    return ed25519Sign(this.privateKey, data);
  }
}

/**
 * Ed25519 is in every browser we target (Chromium 137+, Firefox 129+, Safari 17+) and in Node;
 * where it is missing, say so with a typed error instead of a bare DOMException.
 */
async function ed25519<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if ((error as { name?: string }).name === 'NotSupportedError') {
      throw new UnsupportedPlatformError('this platform has no Ed25519 in WebCrypto');
    }
    throw error;
  }
}

function base64UrlDecode(text: string): Bytes {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    const v = alphabet.indexOf(ch);
    if (v < 0) continue;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
