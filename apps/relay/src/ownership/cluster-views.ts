import { type RoomMode } from '@nullroom/protocol';
import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { type RoomsService, type RoomView } from '../rooms/rooms.service';
import { type OwnershipService } from './ownership.service';
import { type PeerClient } from './peer-client';

/**
 * Cluster-wide reads and closes for the REST and admin API: this pod's answer plus every live
 * pod's, found in the directory. A pod that doesn't answer within CLUSTER_REQUEST_TIMEOUT_MS is
 * left out (and counted in `unreachablePods`), never waited for longer.
 */
export class ClusterViews {
  constructor(
    private readonly rooms: RoomsService,
    private readonly ownership: OwnershipService,
    private readonly peers: PeerClient,
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

  /**
   * Closes a room wherever it lives. `joinToken` undefined means the caller was authenticated by
   * API or admin key; otherwise the owner checks the token.
   */
  async closeRoom(roomId: string, joinToken: string | undefined): Promise<void> {
    const local = this.rooms.get(roomId);
    if (local !== undefined) {
      if (joinToken !== undefined && !this.rooms.tokenMatches(local, joinToken)) {
        throw new RelayError(RelayErrorCode.Forbidden, 'invalid join token');
      }
      this.rooms.end(local, 'closed');
      return;
    }
    const address = await this.ownership.ownerAddress(roomId);
    const outcome =
      address === undefined
        ? 'missing'
        : await this.peers.close(address, roomId, joinToken).catch(() => 'missing' as const);
    if (outcome === 'forbidden')
      throw new RelayError(RelayErrorCode.Forbidden, 'invalid join token');
    if (outcome === 'missing') throw new RelayError(RelayErrorCode.RoomNotFound, 'room not found');
  }

  async podStats(): Promise<Array<Record<string, unknown>>> {
    const others = this.ownership.otherPods();
    const answers = await Promise.allSettled(others.map((p) => this.peers.stats(p.address)));
    return answers.map((answer, i) =>
      answer.status === 'fulfilled' ? answer.value : { pod: others[i]!.podId, unreachable: true },
    );
  }
}
