import { randomUUID } from 'node:crypto';
import {
  CloseCode,
  DEFAULT_CODE_ROOM_PARTICIPANTS,
  SUPPORT_ROOM_PARTICIPANTS,
  encodeJoined,
  encodeLeft,
  encodeRoomClosed,
  encodeWelcome,
  PROTOCOL_VERSION,
  type RoomClosedReason,
  roomClosedCode,
  type RoomMode,
} from '@nullroom/protocol';
import { CodeAttempts } from '../code-rooms/code-attempts';
import { type CodeRoomsService } from '../code-rooms/code-rooms.service';
import { type RelayConfig } from '../config/config';
import { type Clock } from '../common/clock';
import { type AppLogger } from '../common/logger';
import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { REROUTE_JITTER_MS, restartReason } from '../common/restart-reason';
import { type RelayStats } from '../common/stats';
import {
  checkJoinCredentials,
  checkRoomToken,
  isCodeGuest,
  type JoinCredentials,
} from './join-credentials';
import { hashJoinToken, newJoinToken, type JoinTokenHash } from './join-token';
import { type Member } from './member';
import { Room } from './room';
import { type RoomHandoff } from './room-handoff';

export { type RoomHandoff } from './room-handoff';

export interface CreateRoomInput {
  readonly mode: RoomMode;
  readonly maxParticipants?: number;
  /** Code rooms only: the nameplate, and the room id derived from it (NameplateAllocator). */
  readonly nameplate?: { readonly nameplate: string; readonly roomId: string };
}

export type { JoinCredentials } from './join-credentials';

/** Who may close a room: an API or admin key (checked by the caller), or its token's hash. */
export type CloseAuth = { readonly byKey: true } | { readonly tokenHash: JoinTokenHash };

export interface RoomView {
  readonly roomId: string;
  readonly mode: RoomMode;
  readonly participants: number;
  readonly maxParticipants: number;
  readonly createdAt: string;
  readonly lastActivityAt: string;
}

/**
 * Why a room ended. The first four (closed, expired, destroyed, locked) reach the members as a
 * ROOM_CLOSED reason and its close code (libs/protocol room-closed.ts); an emptied or drained
 * room has nobody left to tell.
 */
export type RoomEndReason = RoomClosedReason | 'empty' | 'drained';

/** Typed room lifecycle events; the cluster layer keeps the directory in step with them. */
export interface RoomEvents {
  created: (room: Room) => void;
  ended: (room: Room, reason: RoomEndReason) => void;
  /** The room's shape changed after creation (a code room counted a failed attempt). */
  reshaped: (room: Room) => void;
}

/**
 * All rooms of this process, in RAM. No persistence, no logging of ids: when a room ends, the
 * Map entry is the last reference to it.
 */
export class RoomsService {
  private readonly rooms = new Map<string, Room>();
  private sweeper: { cancel(): void } | undefined;
  private accepting = true;
  /** Drain in a cluster: rooms emptied by the drain stay until claimed or released. */
  private holdEmpty = false;
  private readonly listeners: { [E in keyof RoomEvents]: Array<RoomEvents[E]> } = {
    created: [],
    ended: [],
    reshaped: [],
  };
  private codeRooms: CodeRoomsService | undefined;

  constructor(
    private readonly config: RelayConfig,
    private readonly clock: Clock,
    private readonly stats: RelayStats,
    private readonly logger: AppLogger,
  ) {}

  start(): void {
    const idle = this.config.rooms.maxIdleMs;
    if (idle > 0 && this.sweeper === undefined) {
      // Check often enough that a room outlives its limit by at most ~10% (and at most a minute).
      const every = Math.max(50, Math.min(60_000, Math.floor(idle / 10)));
      this.sweeper = this.clock.setInterval(() => this.sweepIdle(), every);
    }
  }

  stop(): void {
    this.sweeper?.cancel();
    this.sweeper = undefined;
  }

  /** Code rooms' admission and counting (set once at boot; without it code rooms refuse guests). */
  useCodeRooms(codeRooms: CodeRoomsService): void {
    this.codeRooms = codeRooms;
  }

