/**
 * Why a call could not start, or why it ended. One code enum, one mapper to words
 * (`describeCallEnd`), written as an exhaustive switch so a new code can't go unexplained.
 */
export const CallErrorCode = {
  /** The relay's CALL_MAX_PARTICIPANTS is reached (ERROR call_full). */
  FULL: 'full',
  /** The relay runs with calls off (CALL_MAX_PARTICIPANTS=0). */
  DISABLED: 'disabled',
  /** Not connected to the relay, or the room ended. */
  NOT_CONNECTED: 'not_connected',
  /** Already in a call in this room. */
  BUSY: 'busy',
  /** "Hide my address" needs a TURN server and this relay names none. */
  NO_TURN: 'no_turn',
  /** The microphone, camera or screen could not be opened. */
  MEDIA: 'media',
  /** No call with that id is ringing or in progress. */
  NO_SUCH_CALL: 'no_such_call',
} as const;
export type CallErrorCode = (typeof CallErrorCode)[keyof typeof CallErrorCode];

export class CallError extends Error {
  constructor(
    readonly code: CallErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

/** How a call ended, for the UI. */
export const CallEndReason = {
  /** We hung up. */
  HUNG_UP: 'hung_up',
  /** Everyone else left. */
  REMOTE_HUNG_UP: 'remote_hung_up',
  /** Everyone we rang declined. */
  DECLINED: 'declined',
  /** Nobody answered in time. */
  NO_ANSWER: 'no_answer',
  /** The caller gave up before we answered. */
  MISSED: 'missed',
  /** No peer could be reached (ICE failed). */
  FAILED: 'failed',
  /** The TURN server refused the relay's credentials (expired, or a secret mismatch). */
  TURN_REJECTED: 'turn_rejected',
  /** A peer's DTLS fingerprint did not match the one it announced in the encrypted session. */
  SECURITY: 'security',
  /** We left the room, or it ended. */
  LEFT_ROOM: 'left_room',
} as const;
export type CallEndReason = (typeof CallEndReason)[keyof typeof CallEndReason];

export function describeCallEnd(reason: CallEndReason): string {
  switch (reason) {
    case CallEndReason.HUNG_UP:
      return 'You left the call.';
    case CallEndReason.REMOTE_HUNG_UP:
      return 'The call ended: everyone else left.';
    case CallEndReason.DECLINED:
      return 'The call was declined.';
    case CallEndReason.NO_ANSWER:
      return 'Nobody answered.';
    case CallEndReason.MISSED:
      return 'Missed call.';
    case CallEndReason.FAILED:
      return 'The call could not connect.';
    case CallEndReason.TURN_REJECTED:
      return 'The call could not connect: the TURN server refused the credentials from the relay.';
    case CallEndReason.SECURITY:
      return 'Call refused for your safety: the connection did not match the encrypted session.';
    case CallEndReason.LEFT_ROOM:
      return 'The call ended with the chat.';
    default:
      return assertUnreachable(reason);
  }
}

/** Ends that are failures (say them as warnings), not somebody's choice. */
export function isCallFailure(reason: CallEndReason): boolean {
  return (
    reason === CallEndReason.FAILED ||
    reason === CallEndReason.TURN_REJECTED ||
    reason === CallEndReason.SECURITY
  );
}

function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
