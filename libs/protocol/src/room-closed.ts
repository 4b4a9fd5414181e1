import { CloseCode } from './close-codes';

/**
 * Why a room ended, as the ROOM_CLOSED frame (0x86) says it, and the close code that follows the
 * frame. One table for both sides: the relay picks the code from the reason, clients read the
 * reason back to the same code (the frame arrives before the close, and a client that acts on the
 * frame must not guess).
 */
export const RoomClosedReason = {
  /** DELETE /rooms/:id or the admin API. */
  CLOSED: 'closed',
  /** Idle longer than ROOM_MAX_IDLE_MS. */
  EXPIRED: 'expired',
  /** A third participant tried to join a support room. */
  DESTROYED: 'destroyed',
  /** A code room spent its CODE_MAX_FAILED_ATTEMPTS (too many wrong codes). */
  LOCKED: 'locked',
} as const;
export type RoomClosedReason = (typeof RoomClosedReason)[keyof typeof RoomClosedReason];

export function roomClosedCode(reason: RoomClosedReason): CloseCode {
  switch (reason) {
    case RoomClosedReason.CLOSED:
      return CloseCode.ROOM_CLOSED;
    case RoomClosedReason.EXPIRED:
      return CloseCode.ROOM_EXPIRED;
    case RoomClosedReason.DESTROYED:
      return CloseCode.ROOM_DESTROYED;
    case RoomClosedReason.LOCKED:
      return CloseCode.CODE_ROOM_LOCKED;
  }
}

/** A reason from the wire: an unknown one (a newer relay) reads as a plain close. */
export function roomClosedCodeOf(reason: string): CloseCode {
  return isRoomClosedReason(reason) ? roomClosedCode(reason) : CloseCode.ROOM_CLOSED;
}

export function isRoomClosedReason(reason: string): reason is RoomClosedReason {
  return (Object.values(RoomClosedReason) as string[]).includes(reason);
}
