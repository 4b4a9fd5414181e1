import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { type JoinTokenHash, joinTokenMatches } from './join-token';
import { type Room } from './room';

/**
 * What a join presents, already reduced at the public edge (the gateway, or the ring pod that
 * forwards the member): the hash of the token it gave (a p2p join token, a support visitor
 * token, a code room's members' token; none for a code-room guest), and whether its API key was
 * right. The secrets themselves never travel further than
 * the pod the client connected to.
 */
export interface JoinCredentials {
  readonly tokenHash?: JoinTokenHash;
  readonly apiKeyOk: boolean;
}

/** A join of a code room without a token: a guest's attempt at the code (code-rooms/). */
export function isCodeGuest(credentials: JoinCredentials): boolean {
  return credentials.tokenHash === undefined;
}

/**
 * Who may join a room: the one place the relay decides it (constant-time comparisons of hashes
 * only, join-token.ts).
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
  requireWsApiKey: boolean,
): void {
  if (room.mode === 'p2p' || (room.mode === 'code' && !isCodeGuest(credentials))) {
    checkRoomToken(room, credentials.tokenHash, 'invalid join token');
    return;
  }
  if (room.mode === 'code') return;
  if (!requireWsApiKey || credentials.apiKeyOk) return;
  if (credentials.tokenHash !== undefined) {
    checkRoomToken(room, credentials.tokenHash, 'invalid visitor token');
    return;
  }
  throw new RelayError(RelayErrorCode.Unauthorized, 'API key or visitor token required');
}

/** The room's own secret (join token, visitor token) as presented: for joins and closes alike. */
export function checkRoomToken(
  room: Room,
  presented: JoinTokenHash | undefined,
  message = 'invalid join token',
): void {
  if (!joinTokenMatches(room.tokenHash, presented) && !memberTokenMatches(room, presented)) {
    throw new RelayError(RelayErrorCode.Forbidden, message);
  }
}

/** A code room member token minted at admission (Room.memberTokenHashes), in constant time. */
function memberTokenMatches(room: Room, presented: JoinTokenHash | undefined): boolean {
  let found = false;
  for (const hash of room.memberTokenHashes) found = joinTokenMatches(hash, presented) || found;
  return found;
}
