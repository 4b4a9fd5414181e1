import { type RelayConfig } from '../config/config';
import { type RoomsService } from '../rooms/rooms.service';
import { type DirectoryLease } from './directory-lease';
import { type MovedRooms } from './moved-rooms';
import { HandoffOutcome, type HandoffReply, type HandoffRequest } from './peer-api';
import { type RoomTransit } from './room-transit';
import { type StandbyReplicator } from './standby-replicator';

/**
 * The other side of a claim (`POST /internal/rooms/:id/handoff`): what this pod answers another
 * pod that wants one of its rooms. An empty room moves (its shape in the answer); a room with
 * members, or held for a join that just claimed it, stays (busy: the claimer forwards its member
 * here). A room that just left is followed (410 to where it went) — and because the claimer may
 * have given up on the answer, an unconfirmed move is sent again to the same claimer, or to the
 * next one once the first denies having it (MovedRooms). A room in transit here is waited for.
 */
export class ClaimResponder {
  constructor(
    private readonly self: { readonly boot: string },
    private readonly config: RelayConfig['cluster'],
    private readonly rooms: Pick<RoomsService, 'handOff'>,
    private readonly moved: MovedRooms,
    private readonly transit: RoomTransit,
    private readonly lease: Pick<DirectoryLease, 'movedAway'>,
    private readonly standbys: Pick<StandbyReplicator, 'drop'>,
  ) {}

  async handoff(roomId: string, request: HandoffRequest): Promise<HandoffReply> {
    await this.transit.settled(roomId, this.config.requestTimeoutMs);
    const result = this.rooms.handOff(roomId);
    if (result === 'busy') return { outcome: HandoffOutcome.Busy };
    if (result !== undefined) {
      this.moved.record(roomId, request.to, result);
      this.lease.movedAway(roomId);
      this.standbys.drop(roomId);
      return { outcome: HandoffOutcome.Moved, room: result };
    }
    const move = this.moved.get(roomId);
    if (move === undefined) return { outcome: HandoffOutcome.Missing, boot: this.self.boot };
    if (!move.confirmed && move.to === request.to) {
      // The same claimer again: its first answer was lost (it timed out while this pod was slow).
      return { outcome: HandoffOutcome.Moved, room: move.shape };
    }
    if (!move.confirmed && request.notAt === move.to) {
      // The pod it was given to says it doesn't have it: it is this claimer's instead.
      this.moved.retarget(roomId, request.to);
      return { outcome: HandoffOutcome.Moved, room: move.shape };
    }
    return { outcome: HandoffOutcome.MovedAway, owner: move.to };
  }
}
