import { CloseCode } from '@nullroom/protocol';

/** What the person at the dashboard should read when a chat connection ends for good. */
export function describeClose(code: number | undefined): string {
  switch (code) {
    case undefined:
    case CloseCode.NORMAL:
      return 'You left the room.';
    case CloseCode.ROOM_CLOSED:
      return 'The room was closed.';
    case CloseCode.ROOM_EXPIRED:
      return 'The room expired after being idle too long.';
    case CloseCode.ROOM_DESTROYED:
      return 'The room was destroyed: a third participant tried to join.';
    case CloseCode.ROOM_NOT_FOUND:
      return 'The room no longer exists (closed, expired or emptied).';
    case CloseCode.UNAUTHORIZED:
      return 'The relay requires a valid relay API key for WebSocket access (REQUIRE_WS_API_KEY=1). Sign in again with the API key.';
    case CloseCode.FORBIDDEN:
      return 'The relay refused the join (forbidden).';
    case CloseCode.ROOM_FULL:
      return 'The room is full.';
    case CloseCode.DUPLICATE_CLIENT_ID:
      return 'Another connection already uses this admin id.';
    case CloseCode.BAD_REQUEST:
      return 'The relay rejected the connection as malformed.';
    case CloseCode.RATE_LIMITED:
      return 'Rate limited by the relay. Try again shortly.';
    case CloseCode.SLOW_CONSUMER:
      return 'Disconnected: this connection read too slowly.';
    case CloseCode.MESSAGE_TOO_BIG:
      return 'Disconnected: a message was larger than the relay allows.';
    default:
      return `The connection ended (close code ${code}).`;
  }
}

/** True when the room itself is gone, so the dashboard should drop it from view. */
export function roomIsGone(code: number | undefined): boolean {
  return (
    code === CloseCode.ROOM_CLOSED ||
    code === CloseCode.ROOM_EXPIRED ||
    code === CloseCode.ROOM_DESTROYED ||
    code === CloseCode.ROOM_NOT_FOUND
  );
}
