import { isValidRoomId, type RoomMode } from '@nullroom/protocol';
import { isJoinTokenHash, type JoinTokenHash } from '../rooms/join-token';
import { decodeRoomHandoff, decodeRoomHandoffs, type RoomHandoff } from '../rooms/room-handoff';
import { type RoomView } from '../rooms/rooms.service';
import { assertUnreachable } from '../common/relay.exception';

/**
 * The pod-to-pod API of the internal port, in one place: its routes, what each answers, and the
 * exhaustive mappers between outcomes and HTTP statuses that both sides use — `InternalServer`
 * (answering, over `InternalHandlers`) and `PeerClient` (asking, as `Peers`). Every request is
 * signed as a whole (cluster-auth.ts). No join token crosses here: rooms travel with the token's
 * hash, forwarded members with the hash of the token they presented.
 *
 *   POST /internal/rooms/:id/handoff   {to, notAt?}             claim an empty room → HandoffReply
 *   POST /internal/rooms/adopt         {from, rooms}            drain handover → {adopted: ids}
 *   GET  /internal/rooms[?mode=]                               this pod's rooms (RoomView[])
 *   GET  /internal/rooms/:id                                    one room's view
 *   POST /internal/rooms/:id/close     {tokenHash?}             close it → CloseOutcome
 *   POST /internal/standby             {from, boot, rooms, dropped}   standby copies from an owner
 *   GET  /internal/standby                                      the copies held (ids, owners)
 *   GET  /internal/standby/:id                                  one copy's owner → StandbyInfo
 *   POST /internal/standby/:id/take    {owner}                  hand a copy over → TakeOutcome
 *   GET  /internal/stats                                        this pod's admin stats
 *   GET  /internal/ws?roomId&clientId&tokenHash&apiKeyOk        a forwarded member (WebSocket)
 */

/** Largest body of a pod-to-pod request or answer (standby batches are chunked below it). */
export const MAX_INTERNAL_BODY_BYTES = 8 * 1024 * 1024;
/** Room shapes per standby or adopt request: ~200 bytes each, far below the body limit. */
export const MAX_SHAPES_PER_REQUEST = 5000;

// -------------------------------------------------------------------------------------------
// Routes

export type InternalRoute =
  | { readonly kind: 'handoff'; readonly roomId: string }
  | { readonly kind: 'adopt' }
  | { readonly kind: 'rooms' }
  | { readonly kind: 'room'; readonly roomId: string }
  | { readonly kind: 'close'; readonly roomId: string }
  | { readonly kind: 'standby-put' }
  | { readonly kind: 'standby-list' }
  | { readonly kind: 'standby-peek'; readonly roomId: string }
  | { readonly kind: 'standby-take'; readonly roomId: string }
  | { readonly kind: 'stats' };

export const InternalPath = {
  handoff: (roomId: string) => `/internal/rooms/${roomId}/handoff`,
  adopt: '/internal/rooms/adopt',
  rooms: (mode?: RoomMode) => `/internal/rooms${mode === undefined ? '' : `?mode=${mode}`}`,
  room: (roomId: string) => `/internal/rooms/${roomId}`,
  close: (roomId: string) => `/internal/rooms/${roomId}/close`,
  standby: '/internal/standby',
  standbyOne: (roomId: string) => `/internal/standby/${roomId}`,
  standbyTake: (roomId: string) => `/internal/standby/${roomId}/take`,
  stats: '/internal/stats',
  ws: '/internal/ws',
} as const;

/** Method + path → route, or undefined (404). Never throws. */
export function decodeInternalRoute(method: string, pathname: string): InternalRoute | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  if (parts[0] !== 'internal') return undefined;
  const [, section, id, action, extra] = parts;
  if (extra !== undefined) return undefined;
  const roomId = id !== undefined && isValidRoomId(id) ? id : undefined;
  if (section === 'stats' && id === undefined && method === 'GET') return { kind: 'stats' };
  if (section === 'rooms') {
    if (id === undefined) return method === 'GET' ? { kind: 'rooms' } : undefined;
    if (id === 'adopt' && action === undefined)
      return method === 'POST' ? { kind: 'adopt' } : undefined;
    if (roomId === undefined) return undefined;
    if (action === undefined) return method === 'GET' ? { kind: 'room', roomId } : undefined;
    if (action === 'handoff' && method === 'POST') return { kind: 'handoff', roomId };
    if (action === 'close' && method === 'POST') return { kind: 'close', roomId };
    return undefined;
  }
  if (section === 'standby') {
    if (id === undefined) {
      if (method === 'GET') return { kind: 'standby-list' };
      return method === 'POST' ? { kind: 'standby-put' } : undefined;
    }
    if (roomId === undefined) return undefined;
    if (action === undefined)
      return method === 'GET' ? { kind: 'standby-peek', roomId } : undefined;
    if (action === 'take' && method === 'POST') return { kind: 'standby-take', roomId };
  }
  return undefined;
}

