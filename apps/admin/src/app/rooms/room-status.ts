/** A support room's seats as the list shows them (framework-free; see room-status.spec.ts). */
export type RoomStatus = 'empty' | 'waiting' | 'active';

interface Seats {
  readonly participants: number;
  readonly maxParticipants: number;
}

/** A support room has two seats: a visitor waiting alone, or a conversation in progress. */
export function roomStatus(room: Seats): RoomStatus {
  if (room.participants <= 0) return 'empty';
  return room.participants >= room.maxParticipants ? 'active' : 'waiting';
}

export function statusLabel(status: RoomStatus): string {
  return status === 'active' ? 'In conversation' : status === 'waiting' ? 'Waiting' : 'Empty';
}

/** Seed 000: a third join destroys a support room, so the admin must never be the third. */
export function canJoin(room: Seats): boolean {
  return room.participants < room.maxParticipants;
}
