import { isValidClientId, isValidRoomId } from '@nullroom/protocol';
import { isJoinTokenHash, type JoinTokenHash } from '../rooms/join-token';

/**
 * A member forwarded by the ring pod to the room's owner (`GET /internal/ws?…`, signed). The ring
 * pod did the public checks and reduced the secrets: the owner gets the hash of the join token the
 * client presented, and whether its API key was right — never the token or the key.
 */
export interface ForwardedJoin {
  readonly roomId: string;
  readonly clientId: string;
  readonly tokenHash?: JoinTokenHash;
  readonly apiKeyOk: boolean;
}

export function encodeForwardedJoin(join: ForwardedJoin): string {
  const query = new URLSearchParams({ roomId: join.roomId, clientId: join.clientId });
  if (join.tokenHash !== undefined) query.set('tokenHash', join.tokenHash);
  if (join.apiKeyOk) query.set('apiKeyOk', '1');
  return query.toString();
}

/** The forwarded query → a join, or undefined when anything is off. Never throws. */
export function decodeForwardedJoin(query: URLSearchParams): ForwardedJoin | undefined {
  const roomId = query.get('roomId');
  const clientId = query.get('clientId');
  const tokenHash = query.get('tokenHash') ?? undefined;
  const apiKeyOk = query.get('apiKeyOk');
  if (!isValidRoomId(roomId) || !isValidClientId(clientId)) return undefined;
  if (tokenHash !== undefined && !isJoinTokenHash(tokenHash)) return undefined;
  if (apiKeyOk !== null && apiKeyOk !== '1') return undefined;
  return {
    roomId,
    clientId,
    ...(tokenHash === undefined ? {} : { tokenHash }),
    apiKeyOk: apiKeyOk === '1',
  };
}
