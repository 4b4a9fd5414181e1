/**
 * DTLS fingerprints (RFC 8122 §5: `a=fingerprint:<hash> <hex pairs>`) in one canonical form,
 * "sha-256 AB:CD:…" (upper-case hex). The call layer announces its own certificate's
 * fingerprint inside the end-to-end session and accepts a peer's SDP only if it carries exactly
 * the fingerprint that peer announced; after the connection is up it checks what DTLS actually
 * negotiated (getStats' remote certificate) against the same value.
 */

const CANONICAL = /^sha-256 (?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/** "sha-256 AB:…" from an algorithm and a hex value in any case; undefined if not SHA-256. */
export function canonicalFingerprint(algorithm: string, value: string): string | undefined {
  const fp = `${algorithm.trim().toLowerCase()} ${value.trim().toUpperCase()}`;
  return CANONICAL.test(fp) ? fp : undefined;
}

export function isCanonicalFingerprint(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL.test(value);
}

/** Every `a=fingerprint` line of an SDP, canonical; non-SHA-256 lines come back as 'invalid'. */
export function sdpFingerprints(sdp: string): string[] {
  const out: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^a=fingerprint:(\S+)\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    out.push(canonicalFingerprint(m[1]!, m[2]!) ?? 'invalid');
  }
  return out;
}

export type FingerprintCheck = 'ok' | 'missing' | 'mismatch';

/**
 * Does this SDP pin exactly `expected`? Every fingerprint line (session and media level) must
 * be that one value: an extra line with another certificate would let a middleman in.
 */
export function checkSdpFingerprint(sdp: string, expected: string): FingerprintCheck {
  const found = sdpFingerprints(sdp);
  if (found.length === 0) return 'missing';
  return found.every((f) => f === expected) ? 'ok' : 'mismatch';
}
