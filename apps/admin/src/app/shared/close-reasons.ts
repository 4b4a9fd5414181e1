import { CloseMeaning, closeMeaning, type CloseWording, roomIsGone } from '@nullroom/client';

/**
 * What the person at the dashboard reads when a chat connection ends for good, in the
 * dashboard's words. Which code means what is libs/client's one table (closeMeaning).
 */
const WORDS: CloseWording<string> = {
  [CloseMeaning.LEFT]: 'You left the room.',
  [CloseMeaning.ROOM_CLOSED]: 'The room was closed.',
  [CloseMeaning.ROOM_EXPIRED]: 'The room expired after being idle too long.',
  [CloseMeaning.ROOM_DESTROYED]: 'The room was destroyed: a third participant tried to join.',
  [CloseMeaning.ROOM_NOT_FOUND]: 'The room no longer exists (closed, expired or emptied).',
  [CloseMeaning.TOKEN_REJECTED]: 'The relay refused the join (forbidden).',
  [CloseMeaning.UNAUTHORIZED]:
    'The relay requires a valid relay API key for WebSocket access (REQUIRE_WS_API_KEY=1). Sign in again with the API key.',
  [CloseMeaning.ROOM_FULL]: 'The room is full.',
  [CloseMeaning.BAD_REQUEST]: 'The relay rejected the connection as malformed.',
  [CloseMeaning.DUPLICATE_CLIENT]: 'Another connection already uses this admin id.',
  [CloseMeaning.RATE_LIMITED]: 'Rate limited by the relay. Try again shortly.',
  [CloseMeaning.SLOW_CONSUMER]: 'Disconnected: this connection read too slowly.',
  [CloseMeaning.MESSAGE_TOO_BIG]: 'Disconnected: a message was larger than the relay allows.',
  [CloseMeaning.INVALID_PAYLOAD]: 'Disconnected: the relay refused malformed data.',
  [CloseMeaning.UNREACHABLE]: 'The relay could not be reached; reconnecting gave up.',
  [CloseMeaning.WRONG_CODE]: 'Wrong code: the member checking it refused it.',
  [CloseMeaning.ROOM_LOCKED]: 'The code room was closed after too many wrong codes.',
  [CloseMeaning.NO_VERIFIER]: 'Nobody who knows the code is in the room. Try again shortly.',
  [CloseMeaning.CODE_TIMEOUT]: 'The code was not confirmed in time.',
  [CloseMeaning.CODE_BUSY]: 'Other code attempts are under way. Try again shortly.',
  [CloseMeaning.UNKNOWN]: 'The connection ended.',
};

export function describeClose(code: number | undefined): string {
  const meaning = closeMeaning(code);
  return meaning === CloseMeaning.UNKNOWN
    ? `The connection ended (close code ${code}).`
    : WORDS[meaning];
}

/** True when the room itself is gone, so the dashboard should drop it from view. */
export function isRoomGone(code: number | undefined): boolean {
  return roomIsGone(closeMeaning(code));
}
