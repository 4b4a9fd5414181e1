import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { MIN_PARTICIPANTS, isValidRoomId, type RoomMode } from '@nullroom/protocol';
import { NameplateAllocator } from '../code-rooms/nameplate-allocator';
import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { RELAY_CONFIG, type RelayConfig } from '../config/config';
import { ClusterViews } from '../ownership/cluster-views';
import { OwnershipService } from '../ownership/ownership.service';
import { hashJoinToken } from '../rooms/join-token';
import { RoomsService, type RoomView } from '../rooms/rooms.service';
import { apiKeyAccepted } from './auth';
import { TurnstileService } from './turnstile.service';

interface CreateRoomBody {
  mode: RoomMode;
  maxParticipants?: number;
  turnstileToken?: string;
}

/** REST API of seed 000: /rooms. */
@Controller('rooms')
export class RoomsController {
  constructor(
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
    @Inject(RoomsService) private readonly rooms: RoomsService,
    @Inject(TurnstileService) private readonly turnstile: TurnstileService,
    @Inject(ClusterViews) private readonly views: ClusterViews,
    @Inject(OwnershipService) private readonly ownership: OwnershipService,
    @Inject(NameplateAllocator) private readonly nameplates: NameplateAllocator,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Req() req: Request): Promise<{
    roomId: string;
    mode: RoomMode;
    maxParticipants: number;
    joinToken?: string;
    visitorToken?: string;
    nameplate?: string;
  }> {
    this.requireApiKey(req);
    const body = parseCreateBody(req.body);
    const header = req.headers['cf-turnstile-response'] ?? req.headers['x-turnstile-token'];
    await this.turnstile.verify(
      body.turnstileToken ?? (typeof header === 'string' ? header : undefined),
    );
    if (body.mode === 'code') {
      // The nameplate is the public half of the code; the words are chosen by the client and
      // never sent here (docs/protocol.md "Code rooms").
      const { room, joinToken } = await this.nameplates.create(body.maxParticipants);
      return {
        roomId: room.id,
        mode: room.mode,
        maxParticipants: room.maxParticipants,
        joinToken,
        nameplate: room.code!.nameplate,
      };
    }
    const { room, joinToken } = this.rooms.create(body);
    // The room is in the directory before its id is handed out: a join through any pod, an
    // instant later, finds it.
    await this.ownership.registration(room.id);
    // p2p: `joinToken` (seed 000). support: `visitorToken` (a Nullroom addition): the visitor's
    // page joins with it where REQUIRE_WS_API_KEY=1, as a p2p guest joins with the join token.
    return {
      roomId: room.id,
      mode: room.mode,
      maxParticipants: room.maxParticipants,
      ...(room.mode === 'p2p' ? { joinToken } : { visitorToken: joinToken }),
    };
  }

  /** Every room of the cluster (this pod's and every live pod's). */
  @Get()
  async list(@Req() req: Request): Promise<{ rooms: RoomView[] }> {
    this.requireApiKey(req);
    return { rooms: (await this.views.listRooms()).rooms };
  }

  @Get(':roomId')
  async get(@Req() req: Request, @Param('roomId') roomId: string): Promise<RoomView> {
    this.requireApiKey(req);
    return this.views.getRoom(checkRoomId(roomId));
  }

  /**
   * Seed 000: API key or the room's join token (header X-Join-Token, query or JSON body); for a
   * support room its visitor token, in the same places.
   */
  @Delete(':roomId')
  async close(
    @Req() req: Request,
    @Param('roomId') roomId: string,
  ): Promise<{ closed: true; roomId: string }> {
    checkRoomId(roomId);
    const byKey = apiKeyAccepted(req, this.config.auth.apiKey);
    const token = joinTokenOf(req);
    if (!byKey && token === undefined) {
      throw new RelayError(RelayErrorCode.Unauthorized, 'API key or join token required');
    }
    await this.views.closeRoom(
      roomId,
      byKey ? { byKey: true } : { tokenHash: hashJoinToken(token!) },
    );
    return { closed: true, roomId };
  }

  private requireApiKey(req: Request): void {
    if (!apiKeyAccepted(req, this.config.auth.apiKey)) {
      throw new RelayError(RelayErrorCode.Unauthorized, 'missing or invalid API key');
    }
  }
}

function checkRoomId(roomId: string): string {
  if (!isValidRoomId(roomId)) throw new RelayError(RelayErrorCode.RoomNotFound, 'room not found');
  return roomId;
}

function joinTokenOf(req: Request): string | undefined {
  const header = req.headers['x-join-token'];
  if (typeof header === 'string' && header !== '') return header;
  const query = req.query.joinToken;
  if (typeof query === 'string' && query !== '') return query;
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null) {
    const token = (body as { joinToken?: unknown }).joinToken;
    if (typeof token === 'string' && token !== '') return token;
  }
  return undefined;
}

/** Validates POST /rooms; every message names the offending field. */
export function parseCreateBody(body: unknown): CreateRoomBody {
  // No body (or an empty one) means the defaults: a p2p room.
  if (
    body === undefined ||
    body === null ||
    (typeof body === 'object' && Object.keys(body).length === 0)
  ) {
    return { mode: 'p2p' };
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new RelayError(RelayErrorCode.InvalidRequest, 'body: must be a JSON object');
  }
  const { mode, maxParticipants, turnstileToken } = body as Record<string, unknown>;
  const cfToken = (body as Record<string, unknown>)['cf-turnstile-response'];
  if (mode !== undefined && mode !== 'p2p' && mode !== 'support' && mode !== 'code') {
    throw new RelayError(RelayErrorCode.InvalidRequest, 'mode: must be "p2p", "support" or "code"');
  }
  if (
    maxParticipants !== undefined &&
    (typeof maxParticipants !== 'number' ||
      !Number.isInteger(maxParticipants) ||
      maxParticipants < MIN_PARTICIPANTS)
  ) {
    throw new RelayError(
      RelayErrorCode.InvalidRequest,
      `maxParticipants: must be an integer of at least ${MIN_PARTICIPANTS}`,
    );
  }
  const token = turnstileToken ?? cfToken;
  if (token !== undefined && typeof token !== 'string') {
    throw new RelayError(RelayErrorCode.InvalidRequest, 'turnstileToken: must be a string');
  }
  return {
    mode: mode ?? 'p2p',
    ...(maxParticipants === undefined ? {} : { maxParticipants }),
    ...(token === undefined ? {} : { turnstileToken: token }),
  };
}
