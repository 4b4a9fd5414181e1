import { CloseCode } from '@nullroom/protocol';
import { AppLogger } from '../common/logger';
import { RelayErrorCode } from '../common/relay.exception';
import { RelayStats } from '../common/stats';
import {
  FakeClock,
  RecordingMember,
  refusalOf as code,
  testConfig,
} from '../../test/support/fakes';
import { hashJoinToken } from './join-token';
import { type JoinCredentials, RoomsService } from './rooms.service';

/** What the gateway hands over for a client presenting `joinToken` (and no API key). */
const creds = (joinToken: string | undefined): JoinCredentials => ({
  ...(joinToken === undefined ? {} : { tokenHash: hashJoinToken(joinToken) }),
  apiKeyOk: false,
});
const NONE: JoinCredentials = { apiKeyOk: false };

describe('RoomsService', () => {
  let clock: FakeClock;
  let service: RoomsService;
  beforeEach(() => {
    clock = new FakeClock();
    service = new RoomsService(
      testConfig({ MAX_ROOMS: '3', ROOM_MAX_IDLE_MS: '1000' }),
      clock,
      new RelayStats(),
      new AppLogger(false),
    );
  });

  it('creates every room with its own token (p2p join token, support visitor token)', () => {
    const p2p = service.create({ mode: 'p2p' });
    expect(p2p.joinToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p2p.room.maxParticipants).toBe(16);
    const support = service.create({ mode: 'support' });
    expect(support.joinToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(support.joinToken).not.toBe(p2p.joinToken);
  });

  it('enforces MAX_ROOMS and the participant limit', () => {
    expect(code(() => service.create({ mode: 'p2p', maxParticipants: 257 }))).toBe(
      RelayErrorCode.InvalidRequest,
    );
    service.create({ mode: 'p2p' });
    service.create({ mode: 'p2p' });
    service.create({ mode: 'p2p' });
    expect(code(() => service.create({ mode: 'p2p' }))).toBe(RelayErrorCode.RoomLimitReached);
  });

  it('authenticates before revealing room state', () => {
    const { room, joinToken } = service.create({ mode: 'p2p', maxParticipants: 2 });
    service.join(room.id, new RecordingMember('a'), creds(joinToken));
    service.join(room.id, new RecordingMember('b'), creds(joinToken));
    // Full and duplicate, but without the token the answer is only "forbidden".
    expect(code(() => service.join(room.id, new RecordingMember('a'), NONE))).toBe(
      RelayErrorCode.Forbidden,
    );
    expect(code(() => service.join(room.id, new RecordingMember('a'), creds(joinToken)))).toBe(
      RelayErrorCode.DuplicateClientId,
    );
    expect(code(() => service.join(room.id, new RecordingMember('c'), creds(joinToken)))).toBe(
      RelayErrorCode.RoomFull,
    );
  });

  it('sends WELCOME to the joiner and JOINED/LEFT to the others', () => {
    const { room, joinToken } = service.create({ mode: 'p2p' });
    const a = new RecordingMember('a');
    const b = new RecordingMember('b');
    service.join(room.id, a, creds(joinToken));
    service.join(room.id, b, creds(joinToken));
    expect(b.frames[0]).toMatchObject({ type: 'welcome', members: ['a'] });
    expect(a.frames[1]).toEqual({ type: 'joined', clientId: 'b' });
    service.leave(room, b);
    expect(a.frames[2]).toEqual({ type: 'left', clientId: 'b' });
    service.leave(room, a);
    expect(service.get(room.id)).toBeUndefined();
  });

  it('destroys a support room on a third join, closing both members with 4002', () => {
    const { room } = service.create({ mode: 'support' });
    const a = new RecordingMember('a');
    const b = new RecordingMember('b');
    service.join(room.id, a, NONE);
    service.join(room.id, b, NONE);
    expect(code(() => service.join(room.id, new RecordingMember('c'), NONE))).toBe(
      RelayErrorCode.RoomDestroyed,
    );
    expect(a.ended?.code).toBe(CloseCode.ROOM_DESTROYED);
    expect(b.frames.at(-1)).toEqual({ type: 'room-closed', reason: 'destroyed' });
    expect(service.get(room.id)).toBeUndefined();
  });

  it('expires rooms idle for ROOM_MAX_IDLE_MS, and activity postpones it', () => {
    const idle = service.create({ mode: 'p2p' }).room;
    const busy = service.create({ mode: 'p2p' });
    const m = new RecordingMember('m');
    service.join(busy.room.id, m, creds(busy.joinToken));
    clock.t += 800;
    busy.room.lastActivityAt = clock.t;
    clock.t += 300;
    service.sweepIdle();
    expect(service.get(idle.id)).toBeUndefined();
    expect(service.get(busy.room.id)).toBeDefined();
    clock.t += 1000;
    service.sweepIdle();
    expect(m.ended?.code).toBe(CloseCode.ROOM_EXPIRED);
  });

  it('holds a room adopted for a join: a second claimer gets busy until the join lands or the hold lapses', () => {
    const shape = {
      roomId: '0b0e4c2a-7c41-4e6f-9a55-3d1e2f4a5b6c',
      mode: 'p2p' as const,
      maxParticipants: 4,
      tokenHash: hashJoinToken('t'.repeat(43)),
      createdAt: clock.t,
      lastActivityAt: clock.t,
    };
    service.adopt(shape);
    expect(service.handOff(shape.roomId)).toBe('busy');
    clock.t += RoomsService.ADOPT_HOLD_MS + 1;
    expect(service.handOff(shape.roomId)).toMatchObject({ roomId: shape.roomId });
    expect(service.get(shape.roomId)).toBeUndefined();
    // A draining pod gives held rooms away: the joins they were held for are refused anyway.
    service.adopt(shape);
    service.stopAccepting(true);
    expect(service.handOff(shape.roomId)).toMatchObject({ roomId: shape.roomId });
  });

  it('keeps only a hash of the join token, and checks it for joins and closes alike', () => {
    const { room, joinToken } = service.create({ mode: 'p2p' });
    const shape = service.shapeOf(room);
    expect(JSON.stringify(shape)).not.toContain(joinToken);
    expect(shape.tokenHash).toBe(hashJoinToken(joinToken));
    const wrong = hashJoinToken('not-the-token');
    expect(code(() => service.closeWith(room.id, { tokenHash: wrong }))).toBe(
      RelayErrorCode.Forbidden,
    );
    expect(service.get(room.id)).toBeDefined();
    service.closeWith(room.id, { tokenHash: hashJoinToken(joinToken) });
    expect(service.get(room.id)).toBeUndefined();
    const other = service.create({ mode: 'p2p' });
    service.closeWith(other.room.id, { byKey: true });
    expect(code(() => service.closeWith(other.room.id, { byKey: true }))).toBe(
      RelayErrorCode.RoomNotFound,
    );
  });

  it('adopts a handed-over room without a hold, keeping its own idle clock', () => {
    const shape = {
      roomId: '1b0e4c2a-7c41-4e6f-9a55-3d1e2f4a5b6c',
      mode: 'support' as const,
      maxParticipants: 2,
      createdAt: clock.t - 5000,
      lastActivityAt: clock.t - 900,
    };
    const room = service.adopt(shape, { forJoin: false });
    expect(room.lastActivityAt).toBe(clock.t - 900);
    expect(service.handOff(shape.roomId)).toMatchObject({ roomId: shape.roomId });
    const again = service.adopt(shape, { forJoin: false });
    service.discard(again);
    expect(service.get(shape.roomId)).toBeUndefined();
  });

  it('refuses new rooms and joins once draining', () => {
    const { room, joinToken } = service.create({ mode: 'p2p' });
    service.stopAccepting();
    expect(code(() => service.create({ mode: 'p2p' }))).toBe(RelayErrorCode.Draining);
    expect(code(() => service.join(room.id, new RecordingMember('a'), creds(joinToken)))).toBe(
      RelayErrorCode.Draining,
    );
  });
});
