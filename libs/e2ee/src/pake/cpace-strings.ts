/**
 * The string utilities of CPace (draft-irtf-cfrg-cpace-21, appendix A "CPace function
 * definitions"): LEB128 length prefixes, length-value concatenation, ordered concatenation, the
 * two transcript functions and the generator string. Names follow the draft so each function can
 * be checked against its published test vectors (test/vectors/cpace.json).
 */
import { concat, type Bytes } from '../bytes';

/** prepend_len(data): the LEB128 encoding of len(data), then data (draft §A.1.1). */
export function prependLen(data: Uint8Array): Bytes {
  const length: number[] = [];
  let n = data.byteLength;
  do {
    length.push(n < 128 ? n : (n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  } while (n > 0);
  return concat(Uint8Array.from(length), data);
}

/** lv_cat(a0, a1, …) = prepend_len(a0) ‖ prepend_len(a1) ‖ … (draft §A.1.3). */
export function lvCat(...parts: readonly Uint8Array[]): Bytes {
  return concat(...parts.map(prependLen));
}

/** lexiographically_larger(a, b) of the draft (§A.3.1): true when a > b. */
export function lexicographicallyLarger(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) {
    if (a[i]! > b[i]!) return true;
    if (a[i]! < b[i]!) return false;
  }
  return a.byteLength > b.byteLength;
}

const OC = Uint8Array.of(0x6f, 0x63); // b"oc"

/** o_cat(a, b) = b"oc" ‖ max(a, b) ‖ min(a, b) (draft §A.3.2). */
export function oCat(a: Uint8Array, b: Uint8Array): Bytes {
  return lexicographicallyLarger(a, b) ? concat(OC, a, b) : concat(OC, b, a);
}

/** transcript_ir: initiator-responder ordering (draft §A.3.4). What Nullroom uses. */
export function transcriptIr(
  ya: Uint8Array,
  ada: Uint8Array,
  yb: Uint8Array,
  adb: Uint8Array,
): Bytes {
  return concat(lvCat(ya, ada), lvCat(yb, adb));
}

/** transcript_oc: the symmetric setting, no roles (draft §A.3.5). Here for the vectors. */
export function transcriptOc(
  ya: Uint8Array,
  ada: Uint8Array,
  yb: Uint8Array,
  adb: Uint8Array,
): Bytes {
  return oCat(lvCat(ya, ada), lvCat(yb, adb));
}

/**
 * generator_string(DSI, PRS, CI, sid, s_in_bytes) = lv_cat(DSI, PRS, zero_bytes(len_zpad), CI, sid)
 * with len_zpad = max(0, s_in_bytes − 1 − len(prepend_len(PRS)) − len(prepend_len(DSI))) (draft
 * §A.2): the zero padding fills the hash's first block, so for short passwords the number of
 * bytes hashed does not depend on the password's length.
 */
export function generatorString(
  dsi: Uint8Array,
  prs: Uint8Array,
  ci: Uint8Array,
  sid: Uint8Array,
  sInBytes: number,
): Bytes {
  const zpad = Math.max(0, sInBytes - 1 - prependLen(prs).byteLength - prependLen(dsi).byteLength);
  return lvCat(dsi, prs, new Uint8Array(zpad), ci, sid);
}
