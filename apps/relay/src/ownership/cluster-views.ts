import { type RoomMode } from '@nullroom/protocol';
import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { type CloseAuth, type RoomsService, type RoomView } from '../rooms/rooms.service';
import { type OwnershipService } from './ownership.service';
import { CloseOutcome, type Peers } from './peer-api';

/**
 * Cluster-wide reads and closes for the REST and admin API: this pod's answer plus every live
 * pod's, found in the directory. A pod that doesn't answer within CLUSTER_REQUEST_TIMEOUT_MS is
 * left out (and counted in `unreachablePods`), never waited for longer.
 */
export class ClusterViews {
  constructor(
    private readonly rooms: RoomsService,
    private readonly ownership: OwnershipService,
    private readonly peers: Peers,
  ) {}

  async listRooms(mode?: RoomMode): Promise<{ rooms: RoomView[]; unreachablePods: number }> {
    const local = this.rooms.list(mode).map((r) => this.rooms.view(r));
    const others = this.ownership.otherPods();
    const answers = await Promise.allSettled(others.map((p) => this.peers.rooms(p.address, mode)));
    const rooms = [...local];
    let unreachablePods = 0;
    for (const answer of answers) {
      if (answer.status === 'fulfilled') rooms.push(...answer.value);
      else unreachablePods++;
    }
    return { rooms, unreachablePods };
  }

  async getRoom(roomId: string): Promise<RoomView> {
    const local = this.rooms.get(roomId);
    if (local !== undefined) return this.rooms.view(local);
    const address = await this.ownership.ownerAddress(roomId);
    const view =
      address === undefined
        ? undefined
        : await this.peers.room(address, roomId).catch(() => undefined);
    if (view === undefined) throw new RelayError(RelayErrorCode.RoomNotFound, 'room not found');
    return view;
  }

  /** Closes a room wherever it lives; the owner checks a join token's hash (RoomsService). */
  async closeRoom(roomId: string, auth: CloseAuth): Promise<void> {
    if (this.rooms.get(roomId) !== undefined) {
      this.rooms.closeWith(roomId, auth);
      return;
    }
    const address = await this.ownership.ownerAddress(roomId);
    const outcome =
      address === undefined
        ? CloseOutcome.Missing
        : await this.peers
            .close(address, roomId, 'byKey' in auth ? undefined : auth.tokenHash)
            .catch(() => CloseOutcome.Missing);
    if (outcome === CloseOutcome.Forbidden)
      throw new RelayError(RelayErrorCode.Forbidden, 'invalid join token');
    if (outcome === CloseOutcome.Missing)
      throw new RelayError(RelayErrorCode.RoomNotFound, 'room not found');
  }

  async podStats(): Promise<Array<Record<string, unknown>>> {
    const others = this.ownership.otherPods();
    const answers = await Promise.allSettled(others.map((p) => this.peers.stats(p.address)));
    return answers.map((answer, i) =>
      answer.status === 'fulfilled' ? answer.value : { pod: others[i]!.podId, unreachable: true },
    );
  }
}
