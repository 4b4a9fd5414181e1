import { type RoomEndReason, type RoomEvents } from '../rooms/rooms.service';
import { SpanName, mark } from '../tracing/spans';

/**
 * Listens to the rooms' lifecycle events: counts ends by reason (for
 * nullroom_rooms_closed_total) and marks each create and close with a span, a child of the
 * request or join that caused it, if any. Attributes: mode, sizes, reason. Never the room id.
 */
export class RoomObserver {
  readonly closedByReason = new Map<RoomEndReason, number>();

  constructor(rooms: { on<E extends keyof RoomEvents>(event: E, listener: RoomEvents[E]): void }) {
    rooms.on('created', (room) =>
      mark(SpanName.RoomCreate, {
        'nullroom.room.mode': room.mode,
        'nullroom.room.max_participants': room.maxParticipants,
      }),
    );
    rooms.on('ended', (room, reason) => {
      this.closedByReason.set(reason, (this.closedByReason.get(reason) ?? 0) + 1);
      mark(SpanName.RoomClose, {
        'nullroom.room.mode': room.mode,
        'nullroom.room.close_reason': reason,
        'nullroom.room.participants': room.size,
      });
    });
  }
}
