import { CloseCode, codeRoomId } from '@nullroom/protocol';
import {
  FakeClock,
  RecordingMember,
  refusalOf as refusal,
  testConfig,
} from '../../test/support/fakes';
import { AppLogger } from '../common/logger';
import { RelayErrorCode } from '../common/relay.exception';
import { RelayStats } from '../common/stats';
import { type RelayConfig } from '../config/config';
import { MemoryRoomDirectory, RoomKeyDeriver } from '../cluster';
import { hashJoinToken } from '../rooms/join-token';
import { type Room } from '../rooms/room';
import { RoomsService } from '../rooms/rooms.service';
import { CodeRoomsService } from './code-rooms.service';
import { NameplateAllocator, NAMEPLATE_QUARANTINE_MS } from './nameplate-allocator';

/** A member as the room sees it; ending it takes it out of the room, like a real socket. */
class FakeMember extends RecordingMember {
  room: Room | undefined;
  constructor(
    clientId: string,
    private readonly rooms: RoomsService,
  ) {
    super(clientId, (m) => (m as FakeMember).leave());
  }
  leave(): void {
    if (this.room) this.rooms.leave(this.room, this);
  }
}

describe('code rooms', () => {
  let clock: FakeClock;
  let stats: RelayStats;
  let rooms: RoomsService;
  let codeRooms: CodeRoomsService;
  let allocator: NameplateAllocator;
  let directory: MemoryRoomDirectory;
  let cfg: RelayConfig;
  let reshapes: number;

  function setup(env: Record<string, string> = {}): void {
    cfg = testConfig({ CODE_MAX_FAILED_ATTEMPTS: '3', CODE_ATTEMPT_TIMEOUT_MS: '5000', ...env });
    clock = new FakeClock();
    stats = new RelayStats();
    rooms = new RoomsService(cfg, clock, stats, new AppLogger(false));
    reshapes = 0;
    codeRooms = new CodeRoomsService(
      cfg.codeRooms,
      clock,
      stats,
      (room) => rooms.end(room, 'locked'),
      () => reshapes++,
    );
    rooms.useCodeRooms(codeRooms);
    directory = new MemoryRoomDirectory();
    allocator = new NameplateAllocator(
      cfg.codeRooms,
      { podName: 'pod-a', directoryTtlMs: 15_000 },
      directory,
      new RoomKeyDeriver('x'.repeat(32)),
      rooms,
      clock,
    );
  }

  function join(room: Room, id: string, token?: string): FakeMember {
    const member = new FakeMember(id, rooms);
    rooms.join(room.id, member, {
      ...(token === undefined ? {} : { tokenHash: hashJoinToken(token) }),
      apiKeyOk: false,
    });
    member.room = room;
    return member;
  }

  async function withHost(maxParticipants?: number) {
    const { room, joinToken } = await allocator.create(maxParticipants);
    const host = join(room, 'host', joinToken);
    return { room, joinToken, host };
  }

  beforeEach(() => setup());
  afterEach(() => void directory.close());

  it('a guest is let in on the nameplate alone, outside the fan-out, talking to its verifier', async () => {
    const { room, host } = await withHost();
    expect(room.mode).toBe('code');
    expect(room.maxParticipants).toBe(2);
    const guest = join(room, 'guest');
    expect(guest.of('welcome')[0]).toMatchObject({ mode: 'code', members: ['host'] });
    expect(guest.of('code-challenge')[0]).toEqual({
      type: 'code-challenge',
      verifier: 'host',
      attemptsLeft: 3,
      timeoutMs: 5000,
    });
    expect(guest.onlyTo).toBe('host');
    expect(host.of('code-guest')[0]).toMatchObject({ clientId: 'guest', attemptsLeft: 3 });
    expect(host.of('joined')).toEqual([]);
    expect(room.members()).toEqual([host]);
    expect(room.size).toBe(2);
  });

  it('CODE_ACCEPT from the verifier admits the guest: token to it, JOINED to the others', async () => {
    const { room, joinToken, host } = await withHost(3);
    const other = join(room, 'other', joinToken);
    const guest = join(room, 'guest');
    codeRooms.verdict(room, host, 'guest', true);
    expect(guest.onlyTo).toBeUndefined();
    // Its own member token (the room keeps only hashes, so it can't hand out its own): it lets
    // the guest rejoin as a member, and is not the host's token.
    const admitted = guest.of('code-admitted')[0]!;
    expect(Object.keys(admitted).sort()).toEqual(['clientId', 'joinToken', 'type']);
    expect(admitted).toMatchObject({ type: 'code-admitted', clientId: 'guest' });
    expect(admitted.joinToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(admitted.joinToken).not.toBe(joinToken);
    expect(room.memberTokenHashes.has(hashJoinToken(admitted.joinToken!))).toBe(true);
    expect(other.of('joined').map((f) => f.clientId)).toEqual(['guest']);
    expect(other.of('code-admitted')[0]).toEqual({ type: 'code-admitted', clientId: 'guest' });
    expect(room.members()).toEqual([host, other, guest]);
    expect(stats.codeAttempts.get('accepted')).toBe(1);
    expect(room.code!.failed).toBe(0);
    // Leaving after admission is an ordinary leave; the member token lets it back in as a member.
    guest.leave();
    expect(host.of('left').map((f) => f.clientId)).toEqual(['guest']);
    expect(room.code!.failed).toBe(0);
    join(room, 'guest', admitted.joinToken);
    expect(room.members().map((m) => m.clientId)).toEqual(['host', 'other', 'guest']);
    // And it travels with the room's shape (claims, handovers, standbys), as a hash.
    expect(rooms.shapeOf(room).memberTokenHashes).toEqual([hashJoinToken(admitted.joinToken!)]);
  });

  it('only the verifier can decide; guests and other members get not_verifier', async () => {
    const { room, joinToken, host } = await withHost(3);
    const other = join(room, 'other', joinToken);
    const guest = join(room, 'guest');
    codeRooms.verdict(room, other, 'guest', true);
    codeRooms.verdict(room, guest, 'guest', true);
    codeRooms.verdict(room, host, 'nobody', true);
    expect(other.of('error')[0]).toMatchObject({ code: 'not_verifier' });
    expect(guest.of('error')[0]).toMatchObject({ code: 'not_verifier' });
    expect(host.of('error')[0]).toMatchObject({ code: 'not_verifier' });
    expect(room.isGuest(guest)).toBe(true);
  });

  it('CODE_REJECT closes the guest with 4441 and counts; the members are told', async () => {
    const { room, host } = await withHost();
    const guest = join(room, 'guest');
    codeRooms.verdict(room, host, 'guest', false);
    expect(guest.ended).toEqual({ code: CloseCode.WRONG_CODE, reason: 'wrong code' });
    expect(room.code!.failed).toBe(1);
    expect(host.of('code-attempt-failed')[0]).toEqual({
      type: 'code-attempt-failed',
      clientId: 'guest',
      reason: 'wrong_code',
      attemptsLeft: 2,
    });
    expect(host.of('left')).toEqual([]); // the host never saw it join
    expect(room.size).toBe(1);
    expect(stats.codeAttempts.get('wrong_code')).toBe(1);
    // The new count must reach the room's standby copy (another pod) soon, not at the next refresh.
    expect(reshapes).toBe(1);
  });

  it('every way an attempt ends without an accept counts: timeout, guest leaves, verifier leaves', async () => {
    const { room, joinToken, host } = await withHost(3);
    const first = join(room, 'g1');
    clock.advance(5000);
    expect(first.ended?.code).toBe(CloseCode.CODE_TIMEOUT);
    const second = join(room, 'g2');
    second.leave();
    expect(room.code!.failed).toBe(2);
    expect(host.of('code-attempt-failed').map((f) => f.reason)).toEqual(['timeout', 'abandoned']);
    // The budget is the room's, not a connection's: it survives the verifier's reconnect.
    const other = join(room, 'other', joinToken);
    host.leave();
    const third = join(room, 'g3');
    expect(third.of('code-challenge')[0]).toMatchObject({ verifier: 'other', attemptsLeft: 1 });
    other.leave();
    expect(third.ended?.code).toBe(CloseCode.CODE_NO_VERIFIER);
    expect(stats.codeAttempts.get('verifier_left')).toBe(1);
    // Third failure: the budget (3) is spent, the room is locked.
    expect(room.closed).toBe(true);
  });

  it('after CODE_MAX_FAILED_ATTEMPTS the room is closed for everyone with 4442 (locked)', async () => {
    const { room, joinToken, host } = await withHost(3);
    const other = join(room, 'other', joinToken);
    for (const id of ['g1', 'g2', 'g3']) {
      join(room, id);
      codeRooms.verdict(room, host, id, false);
    }
    expect(room.closed).toBe(true);
    expect(rooms.get(room.id)).toBeUndefined();
    for (const member of [host, other]) {
      expect(member.of('room-closed')[0]).toEqual({ type: 'room-closed', reason: 'locked' });
      expect(member.ended?.code).toBe(CloseCode.CODE_ROOM_LOCKED);
    }
  });

  it('attempts in flight use up the budget: a guest that could exceed it waits (4444)', async () => {
    setup({ CODE_MAX_FAILED_ATTEMPTS: '2' });
    const { room, host } = await withHost(4);
    join(room, 'g1');
    codeRooms.verdict(room, host, 'g1', false);
    const pending = join(room, 'g2');
    expect(refusal(() => join(room, 'g3'))).toBe(RelayErrorCode.CodeBusy);
    codeRooms.verdict(room, host, 'g2', true);
    expect(pending.of('code-admitted')).toHaveLength(1);
    expect(refusal(() => join(room, 'g3'))).toBeUndefined();
  });

  it('a guest with nobody to verify it is refused (4440) and not counted', async () => {
    const { room, joinToken } = await allocator.create();
    expect(refusal(() => join(room, 'early'))).toBe(RelayErrorCode.CodeNoVerifier);
    expect(room.code!.failed).toBe(0);
    expect(refusal(() => join(room, 'host', 'wrong-token'))).toBe(RelayErrorCode.Forbidden);
    join(room, 'host', joinToken);
  });

  it('REQUIRE_WS_API_KEY=1 does not shut guests out: the code is their credential', async () => {
    setup({ REQUIRE_WS_API_KEY: '1', ANOCHAT_API_KEY: 'a-relay-api-key-0123456789' });
    const { room } = await withHost();
    const guest = join(room, 'guest');
    expect(guest.of('code-challenge')).toHaveLength(1);
    expect(refusal(() => join(room, 'liar', 'not-the-token'))).toBe(RelayErrorCode.Forbidden);
  });

  it('room end cancels pending deadlines; pending guests are closed with the room', async () => {
    const { room, host } = await withHost();
    const guest = join(room, 'guest');
    rooms.closeWith(room.id, { byKey: true });
    expect(guest.ended?.code).toBe(CloseCode.ROOM_CLOSED);
    expect(host.ended?.code).toBe(CloseCode.ROOM_CLOSED);
    clock.advance(10_000);
    expect(stats.codeAttempts.get('timeout')).toBeUndefined();
  });

  it('the failure count moves with the room (claim, standby) and survives adoption', async () => {
    const { room, host } = await withHost();
    join(room, 'guest');
    codeRooms.verdict(room, host, 'guest', false);
    // A drain in a cluster keeps emptied rooms for their new ring pod to claim.
    rooms.stopAccepting(true);
    host.leave();
    const shape = rooms.handOff(room.id);
    expect(shape).toMatchObject({ mode: 'code', code: { failedAttempts: 1 } });
    if (shape === undefined || shape === 'busy') throw new Error('no shape');
    const elsewhere = new RoomsService(cfg, clock, stats, new AppLogger(false));
    const adopted = elsewhere.adopt(JSON.parse(JSON.stringify(shape)) as typeof shape);
    expect(adopted.code?.failed).toBe(1);
    expect(adopted.code?.nameplate).toBe(room.code!.nameplate);
  });

  describe('nameplates', () => {
    it('are short on a quiet relay, unique, derived from the room id, and freed on end', async () => {
      const made = await Promise.all(Array.from({ length: 20 }, () => allocator.create()));
      const nameplates = made.map((m) => m.room.code!.nameplate);
      expect(new Set(nameplates).size).toBe(20);
      expect(nameplates.filter((n) => n.length <= 2).length).toBeGreaterThan(5);
      for (const { room } of made) {
        expect(room.id).toMatch(/^c0de/);
        rooms.closeWith(room.id, { byKey: true });
      }
      expect(rooms.count).toBe(0);
    });

    it('concurrent creates on one pod never share a nameplate, even in a small space', async () => {
      setup({ CODE_NAMEPLATE_MAX: '99' });
      // Claims take a round trip, as with Redis: creates interleave while they wait.
      const claim = directory.claim.bind(directory);
      directory.claim = async (...args) => {
        await new Promise((r) => setTimeout(r, 2));
        return claim(...args);
      };
      const made = await Promise.all(Array.from({ length: 25 }, () => allocator.create()));
      expect(new Set(made.map((m) => m.room.code!.nameplate)).size).toBe(25);
    });

    it('skip nameplates another pod holds (the directory claim decides)', async () => {
      setup({ CODE_NAMEPLATE_MAX: '9' });
      const keys = new RoomKeyDeriver('x'.repeat(32));
      for (let n = 1; n <= 8; n++)
        await directory.claim(keys.keyFor(await codeRoomId(String(n))), 'pod-b', 15_000);
      const { room } = await allocator.create();
      expect(room.code!.nameplate).toBe('9');
      await expect(allocator.create()).rejects.toMatchObject({
        code: RelayErrorCode.NameplatesExhausted,
      });
    });

    it('are not handed out again right after their room ended (late joiners)', async () => {
      setup({ CODE_NAMEPLATE_MAX: '9' });
      const all = [];
      for (let i = 0; i < 9; i++) all.push(await allocator.create());
      const first = all[0]!.room;
      rooms.closeWith(first.id, { byKey: true });
      await expect(allocator.create()).rejects.toMatchObject({
        code: RelayErrorCode.NameplatesExhausted,
      });
      clock.advance(NAMEPLATE_QUARANTINE_MS);
      const again = await allocator.create();
      expect(again.room.code!.nameplate).toBe(first.code!.nameplate);
    });

    it('a failed create releases its directory claim', async () => {
      setup({ MAX_ROOMS: '1', CODE_NAMEPLATE_MAX: '9' });
      const { room } = await allocator.create();
      await expect(allocator.create()).rejects.toMatchObject({
        code: RelayErrorCode.RoomLimitReached,
      });
      const keys = new RoomKeyDeriver('x'.repeat(32));
      const owned: string[] = [];
      for (let n = 1; n <= 9; n++) {
        const id = await codeRoomId(String(n));
        if ((await directory.lookup(keys.keyFor(id))) !== undefined) owned.push(id);
      }
      expect(owned).toEqual([room.id]);
    });
  });
});
