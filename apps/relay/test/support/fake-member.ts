import { decodeServerFrame, type ServerFrame } from '@nullroom/protocol';
import { type Member } from '../../src/rooms/member';

/** A room member that records what the room sent it, and how it was closed. */
export class FakeMember implements Member {
  readonly frames: ServerFrame[] = [];
  ended: { code: number; reason: string } | undefined;

  constructor(readonly clientId: string) {}

  deliver(frame: Buffer): void {
    const decoded = decodeServerFrame(frame);
    if (decoded.ok) this.frames.push(decoded.frame);
  }

  end(code: number, reason: string): void {
    this.ended ??= { code, reason };
  }
}
