import { type Member } from '../rooms/member';

/** One guest proving the code to one member, with its deadline. */
export interface PendingAttempt {
  readonly guest: Member;
  readonly verifier: Member;
  readonly deadline: { cancel(): void };
}

/**
 * A code room's guessing budget. Every guest that joins without the room's token is an attempt,
 * and an attempt counts as failed unless a member who knows the code accepts it — a wrong code,
 * a timeout, a guest that leaves, a verifier that leaves all count. So a guesser can't avoid
 * being counted: it is counted the moment it is let in, and only the other side can clear it.
 *
 * `failed` travels with the room when it moves between pods (RoomHandoff.code); pending attempts
 * never do (a room with members is never handed off).
 */
export class CodeAttempts {
  readonly pending = new Map<Member, PendingAttempt>();

  constructor(
    /** The room's nameplate, to keep it from being handed out again right after the room ends. */
    readonly nameplate: string,
    public failed = 0,
  ) {}

  /** Attempts the room can still afford, given `max` failures in all. */
  left(max: number): number {
    return Math.max(0, max - this.failed);
  }

  /** A new attempt may start only if the budget holds even when every running attempt fails. */
  canStart(max: number): boolean {
    return this.failed + this.pending.size < max;
  }
}
