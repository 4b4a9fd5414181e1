import {
  CloseCode,
  CodeAttemptFailure,
  FrameErrorCode,
  encodeCodeAdmitted,
  encodeCodeAttemptFailed,
  encodeCodeChallenge,
  encodeCodeGuest,
  encodeError,
  encodeJoined,
} from '@nullroom/protocol';
import { type Clock } from '../common/clock';
import { RelayError, RelayErrorCode, assertUnreachable } from '../common/relay.exception';
import { type RelayStats } from '../common/stats';
import { type RelayConfig } from '../config/config';
import { type Member } from '../rooms/member';
import { hashJoinToken, newJoinToken } from '../rooms/join-token';
import { type Room } from '../rooms/room';
import { type CodeAttempts } from './code-attempts';

/** How an attempt ended, for nullroom_code_attempts_total. */
export type CodeAttemptOutcome = 'accepted' | CodeAttemptFailure;

/**
 * The relay's part of a code room. The relay cannot see the PAKE (it runs end to end inside
 * SEND_TO payloads), so it does the one thing it can: it lets a guest in on the nameplate alone,
 * keeps it out of the room's fan-out and lets it talk only to one **verifier** — the oldest
 * admitted member, who knows the code — and counts the attempt as failed unless that verifier
 * sends CODE_ACCEPT within CODE_ATTEMPT_TIMEOUT_MS. After CODE_MAX_FAILED_ATTEMPTS failures the
 * room is closed for everyone (4442) and its nameplate freed. Only admitted members can accept;
 * a guest cannot report on itself, and cannot leave without being counted.
 */
export class CodeRoomsService {
  constructor(
    private readonly config: RelayConfig['codeRooms'],
    private readonly clock: Clock,
    private readonly stats: RelayStats,
    /** Ends a room whose budget is spent (RoomsService.end with reason 'locked'). */
    private readonly lock: (room: Room) => void,
    /** The failure count changed: the room's standby copy must follow (RoomsService.reshaped). */
    private readonly reshaped: (room: Room) => void = () => undefined,
  ) {}

  get maxFailedAttempts(): number {
    return this.config.maxFailedAttempts;
  }

  /** Before a guest is added to `room`: who will verify it. Throws when it cannot start now. */
  screenGuest(room: Room): Member {
    const attempts = codeOf(room);
    const verifier = room.members()[0];
    if (verifier === undefined) {
      throw new RelayError(
        RelayErrorCode.CodeNoVerifier,
        'nobody who knows the code is in the room yet',
      );
    }
    if (!attempts.canStart(this.config.maxFailedAttempts)) {
      throw new RelayError(RelayErrorCode.CodeBusy, 'another attempt is under way, try again');
    }
    return verifier;
  }

  /** Right after the guest's WELCOME: the guest learns its verifier, the verifier its guest. */
  startAttempt(room: Room, guest: Member, verifier: Member): void {
    const attempts = codeOf(room);
    const { attemptTimeoutMs: timeoutMs, maxFailedAttempts: max } = this.config;
    const deadline = this.clock.setTimeout(
      () => this.fail(room, guest, CodeAttemptFailure.TIMEOUT),
      timeoutMs,
    );
    attempts.pending.set(guest, { guest, verifier, deadline });
    guest.onlyTo = verifier.clientId;
    const attemptsLeft = attempts.left(max);
    guest.deliver(
      Buffer.from(encodeCodeChallenge({ verifier: verifier.clientId, attemptsLeft, timeoutMs })),
    );
    verifier.deliver(
      Buffer.from(encodeCodeGuest({ clientId: guest.clientId, attemptsLeft, timeoutMs })),
    );
  }

  /** CODE_ACCEPT / CODE_REJECT from `from`. Anyone but the guest's verifier gets an ERROR. */
  verdict(room: Room, from: Member, guestId: string, accept: boolean): void {
    const guest = room.get(guestId);
    const pending = guest === undefined ? undefined : room.code?.pending.get(guest);
    if (pending === undefined || pending.verifier !== from) {
      from.deliver(
        Buffer.from(
          encodeError(FrameErrorCode.NOT_VERIFIER, 'no guest of yours is waiting with that id'),
        ),
      );
      return;
    }
    if (accept) this.admit(room, pending.guest);
    else this.fail(room, pending.guest, CodeAttemptFailure.WRONG_CODE);
  }

