import { FrameErrorCode, encodeCallCredentials, encodeError } from '@nullroom/protocol';
import { type Member } from '../rooms/member';
import { type Room } from '../rooms/room';
import { type TurnCredentials } from './turn-credentials';

/**
 * Who takes part in each room's call, as far as the relay can know it: the members that said
 * CALL_JOIN and have not said CALL_LEAVE or gone. The call itself (offers, answers, candidates,
 * ringing, mute) is end-to-end encrypted and invisible here; this is only what the relay needs
 * to issue TURN credentials to members, hold CALL_MAX_PARTICIPANTS, and count calls.
 *
 * One call per room: a second member starting "another" call joins the same one at the relay
 * (the clients merge them). The sets live in RAM beside the room and die with it.
 */
export class CallsService {
  private readonly calls = new WeakMap<Room, Set<Member>>();
  /** Counts for metrics; never per room. */
  started = 0;
  ended = 0;
  active = 0;
  participants = 0;
  credentialsIssued = 0;
  readonly refused = { full: 0, disabled: 0 };

  constructor(
    private readonly maxParticipants: number,
    private readonly credentials: TurnCredentials,
  ) {}

  /** CALL_JOIN: join the room's call (or refresh the credentials of a member already in it). */
  join(room: Room, member: Member): void {
    if (this.maxParticipants === 0) {
      this.refused.disabled++;
      member.deliver(
        Buffer.from(encodeError(FrameErrorCode.CALLS_DISABLED, 'calls are off on this relay')),
      );
      return;
    }
    let call = this.calls.get(room);
    if (call?.has(member) !== true) {
      if (call !== undefined && call.size >= this.maxParticipants) {
        this.refused.full++;
        member.deliver(Buffer.from(encodeError(FrameErrorCode.CALL_FULL, 'the call is full')));
        return;
      }
      if (call === undefined) {
        call = new Set();
        this.calls.set(room, call);
        this.started++;
        this.active++;
      }
      call.add(member);
      this.participants++;
    }
    this.credentialsIssued++;
    member.deliver(Buffer.from(encodeCallCredentials(this.credentials.issue())));
  }

  /** CALL_LEAVE, or the member's socket closed. */
  leave(room: Room, member: Member): void {
    const call = this.calls.get(room);
    if (call === undefined || !call.delete(member)) return;
    this.participants--;
    if (call.size === 0) this.end(room);
  }

  /** The room ended (closed, expired, drained): so did its call. */
  roomEnded(room: Room): void {
    const call = this.calls.get(room);
    if (call === undefined) return;
    this.participants -= call.size;
    this.end(room);
  }

  /** Members in the room's call (for tests and the admin stats). */
  size(room: Room): number {
    return this.calls.get(room)?.size ?? 0;
  }

  private end(room: Room): void {
    this.calls.delete(room);
    this.ended++;
    this.active--;
  }
}
