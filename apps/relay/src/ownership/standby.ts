import { createHash } from 'node:crypto';
import { type RoomHandoff } from '../rooms/room-handoff';
import { type StandbyBatch, type StandbyInfo, TakeOutcome, type TakeReply } from './peer-api';

interface StandbyEntry {
  readonly handoff: RoomHandoff;
  readonly owner: string;
  readonly ownerBoot: string;
  readonly expiresAt: number;
}

/**
 * Standby copies of other pods' room shapes (mode, size, token hash — never members or
 * messages), so a room survives its owner's `kill -9`: members reconnect through the ring, the new
 * ring pod finds the owner gone from the directory, and the pod holding the standby hands the shape
 * over. RAM only, renewed by the owner on every directory refresh, gone after `ttlMs` without one.
 */
export class StandbyStore {
  private readonly entries = new Map<string, StandbyEntry>();

  constructor(private readonly ttlMs: number) {}

  put(batch: StandbyBatch, now: number): void {
    for (const id of batch.dropped) {
      if (this.entries.get(id)?.owner === batch.from) this.entries.delete(id);
    }
    const expiresAt = now + this.ttlMs;
    for (const handoff of batch.rooms) {
      this.entries.set(handoff.roomId, {
        handoff,
        owner: batch.from,
        ownerBoot: batch.boot,
        expiresAt,
      });
    }
    this.sweep(now);
  }

  /** This pod holds the room itself now (it adopted it): a copy of it here is pointless. */
  forget(roomId: string): void {
    this.entries.delete(roomId);
  }

  peek(roomId: string, now: number): StandbyInfo | undefined {
    const entry = this.live(roomId, now);
    return entry === undefined ? undefined : { owner: entry.owner, ownerBoot: entry.ownerBoot };
  }

  /**
   * Hands the copy over once, and only if it names `owner` — the pod the taker found gone. A copy
   * naming another owner stays (that owner may be alive: the room moved on).
   */
  take(roomId: string, owner: string, now: number): TakeReply {
    const entry = this.live(roomId, now);
    if (entry === undefined) return { outcome: TakeOutcome.Missing };
    if (entry.owner !== owner) return { outcome: TakeOutcome.OwnerMismatch, owner: entry.owner };
    this.entries.delete(roomId);
    return { outcome: TakeOutcome.Taken, room: entry.handoff };
  }

  /** The rooms held, with their owners (the internal port's view, for operators and tests). */
  list(now: number): Array<{ roomId: string; owner: string }> {
    this.sweep(now);
    return [...this.entries].map(([roomId, entry]) => ({ roomId, owner: entry.owner }));
  }

  get size(): number {
    return this.entries.size;
  }

  private live(roomId: string, now: number): StandbyEntry | undefined {
    const entry = this.entries.get(roomId);
    if (entry === undefined || entry.expiresAt > now) return entry;
    this.entries.delete(roomId);
    return undefined;
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }
}

/**
 * Which pod keeps the standby of a room: rendezvous hashing over the other live pods, so standbys
 * spread evenly and most stay put when pods come and go. Also the order in which a draining pod
 * offers a room to successors (`rankedPodsFor`).
 */
export function standbyPodFor(roomId: string, candidates: readonly string[]): string | undefined {
  return rankedPodsFor(roomId, candidates)[0];
}

export function rankedPodsFor(roomId: string, candidates: readonly string[]): string[] {
  return candidates
    .map((pod) => ({ pod, score: createHash('sha256').update(`${pod}\n${roomId}`).digest('hex') }))
    .sort((a, b) => (a.score < b.score ? 1 : a.score > b.score ? -1 : 0))
    .map((c) => c.pod);
}
