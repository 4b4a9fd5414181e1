/**
 * Code rooms through the real relay process, frame by frame (the PAKE itself is the SDK's and is
 * tested through this relay in libs/client/test/code-room.e2e.spec.ts): creating one, the guest's
 * restricted view of the room, the verdict frames, the per-address limit, and silence with
 * LOGGING=0.
 */
import {
  CloseCode,
  codeRoomId,
  encodeCodeVerdict,
  encodeSend,
  encodeSendTo,
  type ServerFrame,
} from '@nullroom/protocol';
import { startRelay, type RelayProcess } from './support/relay-process';
import { TestClient } from './support/ws-client';

const API_KEY = 'code-rooms-api-key-0123456789';

interface CodeRoom {
  roomId: string;
  mode: string;
  maxParticipants: number;
  joinToken: string;
  nameplate: string;
}

async function post(relay: RelayProcess, body: unknown): Promise<Response> {
  return fetch(`${relay.baseUrl}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify(body),
  });
}

async function createCodeRoom(relay: RelayProcess, extra: object = {}): Promise<CodeRoom> {
  const res = await post(relay, { mode: 'code', ...extra });
  expect(res.status).toBe(201);
  return (await res.json()) as CodeRoom;
}

const ofType =
  <T extends ServerFrame['type']>(type: T) =>
  (f: ServerFrame) =>
    f.type === type;

describe('code rooms on the relay', () => {
  let relay: RelayProcess;
  const clients: TestClient[] = [];

  async function member(room: CodeRoom, clientId: string, token = true): Promise<TestClient> {
    const c = await TestClient.member(relay.wsUrl, {
      roomId: room.roomId,
      clientId,
      ...(token ? { joinToken: room.joinToken } : {}),
    });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    relay = await startRelay({ ANOCHAT_API_KEY: API_KEY, CODE_ATTEMPT_TIMEOUT_MS: '20000' });
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  afterAll(async () => {
    expect(await relay.stop()).toBe(0);
    // LOGGING=0 (startRelay's default): a whole run of code rooms, refusals included, is silent.
    expect(relay.stdout()).toBe('');
    expect(relay.stderr()).toBe('');
  });

  it('POST /rooms {"mode":"code"} hands out a nameplate whose derived id is the room id', async () => {
    const room = await createCodeRoom(relay);
    expect(room).toMatchObject({ mode: 'code', maxParticipants: 2 });
    expect(room.nameplate).toMatch(/^[1-9][0-9]{0,3}$/);
    expect(room.roomId).toBe(await codeRoomId(room.nameplate));
    expect(typeof room.joinToken).toBe('string');
    const view = await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, {
      headers: { 'x-api-key': API_KEY },
    });
    expect(await view.json()).toMatchObject({ roomId: room.roomId, mode: 'code' });
    for (const bad of [{ mode: 'code', maxParticipants: 1 }, { mode: 'codes' }]) {
      const res = await post(relay, bad);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('a guest talks only to its verifier, sees none of the room, and is admitted by CODE_ACCEPT', async () => {
    const room = await createCodeRoom(relay, { maxParticipants: 3 });
    const host = await member(room, 'host');
    const friend = await member(room, 'friend');
    const guest = await member(room, 'guest', false);
    await guest.waitFor(ofType('code-challenge'));
    expect(guest.frames.find(ofType('code-challenge'))).toMatchObject({ verifier: 'host' });
    expect(guest.frames.find(ofType('welcome'))).toMatchObject({
      mode: 'code',
      members: ['host', 'friend'],
    });
    await host.waitFor(ofType('code-guest'));
    // What a guest may not do, each answered with not_admitted and forwarded nowhere.
    guest.send('plain text broadcast');
    guest.send(encodeSend(Uint8Array.of(1, 2)));
    guest.send(encodeSendTo('friend', Uint8Array.of(3)));
    guest.send(encodeCodeVerdict(true, 'guest'));
    await guest.waitForCount('error', 4);
    expect(guest.frames.filter(ofType('error')).map((f) => (f as { code: string }).code)).toEqual([
      'not_admitted',
      'not_admitted',
      'not_admitted',
      'not_admitted',
    ]);
    // The room's own traffic does not reach the guest; PAKE messages flow with its verifier.
    friend.send(encodeSend(Uint8Array.of(0xaa)));
    guest.send(encodeSendTo('host', Uint8Array.of(0x01, 0x40)));
    await host.waitFor((f) => f.type === 'message' && f.from === 'guest' && f.direct);
    host.send(encodeSendTo('guest', Uint8Array.of(0x01, 0x41)));
    await guest.waitFor((f) => f.type === 'message' && f.from === 'host');
    expect(guest.messages().map((m) => m.from)).toEqual(['host']);
    expect(friend.frames.some((f) => f.type === 'joined' && f.clientId === 'guest')).toBe(false);
    // The friend is not the verifier: its verdict is refused.
    friend.send(encodeCodeVerdict(true, 'guest'));
    await friend.waitFor((f) => f.type === 'error' && f.code === 'not_verifier');
    host.send(encodeCodeVerdict(true, 'guest'));
    await guest.waitFor(ofType('code-admitted'));
    // Its own member token to rejoin with (the relay keeps only hashes of tokens, so it can't
    // hand out the room's): not the host's.
    const admitted = guest.frames.find(ofType('code-admitted')) as { joinToken?: string };
    expect(Object.keys(admitted).sort()).toEqual(['clientId', 'joinToken', 'type']);
    expect(admitted).toMatchObject({ type: 'code-admitted', clientId: 'guest' });
    expect(admitted.joinToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(admitted.joinToken).not.toBe(room.joinToken);
    await friend.waitFor((f) => f.type === 'joined' && f.clientId === 'guest');
    await friend.waitFor(ofType('code-admitted'));
    // Now a member like the others: broadcasts both ways.
    guest.send(encodeSend(Uint8Array.of(0xbb)));
    await friend.waitFor((f) => f.type === 'message' && f.from === 'guest');
    friend.send(encodeSend(Uint8Array.of(0xcc)));
    await guest.waitFor((f) => f.type === 'message' && f.from === 'friend');
  });

  it('a wrong code: CODE_REJECT closes the guest with 4441, the room counts it, then locks (4442)', async () => {
    const room = await createCodeRoom(relay);
    const host = await member(room, 'host');
    for (let i = 1; i <= 3; i++) {
      const guest = await member(room, `guess-${i}`, false);
      await host.waitFor((f) => f.type === 'code-guest' && f.clientId === `guess-${i}`);
      host.send(encodeCodeVerdict(false, `guess-${i}`));
      expect(await guest.waitClosed()).toEqual({
        code: CloseCode.WRONG_CODE,
        reason: 'wrong code',
      });
      if (i < 3) {
        await host.waitFor((f) => f.type === 'code-attempt-failed' && f.clientId === `guess-${i}`);
        expect(host.frames.filter(ofType('code-attempt-failed')).at(-1)).toMatchObject({
          reason: 'wrong_code',
          attemptsLeft: 3 - i,
        });
      }
    }
    await host.waitFor((f) => f.type === 'room-closed' && f.reason === 'locked');
    expect((await host.waitClosed()).code).toBe(CloseCode.CODE_ROOM_LOCKED);
    const gone = await TestClient.join(relay.wsUrl, { roomId: room.roomId, clientId: 'late' });
    expect((await gone.waitClosed()).code).toBe(CloseCode.ROOM_NOT_FOUND);
  });

  it('a guest before anyone who knows the code gets 4440, uncounted', async () => {
    const room = await createCodeRoom(relay);
    const early = await TestClient.join(relay.wsUrl, { roomId: room.roomId, clientId: 'early' });
    expect((await early.waitClosed()).code).toBe(CloseCode.CODE_NO_VERIFIER);
    const host = await member(room, 'host');
    const guest = await member(room, 'guest', false);
    expect(await guest.waitFor(ofType('code-challenge'))).toMatchObject({ attemptsLeft: 3 });
    expect(host.frames.some(ofType('code-attempt-failed'))).toBe(false);
  });

  it('guesses are limited per address (RATE_LIMIT_CODE_ATTEMPTS_MAX): 4429, members unaffected', async () => {
    const limited = await startRelay({
      ANOCHAT_API_KEY: API_KEY,
      RATE_LIMIT_CODE_ATTEMPTS_MAX: '2',
    });
    try {
      const res = await fetch(`${limited.baseUrl}/rooms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ mode: 'code', maxParticipants: 8 }),
      });
      const room = (await res.json()) as CodeRoom;
      const host = await TestClient.member(limited.wsUrl, {
        roomId: room.roomId,
        clientId: 'host',
        joinToken: room.joinToken,
      });
      clients.push(host);
      const outcomes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const g = await TestClient.join(limited.wsUrl, { roomId: room.roomId, clientId: `g${i}` });
        clients.push(g);
        outcomes.push(
          await g.waitFor(ofType('code-challenge')).then(
            () => 0,
            () => g.closeCode ?? -1,
          ),
        );
      }
      expect(outcomes).toEqual([0, 0, CloseCode.RATE_LIMITED]);
      // Joining with the token is not a guess: never limited by this.
      for (let i = 0; i < 3; i++) {
        const m = await TestClient.member(limited.wsUrl, {
          roomId: room.roomId,
          clientId: `m${i}`,
          joinToken: room.joinToken,
        });
        clients.push(m);
      }
    } finally {
      for (const c of clients.splice(0)) c.close();
      await limited.stop();
    }
  });
});