  on<E extends keyof RoomEvents>(event: E, listener: RoomEvents[E]): void {
    (this.listeners[event] as Array<RoomEvents[E]>).push(listener);
  }

  /** Drain: no new rooms and no new joins from here on. */
  stopAccepting(holdEmptyRooms = false): void {
    this.accepting = false;
    this.holdEmpty = holdEmptyRooms;
  }

  get isAccepting(): boolean {
    return this.accepting;
  }

  get count(): number {
    return this.rooms.size;
  }

  /** Whether a room from another pod could be taken in now (accepting, under MAX_ROOMS). */
  canAdopt(): boolean {
    const { maxRooms } = this.config.limits;
    return this.accepting && (maxRooms === 0 || this.rooms.size < maxRooms);
  }

  create(input: CreateRoomInput): { room: Room; joinToken: string } {
    if (!this.accepting) throw new RelayError(RelayErrorCode.Draining, 'relay is restarting', 1);
    const { maxRooms } = this.config.limits;
    const { defaultMaxParticipants, maxParticipantsLimit } = this.config.rooms;
    if (maxRooms > 0 && this.rooms.size >= maxRooms) {
      throw new RelayError(
        RelayErrorCode.RoomLimitReached,
        'room limit reached, try again later',
        30,
      );
    }
    let maxParticipants: number;
    if (input.mode === 'support') {
      if (
        input.maxParticipants !== undefined &&
        input.maxParticipants !== SUPPORT_ROOM_PARTICIPANTS
      ) {
        throw new RelayError(
          RelayErrorCode.InvalidRequest,
          `maxParticipants: support rooms always have ${SUPPORT_ROOM_PARTICIPANTS} participants`,
        );
      }
      maxParticipants = SUPPORT_ROOM_PARTICIPANTS;
    } else {
      maxParticipants =
        input.maxParticipants ??
        (input.mode === 'code'
          ? Math.min(DEFAULT_CODE_ROOM_PARTICIPANTS, maxParticipantsLimit)
          : defaultMaxParticipants);
      if (maxParticipants > maxParticipantsLimit) {
        throw new RelayError(
          RelayErrorCode.InvalidRequest,
          `maxParticipants: must be at most ${maxParticipantsLimit}`,
        );
      }
    }
    if ((input.mode === 'code') !== (input.nameplate !== undefined)) {
      throw new RangeError('nameplate: required for code rooms, and only for them');
    }
    const id = input.nameplate?.roomId ?? randomUUID();
    if (this.rooms.has(id)) throw new RangeError('nameplate: its room exists on this pod');
    // p2p: the join token (seed 000); support: the visitor token (a Nullroom addition), which
    // lets a visitor in where REQUIRE_WS_API_KEY=1; code: the members' token. The room's one
    // secret, of which it keeps only the hash.
    const joinToken = newJoinToken();
    const room = new Room(
      id,
      input.mode,
      maxParticipants,
      hashJoinToken(joinToken),
      this.clock.now(),
    );
    if (input.nameplate !== undefined) room.code = new CodeAttempts(input.nameplate.nameplate);
    this.rooms.set(room.id, room);
    this.stats.roomsCreated++;
    for (const listener of this.listeners.created) listener(room);
    return { room, joinToken };
  }

  /** Joins in flight for a room that moved here keep it for this long (see Room.heldUntil). */
  static readonly ADOPT_HOLD_MS = 5000;

  /**
   * Takes in a room another pod handed over. Only the room's shape moves (mode, size, token
   * hash); it has no members and no history to move. `forJoin` (a claim): the room is held for
   * the join it moved for and its idle clock restarts; otherwise (a drain handover, a standby
   * recovery) the room keeps its own last activity, so its idle limit counts from there.
   */
  adopt(handoff: RoomHandoff, options: { forJoin?: boolean } = {}): Room {
    const forJoin = options.forJoin ?? true;
    if (!this.accepting) throw new RelayError(RelayErrorCode.Draining, 'relay is restarting');
    const existing = this.rooms.get(handoff.roomId);
    if (existing !== undefined) return existing;
    const { maxRooms } = this.config.limits;
    if (maxRooms > 0 && this.rooms.size >= maxRooms) {
      throw new RelayError(
        RelayErrorCode.RoomLimitReached,
        'room limit reached, try again later',
        30,
      );
    }
    const room = new Room(
      handoff.roomId,
      handoff.mode,
      handoff.maxParticipants,
      handoff.tokenHash,
      handoff.createdAt,
    );
    if (handoff.mode === 'code' && handoff.code !== undefined) {
      room.code = new CodeAttempts(handoff.code.nameplate, handoff.code.failedAttempts);
    }
    for (const hash of handoff.memberTokenHashes ?? []) room.memberTokenHashes.add(hash);
    const now = this.clock.now();
    room.lastActivityAt = forJoin ? Math.max(handoff.lastActivityAt, now) : handoff.lastActivityAt;
    if (forJoin) room.heldUntil = now + RoomsService.ADOPT_HOLD_MS;
    this.rooms.set(room.id, room);
    return room;
  }

