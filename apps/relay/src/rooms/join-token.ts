import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A p2p room's join token, as the relay keeps it: base64url(SHA-256(UTF-8 token)), 43 characters.
 *
 * The token itself (256 bits from the CSPRNG) is handed to the room's creator once, by
 * `POST /rooms`, and never stored: a room holds only this hash, and that is all that ever crosses
 * between pods (claims, standby copies, drain handovers, forwarded members, closes). A pod's RAM,
 * a captured pod-to-pod body or a standby copy therefore can't be used to join. A plain SHA-256 is
 * enough because the token has 256 bits of entropy: there is nothing to brute-force.
 */
export type JoinTokenHash = string & { readonly __brand: 'JoinTokenHash' };

const HASH_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new join token: 256 bits from the CSPRNG, base64url (43 characters). */
export function newJoinToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashJoinToken(token: string): JoinTokenHash {
  return createHash('sha256').update(token, 'utf8').digest('base64url') as JoinTokenHash;
}

/** For peer input: a value that can be a join token hash. Never throws. */
export function isJoinTokenHash(value: unknown): value is JoinTokenHash {
  return typeof value === 'string' && HASH_PATTERN.test(value);
}

/**
 * THE join token check (RoomsService calls it for joins and for closes by token; nothing else
 * compares tokens). Constant time: both sides are fixed-length hashes.
 */
export function joinTokenMatches(
  expected: JoinTokenHash | undefined,
  presented: JoinTokenHash | undefined,
): boolean {
  if (expected === undefined || presented === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
