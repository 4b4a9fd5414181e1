/**
 * CPace on ristretto255 with SHA-512 (CPACE-RISTR255-SHA512), draft-irtf-cfrg-cpace-21 §4–§6.2
 * (https://datatracker.ietf.org/doc/draft-irtf-cfrg-cpace/). This file is the primitive only,
 * named as the draft names it so the published test vectors map one to one; what Nullroom puts
 * into PRS, CI, sid, ADa and ADb, and the key confirmation, is in code-pake.ts.
 *
 * ristretto255 (RFC 9496) is not in WebCrypto, so the group comes from @noble/curves (audited,
 * constant-time scalar multiplication); SHA-512 is WebCrypto's.
 *
 * Pitfalls this file exists to get right:
 * - K is never exposed: a leaked K allows an offline dictionary attack (draft §9.3). Callers get
 *   ISK only.
 * - scalar_mult_vfy returns the identity G.I for an invalid encoding *and* for a result that is
 *   the identity; the protocol MUST abort on G.I (§5.2). `isIdentity` is the check.
 * - ristretto255 has prime order, so there is no cofactor to clear and no small-subgroup point:
 *   a valid encoding is a valid group element (RFC 9496 §4.3.1 rejects non-canonical ones).
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { bytesEqual, concat, type Bytes, utf8 } from '../bytes';
import { randomBytes } from '../platform';
import { sha512 } from '../primitives';
import { generatorString, lvCat } from './cpace-strings';

type RistrettoPoint = InstanceType<typeof ristretto255.Point>;

/** G_Ristretto255.DSI (draft §6.2). */
export const CPACE_DSI = utf8('CPaceRistretto255');
/** DSI ‖ "_ISK", the domain of the ISK hash (draft §5.2). */
export const CPACE_DSI_ISK = utf8('CPaceRistretto255_ISK');
/** Encoded group elements and scalars are 32 bytes. */
export const CPACE_ELEMENT_BYTES = 32;
/** H.s_in_bytes of SHA-512: its input block size (draft §4.2). */
export const SHA512_BLOCK_BYTES = 128;
/** G.I: the encoding of the identity element. */
export const CPACE_IDENTITY: Readonly<Bytes> = new Uint8Array(CPACE_ELEMENT_BYTES);

const ORDER = ristretto255.Point.Fn.ORDER;

/**
 * G.calculate_generator(H, PRS, CI, sid) (draft §6.2): hash the generator string to 64 bytes and
 * map them to the group with ristretto255's element derivation (RFC 9496 §4.3.4).
 */
export async function calculateGenerator(
  prs: Uint8Array,
  ci: Uint8Array,
  sid: Uint8Array,
): Promise<RistrettoPoint> {
  const digest = await sha512(generatorString(CPACE_DSI, prs, ci, sid, SHA512_BLOCK_BYTES));
  // deriveToCurve is RFC 9496 §4.3.4 element derivation (the type marks it optional: other
  // hashers lack it; ristretto255's has it).
  return ristretto255_hasher.deriveToCurve!(digest);
}

/**
 * G.sample_scalar() (draft §6.2, the recommended method): 32 random bytes with the bits above
 * group_size_bits (252) cleared, read little-endian. That is always below the group order; zero
 * (probability 2^-252) is drawn again.
 */
export function sampleScalar(): Bytes {
  for (;;) {
    const bytes = randomBytes(CPACE_ELEMENT_BYTES);
    bytes[31]! &= 0x0f;
    if (!bytesEqual(bytes, CPACE_IDENTITY)) return bytes;
  }
}

/** G.scalar_mult(y, g) = encode(y · g), for the generator from calculateGenerator. */
export function scalarMult(y: Uint8Array, g: RistrettoPoint): Bytes {
  return g.multiply(scalarOf(y)).toBytes() as Bytes;
}

/**
 * G.scalar_mult_vfy(y, X) (draft §6.2): G.I when X does not decode, else encode(y · decode(X)),
 * which is G.I when X is the identity. Never throws on peer input.
 */
export function scalarMultVfy(y: Uint8Array, x: Uint8Array): Bytes {
  let point: RistrettoPoint;
  try {
    point = ristretto255.Point.fromBytes(x);
  } catch {
    return new Uint8Array(CPACE_ELEMENT_BYTES);
  }
  if (point.is0()) return new Uint8Array(CPACE_ELEMENT_BYTES);
  return point.multiply(scalarOf(y)).toBytes() as Bytes;
}

/** True for G.I, on which the protocol must abort. */
export function isIdentity(element: Uint8Array): boolean {
  return bytesEqual(element, CPACE_IDENTITY);
}

/** ISK = H.hash(lv_cat(DSI ‖ "_ISK", sid, K) ‖ transcript) (draft §5.2). */
export function deriveIsk(sid: Uint8Array, k: Uint8Array, transcript: Uint8Array): Promise<Bytes> {
  return sha512(concat(lvCat(CPACE_DSI_ISK, sid, k), transcript));
}

const SID_OUTPUT = utf8('CPaceSidOutput');

/** sid_output = H.hash(b"CPaceSidOutput" ‖ transcript) (draft §9.6): public, unique per run. */
export function sidOutput(transcript: Uint8Array): Promise<Bytes> {
  return sha512(concat(SID_OUTPUT, transcript));
}

/** A 32-byte little-endian scalar in [1, order). */
function scalarOf(y: Uint8Array): bigint {
  if (y.byteLength !== CPACE_ELEMENT_BYTES) throw new RangeError('y: scalars are 32 bytes');
  let value = 0n;
  for (let i = CPACE_ELEMENT_BYTES - 1; i >= 0; i--) value = (value << 8n) | BigInt(y[i]!);
  if (value === 0n || value >= ORDER) throw new RangeError('y: scalar out of range');
  return value;
}
