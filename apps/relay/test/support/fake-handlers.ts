import {
  type AdoptRequest,
  CloseOutcome,
  HandoffOutcome,
  type HandoffReply,
  type HandoffRequest,
  type InternalHandlers,
  type StandbyBatch,
  type StandbyInfo,
  TakeOutcome,
  type TakeReply,
} from '../../src/ownership/peer-api';
import { type JoinTokenHash } from '../../src/rooms/join-token';
import { type RoomView } from '../../src/rooms/rooms.service';

/** InternalHandlers that answer what a test sets and record every call. */
export class FakeHandlers implements InternalHandlers {
  readonly calls: Array<[string, ...unknown[]]> = [];
  handoffReply: HandoffReply = { outcome: HandoffOutcome.Busy };
  takeReply: TakeReply = { outcome: TakeOutcome.Missing };
  closeOutcome = CloseOutcome.Closed;
  view: RoomView | undefined;
  standby: StandbyInfo | undefined;

  handoff(roomId: string, request: HandoffRequest): Promise<HandoffReply> {
    this.calls.push(['handoff', roomId, request]);
    return Promise.resolve(this.handoffReply);
  }
  adopt(request: AdoptRequest): Promise<string[]> {
    this.calls.push(['adopt', request]);
    return Promise.resolve(request.rooms.map((r) => r.roomId));
  }
  rooms(mode: 'p2p' | 'support' | undefined): RoomView[] {
    this.calls.push(['rooms', mode]);
    return this.view === undefined ? [] : [this.view];
  }
  room(roomId: string): RoomView | undefined {
    this.calls.push(['room', roomId]);
    return this.view;
  }
  close(roomId: string, tokenHash: JoinTokenHash | undefined): CloseOutcome {
    this.calls.push(['close', roomId, tokenHash]);
    return this.closeOutcome;
  }
  putStandbys(batch: StandbyBatch): void {
    this.calls.push(['standby-put', batch]);
  }
  listStandbys(): Array<{ roomId: string; owner: string }> {
    this.calls.push(['standby-list']);
    return [];
  }
  peekStandby(roomId: string): StandbyInfo | undefined {
    this.calls.push(['standby-peek', roomId]);
    return this.standby;
  }
  takeStandby(roomId: string, owner: string): TakeReply {
    this.calls.push(['standby-take', roomId, owner]);
    return this.takeReply;
  }
  stats(): Record<string, unknown> {
    this.calls.push(['stats']);
    return { pod: 'fake' };
  }
}
