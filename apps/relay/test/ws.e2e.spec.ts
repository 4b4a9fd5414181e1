import { randomBytes } from 'node:crypto';
import {
  CloseCode,
  ClientFrameType,
  encodeMessage,
  encodeSend,
  encodeSendTo,
  type ServerFrame,
} from '@nullroom/protocol';
import { type RelayProcess, startRelay } from './support/relay-process';
import { TestClient, createRoom } from './support/ws-client';

const API_KEY = 'test-api-key-0123456789';

describe('WebSocket /ws (seed 000 semantics, Nullroom frames)', () => {
  let relay: RelayProcess;
  const clients: TestClient[] = [];
  const track = (c: TestClient): TestClient => (clients.push(c), c);

  beforeAll(async () => {
    relay = await startRelay({
      ANOCHAT_API_KEY: API_KEY,
      WS_MAX_FRAME_BYTES: '65536',
      RATE_LIMIT_WS_CONNECT_MAX: '0',
      RATE_LIMIT_HTTP_MAX: '0',
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.ws.terminate();
  });
  afterAll(async () => {
    expect(await relay.stop()).toBe(0);
  });

  const p2p = (body: Record<string, unknown> = { mode: 'p2p' }) =>
    createRoom(relay.baseUrl, body, API_KEY);
  const member = async (roomId: string, clientId: string, joinToken?: string) =>
    track(
      await TestClient.member(relay.wsUrl, {
        roomId,
        clientId,
        ...(joinToken ? { joinToken } : {}),
      }),
    );
  const refused = async (params: Record<string, string>) => {
    const c = track(new TestClient(`${relay.wsUrl}?${new URLSearchParams(params).toString()}`));
    return c.waitClosed();
  };

  it('welcomes a member with the room shape and announces joins and leaves', async () => {
    const room = await p2p();
    const alice = await member(room.roomId, 'alice', room.joinToken);
    expect(alice.frames[0]).toEqual({
      type: 'welcome',
      v: 1,
      clientId: 'alice',
      mode: 'p2p',
      maxParticipants: 16,
      members: [],
    });
    const bob = await member(room.roomId, 'bob', room.joinToken);
    expect(bob.frames[0]).toMatchObject({ type: 'welcome', members: ['alice'] });
    await alice.waitFor((f) => f.type === 'joined' && f.clientId === 'bob');
    bob.close();
    await alice.waitFor((f) => f.type === 'left' && f.clientId === 'bob');
  });

  it('forwards binary payloads byte for byte to every other member, stamped with the sender', async () => {
    const room = await p2p();
    const [a, b, c] = [
      await member(room.roomId, 'a', room.joinToken),
      await member(room.roomId, 'b', room.joinToken),
      await member(room.roomId, 'c', room.joinToken),
    ];
    const payload = randomBytes(40_000);
    a.send(encodeSend(payload));
    for (const peer of [b, c]) {
      const frame = await peer.waitFor((f) => f.type === 'message');
      expect(frame).toMatchObject({ type: 'message', from: 'a', text: false, direct: false });
      expect(Buffer.from((frame as { payload: Uint8Array }).payload).equals(payload)).toBe(true);
    }
    // The sender does not get its own frame back.
    b.send(encodeSend(Uint8Array.of(1)));
    await a.waitFor((f) => f.type === 'message' && f.from === 'b');
    expect(a.messages().filter((m) => m.from === 'a')).toHaveLength(0);
  });

  it('forwards text messages as TEXT-flagged frames with the exact UTF-8 bytes', async () => {
    const room = await p2p();
    const a = await member(room.roomId, 'a', room.joinToken);
    const b = await member(room.roomId, 'b', room.joinToken);
    const text = '{"type":"hs","pub":"ü🙂\\u0000 – not parsed"}';
    a.send(text);
    const frame = (await b.waitFor((f) => f.type === 'message')) as Extract<
      ServerFrame,
      { type: 'message' }
    >;
    expect(frame.text).toBe(true);
    expect(frame.from).toBe('a');
    expect(Buffer.from(frame.payload).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('makes a spoofed sender id impossible: the relay stamps the authenticated clientId', async () => {
    const room = await p2p();
    const mallory = await member(room.roomId, 'mallory', room.joinToken);
    const alice = await member(room.roomId, 'alice', room.joinToken);
    const victim = await member(room.roomId, 'victim', room.joinToken);
    // 1: a payload that itself looks like a relay MESSAGE from alice arrives wrapped, from mallory.
    const forged = encodeMessage('alice', 0, Uint8Array.of(7, 7, 7));
    mallory.send(encodeSend(forged));
    const got = (await victim.waitFor((f) => f.type === 'message')) as Extract<
      ServerFrame,
      { type: 'message' }
    >;
    expect(got.from).toBe('mallory');
    expect(Buffer.from(got.payload).equals(Buffer.from(forged))).toBe(true);
    // 2: sending a relay frame type directly is refused as malformed and reaches nobody: a
    // marker sent right after it arrives as the very next message (one sender's frames keep
    // their order), so had the forged frame been relayed, it would stand before the marker.
    mallory.send(forged);
    await mallory.waitFor((f) => f.type === 'error' && f.code === 'malformed_frame');
    const marker = Uint8Array.of(0x6d, 0x61, 0x72, 0x6b);
    mallory.send(encodeSend(marker));
    for (const peer of [victim, alice]) {
      await peer.waitFor(
        (f) => f.type === 'message' && Buffer.from(f.payload).equals(Buffer.from(marker)),
      );
      const payloads = peer.messages().map((m) => [m.from, Buffer.from(m.payload).toString('hex')]);
      expect(payloads).toEqual([
        ['mallory', Buffer.from(forged).toString('hex')],
        ['mallory', Buffer.from(marker).toString('hex')],
      ]);
    }
  });

  it('unicasts SEND_TO to exactly one member, flagged direct', async () => {
    const room = await p2p();
    const a = await member(room.roomId, 'a', room.joinToken);
    const b = await member(room.roomId, 'b', room.joinToken);
    const c = await member(room.roomId, 'c', room.joinToken);
    a.send(encodeSendTo('c', Uint8Array.of(42)));
    const frame = await c.waitFor((f) => f.type === 'message');
    expect(frame).toMatchObject({ from: 'a', direct: true, payload: Uint8Array.of(42) });
    a.send(encodeSend(Uint8Array.of(1))); // a marker that b must see first-and-only
    await b.waitFor((f) => f.type === 'message');
    expect(b.messages()).toHaveLength(1);
    expect(b.messages()[0]!.direct).toBe(false);
  });

  it('answers SEND_TO an absent member and malformed headers with ERROR frames and keeps the connection', async () => {
    const room = await p2p();
    const a = await member(room.roomId, 'a', room.joinToken);
    const b = await member(room.roomId, 'b', room.joinToken);
    a.send(encodeSendTo('ghost', Uint8Array.of(1)));
    await a.waitFor((f) => f.type === 'error' && f.code === 'unknown_recipient');
    a.send(Uint8Array.of(ClientFrameType.SEND_TO, 200, 1));
    a.send(new Uint8Array(0));
    a.send(Uint8Array.of(0x55, 1, 2));
    await a.waitForCount('error', 4);
    a.send(encodeSend(Uint8Array.of(9)));
    await b.waitFor((f) => f.type === 'message');
    expect(a.closeCode).toBeUndefined();
    expect(b.messages()).toHaveLength(1);
  });

  it('refuses a wrong or missing join token with 4403', async () => {
    const room = await p2p();
    const wrong = room.joinToken!.slice(0, -1) + (room.joinToken!.endsWith('A') ? 'B' : 'A');
    expect((await refused({ roomId: room.roomId, clientId: 'x', joinToken: wrong })).code).toBe(
      CloseCode.FORBIDDEN,
    );
    expect((await refused({ roomId: room.roomId, clientId: 'x' })).code).toBe(CloseCode.FORBIDDEN);
    expect((await refused({ roomId: room.roomId, clientId: 'x', joinToken: 'short' })).code).toBe(
      CloseCode.FORBIDDEN,
    );
  });

  it('refuses malformed URLs with 4400 and unknown rooms with 4404', async () => {
    const room = await p2p();
    expect((await refused({ clientId: 'x' })).code).toBe(CloseCode.BAD_REQUEST);
    expect((await refused({ roomId: 'not-a-uuid', clientId: 'x' })).code).toBe(
      CloseCode.BAD_REQUEST,
    );
    expect((await refused({ roomId: room.roomId })).code).toBe(CloseCode.BAD_REQUEST);
    const bad = await refused({ roomId: room.roomId, clientId: 'has space' });
    expect(bad).toEqual({ code: CloseCode.BAD_REQUEST, reason: 'clientId: missing or invalid' });
    const unknown = await refused({
      roomId: '00000000-0000-4000-8000-000000000000',
      clientId: 'x',
    });
    expect(unknown.code).toBe(CloseCode.ROOM_NOT_FOUND);
  });

  it('refuses a duplicate clientId with 4409 and leaves the first connection alone', async () => {
    const room = await p2p();
    const first = await member(room.roomId, 'same', room.joinToken);
    const other = await member(room.roomId, 'other', room.joinToken);
    const dup = await refused({
      roomId: room.roomId,
      clientId: 'same',
      joinToken: room.joinToken!,
    });
    expect(dup.code).toBe(CloseCode.DUPLICATE_CLIENT_ID);
    other.send(encodeSend(Uint8Array.of(5)));
    await first.waitFor((f) => f.type === 'message');
    expect(first.closeCode).toBeUndefined();
  });

  it('admits up to maxParticipants and refuses the next with 4410', async () => {
    const room = await p2p({ mode: 'p2p', maxParticipants: 3 });
    for (const id of ['a', 'b', 'c']) await member(room.roomId, id, room.joinToken);
    const fourth = await refused({
      roomId: room.roomId,
      clientId: 'd',
      joinToken: room.joinToken!,
    });
    expect(fourth.code).toBe(CloseCode.ROOM_FULL);
  });

  it('takes 256 members in one room and refuses the 257th', async () => {
    const room = await p2p({ mode: 'p2p', maxParticipants: 256 });
    const members = await Promise.all(
      Array.from({ length: 256 }, (_, i) => member(room.roomId, `m${i}`, room.joinToken)),
    );
    const extra = await refused({
      roomId: room.roomId,
      clientId: 'm256',
      joinToken: room.joinToken!,
    });
    expect(extra.code).toBe(CloseCode.ROOM_FULL);
    const res = await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, {
      headers: { 'x-api-key': API_KEY },
    });
    expect(((await res.json()) as { participants: number }).participants).toBe(256);
    members[0]!.send(encodeSend(Uint8Array.of(1, 2, 3)));
    await Promise.all(
      members.slice(1).map((m) => m.waitFor((f) => f.type === 'message' && f.from === 'm0')),
    );
  });

  it('support rooms: two members chat; a third join destroys the room for everyone', async () => {
    const room = await p2p({ mode: 'support' });
    expect(room.joinToken).toBeUndefined();
    const visitor = await member(room.roomId, 'visitor');
    const agent = await member(room.roomId, 'agent');
    agent.send('hello');
    await visitor.waitFor((f) => f.type === 'message');
    const third = await refused({ roomId: room.roomId, clientId: 'intruder' });
    expect(third.code).toBe(CloseCode.ROOM_DESTROYED);
    for (const m of [visitor, agent]) {
      await m.waitFor((f) => f.type === 'room-closed' && f.reason === 'destroyed');
      expect((await m.waitClosed()).code).toBe(CloseCode.ROOM_DESTROYED);
    }
    const res = await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, {
      headers: { 'x-api-key': API_KEY },
    });
    expect(res.status).toBe(404);
  });

  it('removes the room from memory when the last member leaves', async () => {
    const room = await p2p();
    const a = await member(room.roomId, 'a', room.joinToken);
    const b = await member(room.roomId, 'b', room.joinToken);
    a.close();
    await b.waitFor((f) => f.type === 'left');
    const during = await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, {
      headers: { 'x-api-key': API_KEY },
    });
    expect(during.status).toBe(200);
    b.close();
    await b.waitClosed();
    await waitUntil(async () => {
      const res = await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, {
        headers: { 'x-api-key': API_KEY },
      });
      return res.status === 404;
    });
    expect(
      (await refused({ roomId: room.roomId, clientId: 'late', joinToken: room.joinToken! })).code,
    ).toBe(CloseCode.ROOM_NOT_FOUND);
  });

  it('closes an oversized frame with 1009 and leaves the other members untouched', async () => {
    const room = await p2p();
    const big = await member(room.roomId, 'big', room.joinToken);
    const a = await member(room.roomId, 'a', room.joinToken);
    const b = await member(room.roomId, 'b', room.joinToken);
    big.send(encodeSend(new Uint8Array(65_536)));
    expect((await big.waitClosed()).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    await a.waitFor((f) => f.type === 'left' && f.clientId === 'big');
    a.send(encodeSend(new Uint8Array(65_535 - 1)));
    await b.waitFor((f) => f.type === 'message' && f.from === 'a');
    expect(a.closeCode).toBeUndefined();
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
