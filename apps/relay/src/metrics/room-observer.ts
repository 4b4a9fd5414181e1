import { type RoomEvents } from '../rooms/rooms.service';
import { SpanName, mark } from '../tracing/spans';

/**
 * Listens to the rooms' lifecycle events and marks each create and close with a span, a child of
 * the request or join that caused it, if any. Attributes: mode, sizes, reason. Never the room id.
 * (Counting them is RelayStats' job: one store per concern.)
 */
export class RoomObserver {
  constructor(rooms: { on<E extends keyof RoomEvents>(event: E, listener: RoomEvents[E]): void }) {
    rooms.on('created', (room) =>
      mark(SpanName.RoomCreate, {
        'nullroom.room.mode': room.mode,
        'nullroom.room.max_participants': room.maxParticipants,
      }),
    );
    rooms.on('ended', (room, reason) => {
      mark(SpanName.RoomClose, {
        'nullroom.room.mode': room.mode,
        'nullroom.room.close_reason': reason,
        'nullroom.room.participants': room.size,
      });
    });
  }
}
