/**
 * Limits that are part of the protocol itself. Operational limits (frame size, rates, buffered
 * bytes) are relay settings; their defaults live here so clients and relay agree on them.
 */

/** Participants in a p2p room when POST /rooms does not say (seed 000). */
export const DEFAULT_MAX_PARTICIPANTS = 16;
/** Hard ceiling for maxParticipants (seed 000: "up to 256"). */
export const MAX_PARTICIPANTS_LIMIT = 256;
/** Lowest maxParticipants a room can be created with: a room of one is not a chat. */
export const MIN_PARTICIPANTS = 2;
/** Support rooms take exactly two members; a third join destroys the room (seed 000). */
export const SUPPORT_ROOM_PARTICIPANTS = 2;

/** Client ids are chosen by the client (one per tab); they travel in every forwarded frame. */
export const MAX_CLIENT_ID_LENGTH = 64;
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** Default largest WebSocket message a client may send, header included (bytes). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** Room ids are UUIDs (seed 000: `roomId=<uuid>`). */
export const ROOM_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isValidClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID_PATTERN.test(value);
}

export function isValidRoomId(value: unknown): value is string {
  return typeof value === 'string' && ROOM_ID_PATTERN.test(value);
}
