import { CloseCode } from './close-codes';
import { RoomClosedReason, roomClosedCode, roomClosedCodeOf } from './room-closed';
import { decodeServerFrame, encodeRoomClosed } from './server-frame';

describe('ROOM_CLOSED reasons', () => {
  it('map to the close that follows the frame, through the wire and back', () => {
    const expected: Record<RoomClosedReason, number> = {
      closed: CloseCode.ROOM_CLOSED,
      expired: CloseCode.ROOM_EXPIRED,
      destroyed: CloseCode.ROOM_DESTROYED,
      locked: CloseCode.CODE_ROOM_LOCKED,
    };
    for (const reason of Object.values(RoomClosedReason)) {
      expect(roomClosedCode(reason)).toBe(expected[reason]);
      const decoded = decodeServerFrame(encodeRoomClosed(reason));
      if (!decoded.ok || decoded.frame.type !== 'room-closed') throw new Error('no frame');
      expect(roomClosedCodeOf(decoded.frame.reason)).toBe(expected[reason]);
    }
  });

  it('read an unknown reason (a newer relay) as a plain close', () => {
    expect(roomClosedCodeOf('evicted-by-moon')).toBe(CloseCode.ROOM_CLOSED);
    expect(roomClosedCodeOf('')).toBe(CloseCode.ROOM_CLOSED);
  });
});