// -------------------------------------------------------------------------------------------
// Claims: POST /internal/rooms/:id/handoff

export interface HandoffRequest {
  /** The claiming pod. */
  readonly to: string;
  /**
   * Set when this pod said the room moved to `notAt`, and `notAt` answered it doesn't have it (a
   * claimer that gave up before the answer arrived): the room may be handed to `to` instead.
   */
  readonly notAt?: string;
}

export enum HandoffOutcome {
  /** The room was empty: it moves to the claimer (its shape is in the answer). */
  Moved = 'moved',
  /** The room has members (or a join in flight): the claimer forwards its member here. */
  Busy = 'busy',
  /** It just moved from here to `owner`: ask that pod. */
  MovedAway = 'moved-away',
  /** Not here. `boot` identifies this process, so a claimer can tell a restart from an end. */
  Missing = 'missing',
}

export type HandoffReply =
  | { readonly outcome: HandoffOutcome.Moved; readonly room: RoomHandoff }
  | { readonly outcome: HandoffOutcome.Busy }
  | { readonly outcome: HandoffOutcome.MovedAway; readonly owner: string }
  | { readonly outcome: HandoffOutcome.Missing; readonly boot: string };

export function handoffStatus(outcome: HandoffOutcome): number {
  switch (outcome) {
    case HandoffOutcome.Moved:
      return 200;
    case HandoffOutcome.Busy:
      return 409;
    case HandoffOutcome.MovedAway:
      return 410;
    case HandoffOutcome.Missing:
      return 404;
    default:
      return assertUnreachable(outcome);
  }
}

export function encodeHandoffRequest(request: HandoffRequest): HandoffRequest {
  return { to: request.to, ...(request.notAt === undefined ? {} : { notAt: request.notAt }) };
}

export function decodeHandoffRequest(body: unknown): HandoffRequest | undefined {
  if (!isObject(body) || !isPodName(body.to)) return undefined;
  if (body.notAt !== undefined && !isPodName(body.notAt)) return undefined;
  return encodeHandoffRequest({
    to: body.to,
    ...(body.notAt === undefined ? {} : { notAt: body.notAt }),
  });
}

export function encodeHandoffReply(reply: HandoffReply): unknown {
  switch (reply.outcome) {
    case HandoffOutcome.Moved:
      return { room: reply.room };
    case HandoffOutcome.Busy:
      return { error: 'busy', message: 'room has members' };
    case HandoffOutcome.MovedAway:
      return { error: 'moved', owner: reply.owner };
    case HandoffOutcome.Missing:
      return { error: 'room_not_found', boot: reply.boot };
    default:
      return assertUnreachable(reply);
  }
}

/** Status + body from a peer → the reply, or undefined when it is not one. Never throws. */
export function decodeHandoffReply(status: number, body: unknown): HandoffReply | undefined {
  if (!isObject(body)) return undefined;
  for (const outcome of Object.values(HandoffOutcome)) {
    if (handoffStatus(outcome) !== status) continue;
    switch (outcome) {
      case HandoffOutcome.Moved: {
        const room = decodeRoomHandoff(body.room);
        return room === undefined ? undefined : { outcome, room };
      }
      case HandoffOutcome.Busy:
        return { outcome };
      case HandoffOutcome.MovedAway:
        return isPodName(body.owner) ? { outcome, owner: body.owner } : undefined;
      case HandoffOutcome.Missing:
        return isBoot(body.boot) ? { outcome, boot: body.boot } : undefined;
      default:
        return assertUnreachable(outcome);
    }
  }
  return undefined;
}

// -------------------------------------------------------------------------------------------
// Drain handover: POST /internal/rooms/adopt

export interface AdoptRequest {
  /** The draining pod: the directory entries move from it (compare-and-set). */
  readonly from: string;
  readonly rooms: readonly RoomHandoff[];
}

export function decodeAdoptRequest(body: unknown): AdoptRequest | undefined {
  if (!isObject(body) || !isPodName(body.from)) return undefined;
  const rooms = decodeRoomHandoffs(body.rooms, MAX_SHAPES_PER_REQUEST);
  return rooms === undefined ? undefined : { from: body.from, rooms };
}

