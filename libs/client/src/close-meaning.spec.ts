import { CloseCode } from '@nullroom/protocol';
import { CloseMeaning, closeMeaning, roomIsGone } from './close-meaning';

describe('closeMeaning', () => {
  it('gives every close code of libs/protocol (docs/protocol.md) a meaning', () => {
    for (const code of Object.values(CloseCode)) {
      expect({ code, meaning: closeMeaning(code) }).not.toEqual({
        code,
        meaning: CloseMeaning.UNKNOWN,
      });
    }
    expect(closeMeaning(1006)).toBe(CloseMeaning.UNREACHABLE);
    expect(closeMeaning(undefined)).toBe(CloseMeaning.LEFT);
    expect(closeMeaning(4999)).toBe(CloseMeaning.UNKNOWN);
  });

  it('tells the three ways a room ends apart', () => {
    expect(closeMeaning(4000)).toBe(CloseMeaning.ROOM_CLOSED);
    expect(closeMeaning(4001)).toBe(CloseMeaning.ROOM_EXPIRED);
    expect(closeMeaning(4002)).toBe(CloseMeaning.ROOM_DESTROYED);
  });

  it('knows which meanings leave no room behind', () => {
    for (const code of [4000, 4001, 4002, 4404, 4442])
      expect(roomIsGone(closeMeaning(code))).toBe(true);
    for (const code of [1000, 1006, 4401, 4403, 4410, 4429, 4440, 4441, 4443, 4444])
      expect(roomIsGone(closeMeaning(code))).toBe(false);
  });
});
