import { CloseCode } from '@nullroom/protocol';
import { describeClose, isRoomGone } from './close-reasons';

describe('close reasons', () => {
  it('explains the codes the relay ends a chat with (docs/protocol.md)', () => {
    expect(describeClose(CloseCode.ROOM_CLOSED)).toBe('The room was closed.');
    expect(describeClose(CloseCode.ROOM_NOT_FOUND)).toMatch(/no longer exists/);
    expect(describeClose(CloseCode.ROOM_DESTROYED)).toMatch(/third participant/);
    expect(describeClose(CloseCode.UNAUTHORIZED)).toMatch(/API key/);
    expect(describeClose(4999)).toBe('The connection ended (close code 4999).');
  });

  it('knows which codes mean the room itself is gone', () => {
    for (const code of [4000, 4001, 4002, 4404]) expect(isRoomGone(code)).toBe(true);
    for (const code of [1000, 4401, 4410, 4429]) expect(isRoomGone(code)).toBe(false);
  });
});
