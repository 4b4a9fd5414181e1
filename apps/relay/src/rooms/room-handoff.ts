import {
  MAX_PARTICIPANTS_LIMIT,
  MIN_PARTICIPANTS,
  isValidNameplate,
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
  /** Code rooms: the nameplate and the failed attempts so far (the budget moves with the room). */
  readonly code?: { readonly nameplate: string; readonly failedAttempts: number };
  /** Code rooms: hashes of the member tokens minted for admitted guests (Room.memberTokenHashes). */
  readonly memberTokenHashes?: readonly JoinTokenHash[];
}

/** Member tokens a code room may carry: a few rejoins per seat at most. */
const MAX_MEMBER_TOKENS = MAX_PARTICIPANTS_LIMIT * 4;

/** Peer input → a RoomHandoff, or undefined when anything is off. Never throws. */
export function decodeRoomHandoff(value: unknown): RoomHandoff | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const { roomId, mode, maxParticipants, tokenHash, createdAt, lastActivityAt, code } = v;
  const { memberTokenHashes } = v;
  if (!isValidRoomId(roomId)) return undefined;
  if (mode !== 'p2p' && mode !== 'support' && mode !== 'code') return undefined;
  if (
    typeof maxParticipants !== 'number' ||
    !Number.isInteger(maxParticipants) ||
    maxParticipants < MIN_PARTICIPANTS ||
    maxParticipants > MAX_PARTICIPANTS_LIMIT
  ) {
    return undefined;
  }
  // A p2p or code room without its hash could be joined by anyone. A support room has its
  // visitor token's hash (a pod of an older version may send one without).
  const needsHash = mode !== 'support';
  if (
    needsHash ? !isJoinTokenHash(tokenHash) : tokenHash !== undefined && !isJoinTokenHash(tokenHash)
  )
    return undefined;
  const attempts = mode === 'code' ? decodeCodeAttempts(code) : undefined;
  if (mode === 'code' ? attempts === undefined : code !== undefined) return undefined;
  const members = memberTokenHashes === undefined ? [] : memberTokenHashes;
  if (
    !Array.isArray(members) ||
    members.length > MAX_MEMBER_TOKENS ||
    (mode !== 'code' && members.length > 0) ||
    !members.every((h) => isJoinTokenHash(h))
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
    ...(attempts === undefined ? {} : { code: attempts }),
    ...(members.length === 0 ? {} : { memberTokenHashes: members }),
  };
}

function decodeCodeAttempts(value: unknown): RoomHandoff['code'] {
  if (typeof value !== 'object' || value === null) return undefined;
  const { nameplate, failedAttempts } = value as { nameplate?: unknown; failedAttempts?: unknown };
  if (!isValidNameplate(nameplate)) return undefined;
  if (typeof failedAttempts !== 'number' || !Number.isInteger(failedAttempts) || failedAttempts < 0)
    return undefined;
  return { nameplate, failedAttempts };
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
