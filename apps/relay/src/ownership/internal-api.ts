import { type RoomMode } from '@nullroom/protocol';
import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { type JoinTokenHash } from '../rooms/join-token';
import { type RoomsService, type RoomView } from '../rooms/rooms.service';
import {
  type AdoptRequest,
  CloseOutcome,
  type HandoffReply,
  type HandoffRequest,
  type InternalHandlers,
  type StandbyBatch,
  type StandbyInfo,
  type TakeReply,
} from './peer-api';
import { type OwnershipService } from './ownership.service';

/**
 * What this pod answers on the internal port, once InternalServer has authenticated and decoded a
 * request: transport-free, so unit tests wire pods together in memory with the very same code.
 */
export class InternalApi implements InternalHandlers {
  constructor(
    private readonly roomsService: RoomsService,
    private readonly ownership: OwnershipService,
    private readonly localStats: () => Record<string, unknown>,
  ) {}

  handoff(roomId: string, request: HandoffRequest): Promise<HandoffReply> {
    return this.ownership.responder.handoff(roomId, request);
  }

  adopt(request: AdoptRequest): Promise<string[]> {
    return this.ownership.handover.adopt(request);
  }

  rooms(mode: RoomMode | undefined): RoomView[] {
    return this.roomsService.list(mode).map((r) => this.roomsService.view(r));
  }

  room(roomId: string): RoomView | undefined {
    const room = this.roomsService.get(roomId);
    return room === undefined ? undefined : this.roomsService.view(room);
  }

  /** `tokenHash` undefined: the calling pod checked an API or admin key. */
  close(roomId: string, tokenHash: JoinTokenHash | undefined): CloseOutcome {
    try {
      this.roomsService.closeWith(
        roomId,
        tokenHash === undefined ? { byKey: true } : { tokenHash },
      );
      return CloseOutcome.Closed;
    } catch (error) {
      if (!(error instanceof RelayError)) throw error;
      return error.code === RelayErrorCode.Forbidden
        ? CloseOutcome.Forbidden
        : CloseOutcome.Missing;
    }
  }

  putStandbys(batch: StandbyBatch): void {
    this.ownership.standbys.accept(batch);
  }

  listStandbys(): Array<{ roomId: string; owner: string }> {
    return this.ownership.standbys.list();
  }

  peekStandby(roomId: string): StandbyInfo | undefined {
    return this.ownership.standbys.peek(roomId);
  }

  takeStandby(roomId: string, owner: string): TakeReply {
    return this.ownership.standbys.take(roomId, owner);
  }

  stats(): Record<string, unknown> {
    return this.localStats();
  }
}
