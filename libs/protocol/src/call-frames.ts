import { ClientFrameType } from './client-frame';

/**
 * The relay's part in calls. Everything a call says — offers, answers, ICE candidates, who rings
 * whom, mute and camera state — travels end to end encrypted inside ordinary SEND/SEND_TO
 * payloads: the relay can neither read nor rewrite it. Two things the relay does need to know:
 *
 * - that this connection takes part in the room's call, to hand it TURN credentials (issued to
 *   members of a room only, over their authenticated socket) and to enforce
 *   CALL_MAX_PARTICIPANTS; and
 * - when it leaves, so the limit and the metrics (calls active, started, ended) stay true.
 *
 * So a client says CALL_JOIN when it joins or starts the room's call (and again to refresh the
 * credentials before they expire) and CALL_LEAVE when it hangs up; closing the socket leaves too.
 * Neither frame carries anything: no call id, no peer, no media kind.
 *
 *   CALL_JOIN         0x0C                  → CALL_CREDENTIALS, or ERROR call_full / calls_disabled
 *   CALL_LEAVE        0x0D
 *   CALL_CREDENTIALS  0x94 | JSON {urls, username?, credential?, ttlS, maxParticipants}
 */

/** Participants in one room's call unless CALL_MAX_PARTICIPANTS says otherwise (a mesh). */
export const DEFAULT_CALL_MAX_PARTICIPANTS = 8;
/** A full mesh costs every member one upstream per peer: beyond this it is not a call. */
export const CALL_MAX_PARTICIPANTS_LIMIT = 32;
/** Seconds TURN credentials stay valid unless TURN_TTL_S says otherwise. */
export const DEFAULT_TURN_TTL_S = 3600;

export interface CallCredentials {
  /** `stun:`/`turn:`/`turns:` URLs (TURN_URLS); empty when the relay names no STUN/TURN server. */
  readonly urls: readonly string[];
  /** TURN REST API username, `<expiry unix s>:<random>`; absent when no TURN_SECRET is set. */
  readonly username?: string;
  /** base64(HMAC-SHA1(TURN_SECRET, username)), as coturn's `use-auth-secret` checks it. */
  readonly credential?: string;
  /** How long the credential is valid from now (TURN_TTL_S); 0 without one. */
  readonly ttlS: number;
  /** Largest call in this room (CALL_MAX_PARTICIPANTS). */
  readonly maxParticipants: number;
}

const CALL_JOIN = Uint8Array.of(ClientFrameType.CALL_JOIN);
const CALL_LEAVE = Uint8Array.of(ClientFrameType.CALL_LEAVE);

export function encodeCallJoin(): Uint8Array {
  return CALL_JOIN.slice();
}

export function encodeCallLeave(): Uint8Array {
  return CALL_LEAVE.slice();
}

const ICE_URL = /^(?:stun|stuns|turn|turns):[^\s]{1,500}$/;
const MAX_URLS = 16;
const MAX_CREDENTIAL_CHARS = 512;
const MAX_TTL_S = 7 * 24 * 3600;

/** Checks a CALL_CREDENTIALS body; undefined for anything a client should not act on. */
export function toCallCredentials(body: unknown): CallCredentials | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const { urls, username, credential, ttlS, maxParticipants } = b;
  if (!Array.isArray(urls) || urls.length > MAX_URLS) return undefined;
  if (!urls.every((u): u is string => typeof u === 'string' && ICE_URL.test(u))) return undefined;
  if (!Number.isInteger(ttlS) || (ttlS as number) < 0 || (ttlS as number) > MAX_TTL_S)
    return undefined;
  if (
    !Number.isInteger(maxParticipants) ||
    (maxParticipants as number) < 2 ||
    (maxParticipants as number) > CALL_MAX_PARTICIPANTS_LIMIT
  )
    return undefined;
  const hasUser = username !== undefined;
  if (hasUser !== (credential !== undefined)) return undefined;
  if (hasUser) {
    if (typeof username !== 'string' || typeof credential !== 'string') return undefined;
    if (username.length === 0 || username.length > MAX_CREDENTIAL_CHARS) return undefined;
    if (credential.length === 0 || credential.length > MAX_CREDENTIAL_CHARS) return undefined;
  }
  return {
    urls: [...urls],
    ...(hasUser ? { username: username, credential: credential as string } : {}),
    ttlS: ttlS as number,
    maxParticipants: maxParticipants as number,
  };
}

/**
 * The expiry (unix seconds) a TURN REST API username carries (`expiry:random`), or undefined.
 * coturn reads the same number and refuses the credential from that second on.
 */
export function turnUsernameExpiry(username: string): number | undefined {
  const match = /^(\d{1,12}):/.exec(username);
  return match ? Number(match[1]) : undefined;
}
