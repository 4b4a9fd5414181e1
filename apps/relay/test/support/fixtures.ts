import { hashJoinToken } from '../../src/rooms/join-token';
import { type RoomHandoff } from '../../src/rooms/room-handoff';

/** A valid room id and a valid p2p room shape, for tests of what travels between pods. */
export const ROOM = '2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
export const BOOT = 'ab'.repeat(16);

export function aShape(overrides: Partial<RoomHandoff> = {}): RoomHandoff {
  return {
    roomId: ROOM,
    mode: 'p2p',
    maxParticipants: 4,
    tokenHash: hashJoinToken('token'),
    createdAt: 1,
    lastActivityAt: 2,
    ...overrides,
  };
}
