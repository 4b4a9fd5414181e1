import { createHash } from 'node:crypto';
import { type RoomHandoff } from '../rooms/rooms.service';

/**
 * Standby copies of other pods' room shapes (mode, size, token — never members or messages), so
 * a room survives its owner's `kill -9`: members reconnect through the ring, the new ring pod
 * finds the owner dead, and the pod holding the standby hands the shape over (a claim, as from a
 * live owner). RAM only, renewed by the owner on every directory refresh, gone after `ttlMs`
 * without renewal.
 */
export class StandbyStore {
  private readonly entries = new Map<
    string,
    { handoff: RoomHandoff; owner: string; expiresAt: number }
  >();

  constructor(private readonly ttlMs: number) {}

  put(owner: string, handoffs: readonly RoomHandoff[], now: number): void {
    for (const handoff of handoffs) {
      this.entries.set(handoff.roomId, { handoff, owner, expiresAt: now + this.ttlMs });
    }
    this.sweep(now);
  }

  drop(roomIds: readonly string[]): void {
    for (const id of roomIds) this.entries.delete(id);
  }

  /** Hands the standby over once (the caller adopts it) and forgets it. */
  take(roomId: string, now: number): { handoff: RoomHandoff; owner: string } | undefined {
    const entry = this.entries.get(roomId);
    this.entries.delete(roomId);
    if (entry === undefined || entry.expiresAt <= now) return undefined;
    return { handoff: entry.handoff, owner: entry.owner };
  }

  /** The rooms held, with their owners (the internal port's view, for operators and tests). */
  list(now: number): Array<{ roomId: string; owner: string }> {
    this.sweep(now);
    return [...this.entries].map(([roomId, entry]) => ({ roomId, owner: entry.owner }));
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }
}

/**
 * Which pod keeps the standby of a room: rendezvous hashing over the other live pods, so standbys
 * spread evenly and most stay put when pods come and go.
 */
export function standbyPodFor(roomId: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = '';
  for (const pod of candidates) {
    const score = createHash('sha256').update(`${pod}\n${roomId}`).digest('hex');
    if (best === undefined || score > bestScore) {
      best = pod;
      bestScore = score;
    }
  }
  return best;
}