export function decodeAdoptReply(status: number, body: unknown): string[] | undefined {
  if (status !== 200 || !isObject(body)) return undefined;
  return decodeRoomIds(body.adopted);
}

// -------------------------------------------------------------------------------------------
// Closing a room on its owner: POST /internal/rooms/:id/close

export enum CloseOutcome {
  Closed = 'closed',
  /** A join token hash was given and it is not this room's. */
  Forbidden = 'forbidden',
  Missing = 'missing',
}

export function closeStatus(outcome: CloseOutcome): number {
  switch (outcome) {
    case CloseOutcome.Closed:
      return 200;
    case CloseOutcome.Forbidden:
      return 403;
    case CloseOutcome.Missing:
      return 404;
    default:
      return assertUnreachable(outcome);
  }
}

export function closeOutcomeOf(status: number): CloseOutcome | undefined {
  return Object.values(CloseOutcome).find((o) => closeStatus(o) === status);
}

/** `tokenHash` absent: the caller authenticated the request by API or admin key. */
export function decodeCloseRequest(
  body: unknown,
): { readonly tokenHash?: JoinTokenHash } | undefined {
  if (!isObject(body)) return undefined;
  if (body.tokenHash === undefined) return {};
  return isJoinTokenHash(body.tokenHash) ? { tokenHash: body.tokenHash } : undefined;
}

// -------------------------------------------------------------------------------------------
// Standby copies: POST /internal/standby, GET /internal/standby[/:id], POST …/:id/take

/** An owner's standby copies for one peer: the full set it should hold (plus explicit drops). */
export interface StandbyBatch {
  readonly from: string;
  /** The owner process's boot id: a copy from an earlier boot of a live pod name is orphaned. */
  readonly boot: string;
  readonly rooms: readonly RoomHandoff[];
  readonly dropped: readonly string[];
}

export function decodeStandbyBatch(body: unknown): StandbyBatch | undefined {
  if (!isObject(body) || !isPodName(body.from) || !isBoot(body.boot)) return undefined;
  const rooms = decodeRoomHandoffs(body.rooms, MAX_SHAPES_PER_REQUEST);
  const dropped = decodeRoomIds(body.dropped);
  if (rooms === undefined || dropped === undefined) return undefined;
  return { from: body.from, boot: body.boot, rooms, dropped };
}

/** Whose standby copy this is: the room's owner when the copy was last renewed. */
export interface StandbyInfo {
  readonly owner: string;
  readonly ownerBoot: string;
}

/** 'none': the peer holds no copy. undefined: not a documented answer. Never throws. */
export function decodeStandbyInfo(status: number, body: unknown): StandbyInfo | 'none' | undefined {
  if (status === 404) return 'none';
  if (status !== 200 || !isObject(body) || !isPodName(body.owner) || !isBoot(body.ownerBoot))
    return undefined;
  return { owner: body.owner, ownerBoot: body.ownerBoot };
}

export enum TakeOutcome {
  /** The copy is handed over (and forgotten here): the taker adopts the room. */
  Taken = 'taken',
  Missing = 'missing',
  /** The copy names another owner than the one the taker found dead: nothing is taken. */
  OwnerMismatch = 'owner-mismatch',
}

export type TakeReply =
  | { readonly outcome: TakeOutcome.Taken; readonly room: RoomHandoff }
  | { readonly outcome: TakeOutcome.Missing }
  | { readonly outcome: TakeOutcome.OwnerMismatch; readonly owner: string };

export function takeStatus(outcome: TakeOutcome): number {
  switch (outcome) {
    case TakeOutcome.Taken:
      return 200;
    case TakeOutcome.Missing:
      return 404;
    case TakeOutcome.OwnerMismatch:
      return 409;
    default:
      return assertUnreachable(outcome);
  }
}

export function encodeTakeReply(reply: TakeReply): unknown {
  switch (reply.outcome) {
    case TakeOutcome.Taken:
      return { room: reply.room };
    case TakeOutcome.Missing:
      return { error: 'room_not_found', message: 'no standby' };
    case TakeOutcome.OwnerMismatch:
      return { error: 'owner_mismatch', owner: reply.owner };
    default:
      return assertUnreachable(reply);
  }
}

