import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { secretEquals } from '../common/secrets';
import { type Room } from './room';

export interface JoinCredentials {
  readonly joinToken?: string;
  readonly apiKey?: string;
}

/** The relay-wide part of the check: the API key and whether WebSocket joins need it. */
export interface JoinAuth {
  readonly apiKey: string;
  readonly requireWsApiKey: boolean;
}

/** True when `token` is the room's own secret (a p2p join token, a support visitor token). */
export function roomTokenMatches(room: Room, token: string | undefined): boolean {
  return room.joinToken !== undefined && secretEquals(token, room.joinToken);
}

/** A join of a code room without a token: a guest's attempt at the code (code-rooms/). */
export function isCodeGuest(credentials: JoinCredentials): boolean {
  return credentials.joinToken === undefined || credentials.joinToken === '';
}

/**
 * Who may join a room: the one place the relay decides it (constant-time comparisons only).
 *
 * - p2p: the room's join token, always (seed 000).
 * - code: the room's token (a member), or none at all (a guest, who must then prove the code to
 *   a member: code-rooms/); a wrong token is refused like a p2p one. REQUIRE_WS_API_KEY does not
 *   apply: the code is a guest's credential, as the join token is a p2p guest's.
 * - support, REQUIRE_WS_API_KEY=0: anyone with the room id (seed 000: "open WebSocket").
 * - support, REQUIRE_WS_API_KEY=1: the API key (the site's agents, the admin dashboard), or the
 *   room's visitor token from POST /rooms (a Nullroom addition: the visitor's page can join
 *   without the API key ever reaching public JavaScript).
 *
 * Throws RelayError (Forbidden for a wrong token, Unauthorized for no credential at all).
 */
export function checkJoinCredentials(
  room: Room,
  credentials: JoinCredentials,
  auth: JoinAuth,
): void {
  if (room.mode === 'p2p' || (room.mode === 'code' && !isCodeGuest(credentials))) {
    if (!roomTokenMatches(room, credentials.joinToken)) {
      throw new RelayError(RelayErrorCode.Forbidden, 'invalid join token');
    }
    return;
  }
  if (room.mode === 'code') return;
  if (!auth.requireWsApiKey) return;
  if (credentials.apiKey !== undefined && secretEquals(credentials.apiKey, auth.apiKey)) return;
  if (credentials.joinToken !== undefined) {
    if (roomTokenMatches(room, credentials.joinToken)) return;
    throw new RelayError(RelayErrorCode.Forbidden, 'invalid visitor token');
  }
  throw new RelayError(RelayErrorCode.Unauthorized, 'API key or visitor token required');
}