  /**
   * Forgets a room without ending it (no event, nobody closed): a copy adopted a moment ago that
   * turned out to be owned elsewhere, or a room handed over at a drain. Only for empty rooms.
   */
  discard(room: Room): void {
    if (room.closed || room.size > 0) return;
    room.closed = true;
    this.rooms.delete(room.id);
  }

  /**
   * Claim, giving side: an empty room leaves this pod (it is forgotten here without an 'ended'
   * event: its directory entry moves, it is not released). A room with members stays — the
   * caller forwards instead.
   */
  handOff(roomId: string): RoomHandoff | 'busy' | undefined {
    const room = this.rooms.get(roomId);
    if (room === undefined || room.closed) return undefined;
    // A draining pod gives every empty room away: its held joins are refused anyway.
    if (room.size > 0 || (this.accepting && room.heldUntil > this.clock.now())) return 'busy';
    room.closed = true;
    this.rooms.delete(roomId);
    return this.shapeOf(room);
  }

  /** Tells the cluster layer a room's shape changed, so its standby copy is renewed soon. */
  reshaped(room: Room): void {
    if (room.closed) return;
    for (const listener of this.listeners.reshaped) listener(room);
  }

  /** A room's shape: what moves on a claim and what a standby pod keeps. */
  shapeOf(room: Room): RoomHandoff {
    return {
      roomId: room.id,
      mode: room.mode,
      maxParticipants: room.maxParticipants,
      ...(room.tokenHash === undefined ? {} : { tokenHash: room.tokenHash }),
      createdAt: room.createdAt,
      lastActivityAt: room.lastActivityAt,
      ...(room.code === undefined
        ? {}
        : { code: { nameplate: room.code.nameplate, failedAttempts: room.code.failed } }),
      ...(room.memberTokenHashes.size === 0
        ? {}
        : { memberTokenHashes: [...room.memberTokenHashes] }),
    };
  }