export function decodeTakeReply(status: number, body: unknown): TakeReply | undefined {
  if (!isObject(body)) return undefined;
  const outcome = Object.values(TakeOutcome).find((o) => takeStatus(o) === status);
  switch (outcome) {
    case undefined:
      return undefined;
    case TakeOutcome.Taken: {
      const room = decodeRoomHandoff(body.room);
      return room === undefined ? undefined : { outcome, room };
    }
    case TakeOutcome.Missing:
      return { outcome };
    case TakeOutcome.OwnerMismatch:
      return isPodName(body.owner) ? { outcome, owner: body.owner } : undefined;
    default:
      return assertUnreachable(outcome);
  }
}

export function decodeTakeRequest(body: unknown): { readonly owner: string } | undefined {
  return isObject(body) && isPodName(body.owner) ? { owner: body.owner } : undefined;
}

// -------------------------------------------------------------------------------------------
// Views

export function decodeRoomView(value: unknown): RoomView | undefined {
  if (!isObject(value)) return undefined;
  const { roomId, mode, participants, maxParticipants, createdAt, lastActivityAt } = value;
  if (!isValidRoomId(roomId) || (mode !== 'p2p' && mode !== 'support' && mode !== 'code'))
    return undefined;
  if (!Number.isInteger(participants) || !Number.isInteger(maxParticipants)) return undefined;
  if (typeof createdAt !== 'string' || typeof lastActivityAt !== 'string') return undefined;
  return {
    roomId,
    mode,
    participants: participants as number,
    maxParticipants: maxParticipants as number,
    createdAt,
    lastActivityAt,
  };
}

export function decodeRoomViews(body: unknown): RoomView[] | undefined {
  if (!isObject(body) || !Array.isArray(body.rooms)) return undefined;
  const views: RoomView[] = [];
  for (const item of body.rooms) {
    const view = decodeRoomView(item);
    if (view === undefined) return undefined;
    views.push(view);
  }
  return views;
}

// -------------------------------------------------------------------------------------------
// The two sides

/**
 * Asking a peer (PeerClient over HTTP; an in-memory network in unit tests). `address` is the
 * peer's host:port from the directory. Every method rejects with a `PeerError` when there is no
 * usable answer: `PeerUnreachableError` (no answer in CLUSTER_REQUEST_TIMEOUT_MS, refused
 * connection) or `PeerProtocolError` (an answer that is none of the documented ones).
 */
export interface Peers {
  handoff(address: string, roomId: string, request: HandoffRequest): Promise<HandoffReply>;
  adopt(address: string, request: AdoptRequest): Promise<string[]>;
  rooms(address: string, mode?: RoomMode): Promise<RoomView[]>;
  room(address: string, roomId: string): Promise<RoomView | undefined>;
  close(
    address: string,
    roomId: string,
    tokenHash: JoinTokenHash | undefined,
  ): Promise<CloseOutcome>;
  putStandbys(address: string, batch: StandbyBatch): Promise<void>;
  peekStandby(address: string, roomId: string): Promise<StandbyInfo | undefined>;
  takeStandby(address: string, roomId: string, owner: string): Promise<TakeReply>;
  stats(address: string): Promise<Record<string, unknown>>;
}

/** Answering a peer: what InternalServer calls once a request is authenticated and decoded. */
export interface InternalHandlers {
  handoff(roomId: string, request: HandoffRequest): Promise<HandoffReply>;
  adopt(request: AdoptRequest): Promise<string[]>;
  rooms(mode: RoomMode | undefined): RoomView[];
  room(roomId: string): RoomView | undefined;
  close(roomId: string, tokenHash: JoinTokenHash | undefined): CloseOutcome;
  putStandbys(batch: StandbyBatch): void;
  listStandbys(): Array<{ roomId: string; owner: string }>;
  peekStandby(roomId: string): StandbyInfo | undefined;
  takeStandby(roomId: string, owner: string): TakeReply;
  stats(): Record<string, unknown>;
}

export class PeerError extends Error {
  override name = 'PeerError';
}

/** No answer: timeout, refused or reset connection. The peer may be dead or only slow. */
export class PeerUnreachableError extends PeerError {
  override name = 'PeerUnreachableError';
}

/** An answer that is none of the documented ones (a bug, a version skew, a foreign server). */
export class PeerProtocolError extends PeerError {
  override name = 'PeerProtocolError';
}

// -------------------------------------------------------------------------------------------
// Shared checks

const POD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const BOOT = /^[0-9a-f]{32}$/;

export function isPodName(value: unknown): value is string {
  return typeof value === 'string' && POD_NAME.test(value);
}

export function isBoot(value: unknown): value is string {
  return typeof value === 'string' && BOOT.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeRoomIds(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_SHAPES_PER_REQUEST) return undefined;
  return value.every((id) => isValidRoomId(id)) ? value : undefined;
}
