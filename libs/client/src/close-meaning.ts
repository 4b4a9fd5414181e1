/**
 * What the end of a connection means to a person, as one table every app shares: the widget and
 * the admin dashboard each word the meanings their own way (`CloseWording<T>` makes TypeScript
 * demand a text for every meaning), but which code means what is decided here, once, from
 * docs/protocol.md's close-code table.
 *
 * Codes the SDK retries by itself (1001, 1006, 1011, 1012, 1013) mean "unreachable" only once its
 * attempts ran out.
 */
import { CloseCode } from '@nullroom/protocol';

export const CloseMeaning = {
  /** 1000: this side left (or the app closed the client). */
  LEFT: 'left',
  /** 4000: closed through the REST or admin API. */
  ROOM_CLOSED: 'room-closed',
  /** 4001: idle longer than the relay keeps rooms. */
  ROOM_EXPIRED: 'room-expired',
  /** 4002: a third person tried to join a two-person support room. */
  ROOM_DESTROYED: 'room-destroyed',
  /** 4404: no such room (any more). */
  ROOM_NOT_FOUND: 'room-not-found',
  /** 4403: the join (or visitor) token is wrong. */
  TOKEN_REJECTED: 'token-rejected',
  /** 4401: the relay wants the API key (REQUIRE_WS_API_KEY=1) or a room token. */
  UNAUTHORIZED: 'unauthorized',
  /** 4410: the room has all the members it allows. */
  ROOM_FULL: 'room-full',
  /** 4400: the connection URL was malformed. */
  BAD_REQUEST: 'bad-request',
  /** 4409: another live connection uses this client id (another tab). */
  DUPLICATE_CLIENT: 'duplicate-client',
  /** 4429: too many frames or connection attempts. */
  RATE_LIMITED: 'rate-limited',
  /** 4003: this connection read too slowly. */
  SLOW_CONSUMER: 'slow-consumer',
  /** 1009: a message was over the relay's size limit. */
  MESSAGE_TOO_BIG: 'message-too-big',
  /** 1007: the relay refused malformed data. */
  INVALID_PAYLOAD: 'invalid-payload',
  /** 1001/1006/1011/1012/1013: the relay could not be reached (retries ran out). */
  UNREACHABLE: 'unreachable',
  /** 4441: code room: the member checking the code refused it. */
  WRONG_CODE: 'wrong-code',
  /** 4442: code room: too many wrong codes, the room is closed for everyone. */
  ROOM_LOCKED: 'room-locked',
  /** 4440: code room: nobody who knows the code is there (yet, or any more). */
  NO_VERIFIER: 'no-verifier',
  /** 4443: code room: the code was not confirmed in time. */
  CODE_TIMEOUT: 'code-timeout',
  /** 4444: code room: other attempts are under way. */
  CODE_BUSY: 'code-busy',
  /** A code not in docs/protocol.md. */
  UNKNOWN: 'unknown',
} as const;
export type CloseMeaning = (typeof CloseMeaning)[keyof typeof CloseMeaning];

/** Words (or anything else) for every meaning: a missing one is a type error. */
export type CloseWording<T> = { readonly [M in CloseMeaning]: T };

/** `undefined` is a client that closed before it ever connected: the person left. */
export function closeMeaning(code: number | undefined): CloseMeaning {
  switch (code) {
    case undefined:
    case CloseCode.NORMAL:
      return CloseMeaning.LEFT;
    case CloseCode.ROOM_CLOSED:
      return CloseMeaning.ROOM_CLOSED;
    case CloseCode.ROOM_EXPIRED:
      return CloseMeaning.ROOM_EXPIRED;
    case CloseCode.ROOM_DESTROYED:
      return CloseMeaning.ROOM_DESTROYED;
    case CloseCode.ROOM_NOT_FOUND:
      return CloseMeaning.ROOM_NOT_FOUND;
    case CloseCode.FORBIDDEN:
      return CloseMeaning.TOKEN_REJECTED;
    case CloseCode.UNAUTHORIZED:
      return CloseMeaning.UNAUTHORIZED;
    case CloseCode.ROOM_FULL:
      return CloseMeaning.ROOM_FULL;
    case CloseCode.BAD_REQUEST:
      return CloseMeaning.BAD_REQUEST;
    case CloseCode.DUPLICATE_CLIENT_ID:
      return CloseMeaning.DUPLICATE_CLIENT;
    case CloseCode.RATE_LIMITED:
      return CloseMeaning.RATE_LIMITED;
    case CloseCode.SLOW_CONSUMER:
      return CloseMeaning.SLOW_CONSUMER;
    case CloseCode.MESSAGE_TOO_BIG:
      return CloseMeaning.MESSAGE_TOO_BIG;
    case CloseCode.INVALID_PAYLOAD:
      return CloseMeaning.INVALID_PAYLOAD;
    case CloseCode.WRONG_CODE:
      return CloseMeaning.WRONG_CODE;
    case CloseCode.CODE_ROOM_LOCKED:
      return CloseMeaning.ROOM_LOCKED;
    case CloseCode.CODE_NO_VERIFIER:
      return CloseMeaning.NO_VERIFIER;
    case CloseCode.CODE_TIMEOUT:
      return CloseMeaning.CODE_TIMEOUT;
    case CloseCode.CODE_BUSY:
      return CloseMeaning.CODE_BUSY;
    case CloseCode.GOING_AWAY:
    case CloseCode.INTERNAL_ERROR:
    case CloseCode.SERVICE_RESTART:
    case CloseCode.TRY_AGAIN_LATER:
    case 1006:
      return CloseMeaning.UNREACHABLE;
    default:
      return CloseMeaning.UNKNOWN;
  }
}

/** The room itself is gone (closed, expired, destroyed, locked, never there): drop it from view. */
export function roomIsGone(meaning: CloseMeaning): boolean {
  return (
    meaning === CloseMeaning.ROOM_CLOSED ||
    meaning === CloseMeaning.ROOM_EXPIRED ||
    meaning === CloseMeaning.ROOM_DESTROYED ||
    meaning === CloseMeaning.ROOM_LOCKED ||
    meaning === CloseMeaning.ROOM_NOT_FOUND
  );
}