  get(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  require(roomId: string): Room {
    const room = this.rooms.get(roomId);
    if (room === undefined) throw new RelayError(RelayErrorCode.RoomNotFound, 'room not found');
    return room;
  }

  list(mode?: RoomMode): Room[] {
    const all = [...this.rooms.values()];
    return mode === undefined ? all : all.filter((r) => r.mode === mode);
  }

  view(room: Room): RoomView {
    return {
      roomId: room.id,
      mode: room.mode,
      participants: room.size,
      maxParticipants: room.maxParticipants,
      createdAt: new Date(room.createdAt).toISOString(),
      lastActivityAt: new Date(room.lastActivityAt).toISOString(),
    };
  }

  /**
   * Admits a member or throws. Order matters: authentication before anything that reveals the
   * room's state (duplicate ids, fullness).
   */
  join(roomId: string, member: Member, credentials: JoinCredentials): Room {
    if (!this.accepting) throw new RelayError(RelayErrorCode.Draining, 'relay is restarting');
    const room = this.require(roomId);
    checkJoinCredentials(room, credentials, this.config.auth.requireWsApiKey);
    // A code room takes members with its token, and guests without one: they must prove the
    // code to a member before they are let into the room (code-rooms/).
    const guest = room.mode === 'code' && isCodeGuest(credentials);
    if (room.has(member.clientId)) {
      throw new RelayError(
        RelayErrorCode.DuplicateClientId,
        'clientId already in use in this room',
      );
    }
    if (room.mode === 'support' && room.size >= SUPPORT_ROOM_PARTICIPANTS) {
      // Seed 000: "A third join attempt destroys the room." Someone else holding the link is a
      // sign the conversation is compromised; ending it is the safe answer.
      this.end(room, 'destroyed');
      throw new RelayError(RelayErrorCode.RoomDestroyed, 'support room destroyed by a third join');
    }
    if (room.size >= room.maxParticipants) {
      throw new RelayError(RelayErrorCode.RoomFull, 'room is full');
    }
    let verifier: Member | undefined;
    if (guest) {
      if (this.codeRooms === undefined)
        throw new RelayError(RelayErrorCode.CodeNoVerifier, 'code rooms are not available');
      verifier = this.codeRooms.screenGuest(room);
    }
    const others = room.memberIds;
    room.add(member, !guest);
    room.lastActivityAt = this.clock.now();
    member.deliver(
      Buffer.from(
        encodeWelcome({
          v: PROTOCOL_VERSION,
          clientId: member.clientId,
          mode: room.mode,
          maxParticipants: room.maxParticipants,
          members: others,
        }),
      ),
    );
    if (verifier !== undefined) this.codeRooms!.startAttempt(room, member, verifier);
    else room.broadcast(member, Buffer.from(encodeJoined(member.clientId)));
    return room;
  }

  /** Called when a member's socket closes, for whatever reason. */
  leave(room: Room, member: Member): void {
    const wasGuest = room.isGuest(member);
    if (!room.remove(member)) return;
    room.lastActivityAt = this.clock.now();
    if (room.closed) return;
    // A guest that leaves counts as a failed attempt, and may close the room (locked).
    this.codeRooms?.memberLeft(room, member, wasGuest);
    if (room.closed) return;
    if (room.size === 0) {
      // Seed 000: "When the last client leaves, the room is removed from memory." Except while
      // a cluster pod drains: then the emptied room waits to be claimed by its new ring pod.
      if (!this.holdEmpty) this.end(room, 'empty');
      return;
    }
    // Members never saw a guest that was not admitted (no JOINED), so no LEFT either.
    if (!wasGuest) room.broadcast(undefined, Buffer.from(encodeLeft(member.clientId)));
  }

  /** Ends a room: tells members why, closes them with the matching code, forgets the room. */
  end(room: Room, reason: RoomEndReason): void {
    if (room.closed) return;
    room.closed = true;
    this.rooms.delete(room.id);
    this.stats.roomClosed(reason);
    this.codeRooms?.roomEnded(room);
    for (const listener of this.listeners.ended) listener(room, reason);
    if (reason === 'empty' || reason === 'drained') return;
    const code = roomClosedCode(reason);
    const notice = Buffer.from(encodeRoomClosed(reason));
    for (const member of room.everyone()) {
      member.deliver(notice);
      member.end(code, `room ${reason}`);
    }
  }

  /**
   * `DELETE /rooms/:id` and the admin close, wherever they arrived: by key (checked by the
   * caller) or by the room's join token (checked here).
   */
  closeWith(roomId: string, auth: CloseAuth): void {
    const room = this.require(roomId);
    if (!('byKey' in auth)) checkRoomToken(room, auth.tokenHash);
    this.end(room, 'closed');
  }

  /**
   * Removes a room this pod must not hold (another pod owns it: a split after a partition).
   * Members are told to reconnect, which takes them through the ring to the real owner.
   */
  evict(room: Room): void {
    if (room.closed) return;
    room.closed = true;
    this.rooms.delete(room.id);
    this.codeRooms?.roomEnded(room);
    for (const member of room.everyone()) {
      member.end(CloseCode.SERVICE_RESTART, restartReason(REROUTE_JITTER_MS));
    }
  }

  sweepIdle(): void {
    const limit = this.config.rooms.maxIdleMs;
    if (limit <= 0) return;
    const now = this.clock.now();
    let expired = 0;
    for (const room of this.rooms.values()) {
      if (now - room.lastActivityAt >= limit) {
        this.end(room, 'expired');
        expired++;
      }
    }
    if (expired > 0) this.logger.log(`expired ${expired} idle room(s)`);
  }
}
