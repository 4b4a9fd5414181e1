import { CloseCode } from '@nullroom/protocol';

/**
 * Domain errors. Services throw these and never an HttpException: each transport maps the code
 * with its own exhaustive switch (toHttpStatus, toWsClose). Messages are written for the person
 * calling the API and never contain a room id, token, client id or IP.
 */
export enum RelayErrorCode {
  InvalidRequest = 'invalid_request',
  InvalidJson = 'invalid_json',
  PayloadTooLarge = 'payload_too_large',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  AdminDisabled = 'admin_disabled',
  NotFound = 'not_found',
  RoomNotFound = 'room_not_found',
  RoomLimitReached = 'room_limit_reached',
  RoomFull = 'room_full',
  RoomDestroyed = 'room_destroyed',
  DuplicateClientId = 'duplicate_client_id',
  RateLimited = 'rate_limited',
  TurnstileFailed = 'turnstile_failed',
  TurnstileUnavailable = 'turnstile_unavailable',
  ServerFull = 'server_full',
  /** The room's owner pod is alive (its directory entry lives) but did not answer in time. */
  OwnerUnreachable = 'owner_unreachable',
  Draining = 'draining',
  Internal = 'internal_error',
  /** Code room: no member who knows the code is present to run the PAKE with a guest. */
  CodeNoVerifier = 'code_no_verifier',
  /** Code room: attempts under way already use up what the room has left. */
  CodeBusy = 'code_busy',
  /** No free nameplate after a bounded search: the nameplate space is (nearly) full. */
  NameplatesExhausted = 'nameplates_exhausted',
  /** Cluster mode: the directory, which hands out nameplates cluster-wide, is down. */
  DirectoryUnavailable = 'directory_unavailable',
}

export class RelayError extends Error {
  override readonly name = 'RelayError';
  constructor(
    readonly code: RelayErrorCode,
    message: string,
    /** Seconds after which a retry can succeed (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}

export function toHttpStatus(code: RelayErrorCode): number {
  switch (code) {
    case RelayErrorCode.InvalidRequest:
    case RelayErrorCode.InvalidJson:
      return 400;
    case RelayErrorCode.Unauthorized:
      return 401;
    case RelayErrorCode.Forbidden:
    case RelayErrorCode.AdminDisabled:
    case RelayErrorCode.TurnstileFailed:
      return 403;
    case RelayErrorCode.NotFound:
    case RelayErrorCode.RoomNotFound:
      return 404;
    case RelayErrorCode.RoomFull:
    case RelayErrorCode.RoomDestroyed:
    case RelayErrorCode.DuplicateClientId:
    case RelayErrorCode.CodeNoVerifier:
    case RelayErrorCode.CodeBusy:
      return 409;
    case RelayErrorCode.PayloadTooLarge:
      return 413;
    case RelayErrorCode.RateLimited:
      return 429;
    case RelayErrorCode.Internal:
      return 500;
    case RelayErrorCode.TurnstileUnavailable:
      return 502;
    case RelayErrorCode.RoomLimitReached:
    case RelayErrorCode.ServerFull:
    case RelayErrorCode.OwnerUnreachable:
    case RelayErrorCode.Draining:
    case RelayErrorCode.NameplatesExhausted:
    case RelayErrorCode.DirectoryUnavailable:
      return 503;
    default:
      return assertUnreachable(code);
  }
}

export function toWsClose(code: RelayErrorCode): CloseCode {
  switch (code) {
    case RelayErrorCode.InvalidRequest:
    case RelayErrorCode.InvalidJson:
    case RelayErrorCode.PayloadTooLarge:
    case RelayErrorCode.NotFound:
      return CloseCode.BAD_REQUEST;
    case RelayErrorCode.Unauthorized:
    case RelayErrorCode.AdminDisabled:
      return CloseCode.UNAUTHORIZED;
    case RelayErrorCode.Forbidden:
    case RelayErrorCode.TurnstileFailed:
      return CloseCode.FORBIDDEN;
    case RelayErrorCode.RoomNotFound:
      return CloseCode.ROOM_NOT_FOUND;
    case RelayErrorCode.RoomFull:
      return CloseCode.ROOM_FULL;
    case RelayErrorCode.RoomDestroyed:
      return CloseCode.ROOM_DESTROYED;
    case RelayErrorCode.DuplicateClientId:
      return CloseCode.DUPLICATE_CLIENT_ID;
    case RelayErrorCode.RateLimited:
      return CloseCode.RATE_LIMITED;
    case RelayErrorCode.RoomLimitReached:
    case RelayErrorCode.ServerFull:
    case RelayErrorCode.OwnerUnreachable:
    case RelayErrorCode.TurnstileUnavailable:
    case RelayErrorCode.NameplatesExhausted:
    case RelayErrorCode.DirectoryUnavailable:
      return CloseCode.TRY_AGAIN_LATER;
    case RelayErrorCode.CodeNoVerifier:
      return CloseCode.CODE_NO_VERIFIER;
    case RelayErrorCode.CodeBusy:
      return CloseCode.CODE_BUSY;
    case RelayErrorCode.Draining:
      return CloseCode.SERVICE_RESTART;
    case RelayErrorCode.Internal:
      return CloseCode.INTERNAL_ERROR;
    default:
      return assertUnreachable(code);
  }
}
