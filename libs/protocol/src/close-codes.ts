/**
 * Every WebSocket close code the relay sends, with its meaning. 1000–1015 are RFC 6455 §7.4.1
 * codes; 4000–4999 are reserved for applications (RFC 6455 §7.4.2). The 44xx codes mirror the
 * HTTP status a REST call would get for the same problem.
 *
 * `reconnect` tells a client whether trying again (with backoff) can help.
 */
export const CloseCode = {
  /** The client or the relay ended the connection normally. */
  NORMAL: 1000,
  /**
   * Not sent by the relay (a second signal exits at once, and clients see 1006); proxies and
   * browsers send it. Listed because clients must treat it as retryable.
   */
  GOING_AWAY: 1001,
  /** A text frame was not valid UTF-8 (sent by the ws library, RFC 6455 §8.1). */
  INVALID_PAYLOAD: 1007,
  /** A message exceeded the relay's frame size limit (sent by the ws library). */
  MESSAGE_TOO_BIG: 1009,
  /** The relay hit an unexpected internal error on this connection. */
  INTERNAL_ERROR: 1011,
  /** Drain: the pod is restarting. Reason is JSON `{"retryMs":n}`; reconnect after that delay. */
  SERVICE_RESTART: 1012,
  /**
   * The relay is temporarily unable to take the connection (MAX_CONNECTIONS; in a cluster, the
   * room's owner pod is alive but did not answer in time); reconnect with backoff.
   */
  TRY_AGAIN_LATER: 1013,

  /** The room was closed through the REST or admin API. */
  ROOM_CLOSED: 4000,
  /** The room was idle longer than ROOM_MAX_IDLE_MS and was removed. */
  ROOM_EXPIRED: 4001,
  /** A third participant tried to join a support room, which destroys it (seed 000). */
  ROOM_DESTROYED: 4002,
  /** This client read too slowly: its unsent bytes passed WS_MAX_BUFFERED_BYTES. */
  SLOW_CONSUMER: 4003,
  /** The connection URL is malformed: missing or invalid roomId or clientId. */
  BAD_REQUEST: 4400,
  /** REQUIRE_WS_API_KEY is on and the API key is missing or wrong. */
  UNAUTHORIZED: 4401,
  /** The join token is missing or wrong. */
  FORBIDDEN: 4403,
  /** No room with that id exists. */
  ROOM_NOT_FOUND: 4404,
  /** Another live connection in the room already uses that clientId. */
  DUPLICATE_CLIENT_ID: 4409,
  /** The room already has maxParticipants members. */
  ROOM_FULL: 4410,
  /** The connection sent frames or bytes faster than the configured rate. */
  RATE_LIMITED: 4429,

  /** Code room: nobody who knows the code is in the room (yet, or any more). Retry later. */
  CODE_NO_VERIFIER: 4440,
  /** Code room: the member who ran the PAKE with you refused it — the code is wrong. */
  WRONG_CODE: 4441,
  /** Code room: too many wrong codes; the room is closed for everyone. */
  CODE_ROOM_LOCKED: 4442,
  /** Code room: your attempt was not confirmed within CODE_ATTEMPT_TIMEOUT_MS. */
  CODE_TIMEOUT: 4443,
  /** Code room: as many attempts are under way as the room has left. Retry shortly. */
  CODE_BUSY: 4444,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which reconnecting with backoff can succeed. */
export function isRetryableClose(code: number): boolean {
  return (
    code === CloseCode.GOING_AWAY ||
    code === CloseCode.INTERNAL_ERROR ||
    code === CloseCode.SERVICE_RESTART ||
    code === CloseCode.TRY_AGAIN_LATER ||
    code === 1006 // abnormal closure: the TCP connection dropped without a close frame
  );
}

/** Builds the 1012 close reason, and reads it back. Reasons are limited to 123 bytes. */
export function encodeRestartReason(retryMs: number): string {
  return JSON.stringify({ retryMs: Math.max(0, Math.round(retryMs)) });
}

export function decodeRestartReason(reason: string): number | undefined {
  try {
    const value: unknown = JSON.parse(reason);
    if (typeof value === 'object' && value !== null && 'retryMs' in value) {
      const retryMs = value.retryMs;
      if (typeof retryMs === 'number' && Number.isFinite(retryMs) && retryMs >= 0) return retryMs;
    }
  } catch {
    // not ours: a proxy may close with its own reason
  }
  return undefined;
}