  /**
   * A member left (its socket is already out of the room). A pending guest's attempt fails as
   * abandoned; a verifier's pending guests fail as verifier_left and are sent away.
   */
  memberLeft(room: Room, member: Member, wasGuest: boolean): void {
    const attempts = room.code;
    if (attempts === undefined) return;
    if (wasGuest) {
      this.fail(room, member, CodeAttemptFailure.ABANDONED);
      return;
    }
    for (const pending of [...attempts.pending.values()]) {
      if (pending.verifier === member)
        this.fail(room, pending.guest, CodeAttemptFailure.VERIFIER_LEFT);
    }
  }

  /** The room ended for any reason: no deadline may fire for it afterwards. */
  roomEnded(room: Room): void {
    const attempts = room.code;
    if (attempts === undefined) return;
    for (const pending of attempts.pending.values()) pending.deadline.cancel();
    attempts.pending.clear();
  }

  private admit(room: Room, guest: Member): void {
    const attempts = codeOf(room);
    const pending = attempts.pending.get(guest);
    if (pending === undefined) return;
    attempts.pending.delete(guest);
    pending.deadline.cancel();
    this.count('accepted');
    guest.onlyTo = undefined;
    room.admit(guest);
    // The guest's own member token, to rejoin as a member (after a drain, a dropped network):
    // the room keeps only hashes of tokens, so it mints one and keeps its hash. It moves with
    // the room's shape (claims, handovers, standbys): renew the standby copy now.
    const memberToken = newJoinToken();
    room.memberTokenHashes.add(hashJoinToken(memberToken));
    this.reshaped(room);
    guest.deliver(
      Buffer.from(encodeCodeAdmitted({ clientId: guest.clientId, joinToken: memberToken })),
    );
    // The others see the guest only now: as a member that joins, vouched for by the PAKE.
    const joined = Buffer.from(encodeJoined(guest.clientId));
    const admitted = Buffer.from(encodeCodeAdmitted({ clientId: guest.clientId }));
    for (const member of room.members()) {
      if (member === guest) continue;
      member.deliver(joined);
      member.deliver(admitted);
    }
  }

  private fail(room: Room, guest: Member, reason: CodeAttemptFailure): void {
    const attempts = room.code;
    const pending = attempts?.pending.get(guest);
    if (attempts === undefined || pending === undefined || room.closed) return;
    // Out of the pending set before the guest is closed: its leave must not count it twice.
    attempts.pending.delete(guest);
    pending.deadline.cancel();
    attempts.failed++;
    this.count(reason);
    const max = this.config.maxFailedAttempts;
    const notice = Buffer.from(
      encodeCodeAttemptFailed({
        clientId: guest.clientId,
        reason,
        attemptsLeft: attempts.left(max),
      }),
    );
    for (const member of room.members()) member.deliver(notice);
    const close = closeFor(reason);
    if (close !== undefined) guest.end(close.code, close.reason);
    if (attempts.failed >= max) this.lock(room);
    else this.reshaped(room);
  }

  private count(outcome: CodeAttemptOutcome): void {
    this.stats.codeAttempts.set(outcome, (this.stats.codeAttempts.get(outcome) ?? 0) + 1);
  }
}

function codeOf(room: Room): CodeAttempts {
  if (room.code === undefined) throw new Error('not a code room');
  return room.code;
}

/** What the guest is told when its attempt fails; an abandoned guest is already gone. */
function closeFor(reason: CodeAttemptFailure): { code: number; reason: string } | undefined {
  switch (reason) {
    case CodeAttemptFailure.WRONG_CODE:
      return { code: CloseCode.WRONG_CODE, reason: 'wrong code' };
    case CodeAttemptFailure.TIMEOUT:
      return { code: CloseCode.CODE_TIMEOUT, reason: 'code not confirmed in time' };
    case CodeAttemptFailure.VERIFIER_LEFT:
      return { code: CloseCode.CODE_NO_VERIFIER, reason: 'the member checking your code left' };
    case CodeAttemptFailure.ABANDONED:
      return undefined;
    default:
      return assertUnreachable(reason);
  }
}
