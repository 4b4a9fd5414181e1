/**
 * Length hiding inside the AEAD. Plaintexts are framed as `u32 length | body | zeros` and padded
 * to the PADMÉ length of the framed size (Nikitin et al., "Reducing Metadata Leakage from
 * Encrypted Files and Communication with PURBs", PETS 2019, §4): at most 12% overhead, and only
 * O(log log L) bits of the length remain visible. Short messages all share one bucket.
 */
import { type Bytes } from './bytes';

export const MIN_PADDED_BYTES = 64;

/** PADMÉ: round L up so that only its top ⌊log2 ⌊log2 L⌋⌋ + 1 bits can be non-zero. */
export function padme(length: number): number {
  if (!Number.isInteger(length) || length < 0)
    throw new RangeError('length: must be an integer ≥ 0');
  if (length < 2) return length;
  const e = Math.floor(Math.log2(length));
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = e - s;
  const mask = 2 ** lastBits - 1;
  return Math.ceil(length / (mask + 1)) * (mask + 1);
}

export function paddedLength(bodyLength: number, bucket?: number): number {
  const framed = 4 + bodyLength;
  if (bucket !== undefined) return Math.ceil(framed / bucket) * bucket;
  return Math.max(MIN_PADDED_BYTES, padme(framed));
}

export function pad(body: Uint8Array, bucket?: number): Bytes {
  const out = new Uint8Array(paddedLength(body.byteLength, bucket));
  new DataView(out.buffer).setUint32(0, body.byteLength);
  out.set(body, 4);
  return out;
}

/** Undoes `pad`; undefined when the length field or the padding is wrong (never throws). */
export function unpad(padded: Uint8Array): Bytes | undefined {
  if (padded.byteLength < 4) return undefined;
  const length = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0);
  if (length > padded.byteLength - 4) return undefined;
  for (let i = 4 + length; i < padded.byteLength; i++) if (padded[i] !== 0) return undefined;
  return padded.slice(4, 4 + length);
}
