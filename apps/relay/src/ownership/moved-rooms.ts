import { type Clock } from '../common/clock';
import { type RoomHandoff } from '../rooms/room-handoff';

/** How long a pod remembers where a room it gave away went (for claimers that come late). */
export const MOVED_MEMORY_MS = 30_000;

export interface MovedRoom {
  /** The pod it went to. */
  readonly to: string;
  /** Its shape, kept until the move is confirmed: the move can be re-sent or undone. */
  readonly shape: RoomHandoff;
  readonly at: number;
  /** The receiver took the directory entry over: the room is its now. */
  readonly confirmed: boolean;
}

/**
 * Rooms this pod handed to another pod recently. A claim's answer can be lost (the claimer timed
 * out while this pod was slow), so a move stays unconfirmed until the directory shows the receiver
 * took the entry over: until then the same claimer gets the shape again, another pod that the
 * receiver told "not here" may take it instead, and the lease loop gives it back to this pod if
 * nobody took it (see DirectoryLease). Confirmed moves are remembered for MOVED_MEMORY_MS so late
 * claimers are sent on (410) rather than told the room doesn't exist.
 */
export class MovedRooms {
  private readonly moves = new Map<string, MovedRoom>();

  constructor(
    private readonly clock: Clock,
    private readonly memoryMs = MOVED_MEMORY_MS,
  ) {}

  record(roomId: string, to: string, shape: RoomHandoff, confirmed = false): void {
    this.moves.set(roomId, { to, shape, at: this.clock.now(), confirmed });
    this.sweep();
  }

  get(roomId: string): MovedRoom | undefined {
    const move = this.moves.get(roomId);
    if (move === undefined) return undefined;
    if (move.confirmed && this.clock.now() - move.at > this.memoryMs) {
      this.moves.delete(roomId);
      return undefined;
    }
    return move;
  }

  /** The first receiver never got it; `to` takes it instead. */
  retarget(roomId: string, to: string): void {
    const move = this.moves.get(roomId);
    if (move !== undefined) this.moves.set(roomId, { ...move, to, at: this.clock.now() });
  }

  confirm(roomId: string): void {
    const move = this.moves.get(roomId);
    if (move !== undefined && !move.confirmed)
      this.moves.set(roomId, { ...move, confirmed: true, at: this.clock.now() });
  }

  delete(roomId: string): void {
    this.moves.delete(roomId);
  }

  /** Moves not yet confirmed, oldest first. */
  unconfirmed(): Array<[string, MovedRoom]> {
    return [...this.moves].filter(([, m]) => !m.confirmed).sort((a, b) => a[1].at - b[1].at);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [id, move] of this.moves)
      if (move.confirmed && now - move.at > this.memoryMs) this.moves.delete(id);
  }
}
