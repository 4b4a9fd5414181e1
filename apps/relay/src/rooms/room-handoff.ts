import {
  MAX_PARTICIPANTS_LIMIT,
  MIN_PARTICIPANTS,
  isValidRoomId,
  type RoomMode,
} from '@nullroom/protocol';
import { isJoinTokenHash, type JoinTokenHash } from './join-token';

/**
 * A room's shape: what moves when an empty room changes pods (a claim, a drain handover) and what
 * a standby pod keeps. Never members, never messages, never the join token (only its hash).
 * RAM only, on every pod that holds it.
 *
 * To extend it (an MLS epoch, a commit-ordering hint): add an optional field here, check it in
 * `decodeRoomHandoff`, and copy it in `RoomsService.shapeOf` / `adopt`. Older pods ignore fields
 * they don't know, so a rolling update can mix versions.
 */
export interface RoomHandoff {
  readonly roomId: string;
  readonly mode: RoomMode;
  readonly maxParticipants: number;
  /** The hash of the room's one secret: a p2p join token, a support room's visitor token. */
  readonly tokenHash?: JoinTokenHash;
  readonly createdAt: number;
  readonly lastActivityAt: number;
}

/** Peer input → a RoomHandoff, or undefined when anything is off. Never throws. */
export function decodeRoomHandoff(value: unknown): RoomHandoff | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const { roomId, mode, maxParticipants, tokenHash, createdAt, lastActivityAt } = v;
  if (!isValidRoomId(roomId)) return undefined;
  if (mode !== 'p2p' && mode !== 'support') return undefined;
  if (
    typeof maxParticipants !== 'number' ||
    !Number.isInteger(maxParticipants) ||
    maxParticipants < MIN_PARTICIPANTS ||
    maxParticipants > MAX_PARTICIPANTS_LIMIT
  ) {
    return undefined;
  }
  // A p2p room without its hash could be joined by anyone. A support room has its visitor
  // token's hash (a pod of an older version may send one without).
  if (
    mode === 'p2p'
      ? !isJoinTokenHash(tokenHash)
      : tokenHash !== undefined && !isJoinTokenHash(tokenHash)
  )
    return undefined;
  if (!isTime(createdAt) || !isTime(lastActivityAt)) return undefined;
  return {
    roomId,
    mode,
    maxParticipants,
    ...(tokenHash === undefined ? {} : { tokenHash: tokenHash as JoinTokenHash }),
    createdAt,
    lastActivityAt,
  };
}

/** A list of shapes from a peer: the valid ones (an invalid entry is dropped, not fatal). */
export function decodeRoomHandoffs(value: unknown, max: number): RoomHandoff[] | undefined {
  if (!Array.isArray(value) || value.length > max) return undefined;
  const out: RoomHandoff[] = [];
  for (const item of value) {
    const decoded = decodeRoomHandoff(item);
    if (decoded !== undefined) out.push(decoded);
  }
  return out;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
