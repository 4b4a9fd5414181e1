import { type RoomMode } from '@nullroom/protocol';
import { type JoinTokenHash } from './join-token';
import { type Member } from './member';

/** One room, in RAM only. Members are kept in a Map for lookup and an array for fan-out. */
export class Room {
  private readonly byId = new Map<string, Member>();
  /** Rebuilt on join/leave (rare) so the per-frame loop is a plain array walk. */
  private fanout: readonly Member[] = [];
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

  get size(): number {
    return this.fanout.length;
  }

  get memberIds(): string[] {
    return this.fanout.map((m) => m.clientId);
  }

  has(clientId: string): boolean {
    return this.byId.has(clientId);
  }

  get(clientId: string): Member | undefined {
    return this.byId.get(clientId);
  }

  add(member: Member): void {
    this.heldUntil = 0;
    this.byId.set(member.clientId, member);
    this.fanout = [...this.fanout, member];
  }

  /** Returns false when the member was not (or no longer) in the room. */
  remove(member: Member): boolean {
    if (this.byId.get(member.clientId) !== member) return false;
    this.byId.delete(member.clientId);
    this.fanout = this.fanout.filter((m) => m !== member);
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
}
