import { type RoomKey, type RoomKeyDeriver } from '../cluster';

/**
 * Directory keys (HMAC of the room id) of the rooms this pod holds, computed once per room rather
 * than on every refresh. Any other id is derived on demand and not kept.
 */
export class RoomKeys {
  private readonly held = new Map<string, RoomKey>();

  constructor(private readonly deriver: RoomKeyDeriver) {}

  of(roomId: string): RoomKey {
    return this.held.get(roomId) ?? this.deriver.keyFor(roomId);
  }

  /** The room is (or is about to be) held here: keep its key. */
  hold(roomId: string): RoomKey {
    let key = this.held.get(roomId);
    if (key === undefined) this.held.set(roomId, (key = this.deriver.keyFor(roomId)));
    return key;
  }

  drop(roomId: string): void {
    this.held.delete(roomId);
  }
}
