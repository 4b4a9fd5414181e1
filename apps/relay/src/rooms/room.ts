import { type RoomMode } from '@nullroom/protocol';
import { type CodeAttempts } from '../code-rooms/code-attempts';
import { type JoinTokenHash } from './join-token';
import { type Member } from './member';

/** One room, in RAM only. Members are kept in a Map for lookup and an array for fan-out. */
export class Room {
  private readonly byId = new Map<string, Member>();
  /** Rebuilt on join/leave (rare) so the per-frame loop is a plain array walk. */
  private fanout: readonly Member[] = [];
  /** Code-room guests still proving the code: in the room, but outside the fan-out. */
  private readonly guests = new Set<Member>();
  /** Code rooms only: nameplate and attempt counting (code-rooms/). */
  code: CodeAttempts | undefined;
  /**
   * Code rooms: hashes of the member tokens minted for guests the PAKE admitted (each guest gets
   * its own, in CODE_ADMITTED, to rejoin as a member). The room's own token is only ever a hash
   * here, so it can't be handed out; these are accepted like it (join-credentials.ts).
   */
  readonly memberTokenHashes = new Set<JoinTokenHash>();
  lastActivityAt: number;
  closed = false;
  /**
   * A room that just moved here for a join is held until then (epoch ms): while the claim
   * finishes (a directory round trip), another pod's claim gets 'busy' and forwards its member
   * here, instead of taking the room away from under the join it was claimed for.
   */
  heldUntil = 0;

  constructor(
    readonly id: string,
    readonly mode: RoomMode,
    readonly maxParticipants: number,
    /**
     * The hash of the room's secret (join-token.ts) — a p2p join token, a support visitor token —
     * never the token itself. Undefined only for a room from a pod that predates visitor tokens.
     */
    readonly tokenHash: JoinTokenHash | undefined,
    readonly createdAt: number,
  ) {
    this.lastActivityAt = createdAt;
  }

  /** Everyone connected, guests included (capacity, emptiness). */
  get size(): number {
    return this.byId.size;
  }

  /** Admitted members, in join order (WELCOME lists these). */
  get memberIds(): string[] {
    return this.fanout.map((m) => m.clientId);
  }

  has(clientId: string): boolean {
    return this.byId.has(clientId);
  }

  get(clientId: string): Member | undefined {
    return this.byId.get(clientId);
  }

  /** `admitted: false` keeps a code-room guest out of the fan-out until `admit`. */
  add(member: Member, admitted = true): void {
    this.heldUntil = 0;
    this.byId.set(member.clientId, member);
    if (admitted) this.fanout = [...this.fanout, member];
    else this.guests.add(member);
  }

  /** A guest becomes a member: it receives the room's broadcasts from now on. */
  admit(member: Member): void {
    if (!this.guests.delete(member)) return;
    this.fanout = [...this.fanout, member];
  }

  isGuest(member: Member): boolean {
    return this.guests.has(member);
  }

  /** Returns false when the member was not (or no longer) in the room. */
  remove(member: Member): boolean {
    if (this.byId.get(member.clientId) !== member) return false;
    this.byId.delete(member.clientId);
    if (!this.guests.delete(member)) this.fanout = this.fanout.filter((m) => m !== member);
    return true;
  }

  /** The hot path: one prebuilt frame to every member but the sender. Returns deliveries. */
  broadcast(from: Member | undefined, frame: Buffer): number {
    const members = this.fanout;
    let delivered = 0;
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      if (member !== from) {
        member.deliver(frame);
        delivered++;
      }
    }
    return delivered;
  }

  members(): readonly Member[] {
    return this.fanout;
  }

  /** Admitted members and guests: whom a room's end must reach. */
  everyone(): Member[] {
    return [...this.byId.values()];
  }
}
