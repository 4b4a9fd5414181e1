/**
 * Code rooms (seed 001, Magic Wormhole style): a code like `7-zucchini-aardvark-ethics` is a
 * public **nameplate** (`7`) that finds the room on the relay, then words that only the members
 * know and that never reach the relay (they are the password of a PAKE between members).
 *
 * The relay routes and owns rooms by `roomId` (the ingress hashes it), so a nameplate is turned
 * into a room id that anyone can compute: a UUIDv8 (RFC 9562 §5.8) whose first 16 bits are
 * `c0de` and whose other bits come from SHA-256 of the nameplate. The hash spreads consecutive
 * nameplates over the ingress's hash ring; the prefix lets the relay tell a code-room join from a
 * p2p join before it looks anything up.
 */
import { utf8Encode } from './text';

// WebCrypto's digest, present in Node 24 and in browsers (secure contexts). Declared here, like
// TextEncoder in text.ts, so this library needs no DOM types.
declare const crypto: {
  readonly subtle: { digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer> };
};

/** Nameplates are decimal numbers without leading zeros, 1 … 999999. */
export const NAMEPLATE_PATTERN = /^[1-9][0-9]{0,5}$/;
export const MAX_NAMEPLATE = 999_999;

export const CODE_ROOM_ID_PATTERN =
  /^c0de[0-9a-f]{4}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Participants of a code room when POST /rooms does not say: two, as in seed 001. */
export const DEFAULT_CODE_ROOM_PARTICIPANTS = 2;

const NAMEPLATE_LABEL = 'nullroom/v1/nameplate:';

export function isValidNameplate(value: unknown): value is string {
  return typeof value === 'string' && NAMEPLATE_PATTERN.test(value);
}

/** True for ids made by codeRoomId(); p2p and support rooms are random v4 UUIDs. */
export function isCodeRoomId(value: unknown): value is string {
  return typeof value === 'string' && CODE_ROOM_ID_PATTERN.test(value);
}

/** The room id of a nameplate: the same on every client and every relay pod. */
export async function codeRoomId(nameplate: string): Promise<string> {
  if (!isValidNameplate(nameplate)) throw new RangeError('nameplate: 1 to 999999, no leading zero');
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', utf8Encode(NAMEPLATE_LABEL + nameplate)),
  );
  const b = digest.subarray(0, 16);
  b[0] = 0xc0;
  b[1] = 0xde;
  b[6] = 0x80 | (b[6]! & 0x0f); // version 8
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
