import { CloseCode, encodeSend } from '@nullroom/protocol';
import { type RelayProcess, startRelay } from './support/relay-process';
import { TestClient, createRoom } from './support/ws-client';

/** Every limit is configurable, enforced, and refuses with a documented code. */
describe('limits and abuse', () => {
  const relays: RelayProcess[] = [];
  const clients: TestClient[] = [];
  const start = async (env: Record<string, string>) => {
    const relay = await startRelay(env);
    relays.push(relay);
    return relay;
  };
  const member = async (
    relay: RelayProcess,
    roomId: string,
    clientId: string,
    joinToken?: string,
  ) => {
    const c = await TestClient.member(relay.wsUrl, {
      roomId,
      clientId,
      ...(joinToken ? { joinToken } : {}),
    });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });

  it('rate-limits the REST API per address with 429 + Retry-After, never /health', async () => {
    const relay = await start({ RATE_LIMIT_HTTP_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${relay.baseUrl}/rooms`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await fetch(`${relay.baseUrl}/public-config`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toEqual({ error: 'rate_limited', message: 'too many requests' });
    expect((await fetch(`${relay.baseUrl}/health`)).status).toBe(200);
    expect((await fetch(`${relay.baseUrl}/ready`)).status).toBe(200);
  });

  it('rate-limits POST /rooms separately, and the window resets', async () => {
    const relay = await start({ RATE_LIMIT_ROOMS_MAX: '2', RATE_LIMIT_WINDOW_MS: '1000' });
    const create = () => fetch(`${relay.baseUrl}/rooms`, { method: 'POST' }).then((r) => r.status);
    expect([await create(), await create(), await create()]).toEqual([201, 201, 429]);
    expect((await fetch(`${relay.baseUrl}/rooms`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await create()).toBe(201);
  });

  it('honours TRUST_PROXY: X-Forwarded-For counts only when the proxy is trusted', async () => {
    const trusted = await start({ RATE_LIMIT_HTTP_MAX: '2', TRUST_PROXY: '1' });
    const as = (relay: RelayProcess, xff: string) =>
      fetch(`${relay.baseUrl}/rooms`, { headers: { 'x-forwarded-for': xff } }).then(
        (r) => r.status,
      );
    expect([
      await as(trusted, '203.0.113.1'),
      await as(trusted, '203.0.113.1'),
      await as(trusted, '203.0.113.1'),
    ]).toEqual([200, 200, 429]);
    // Another client behind the same proxy has its own budget; a spoofed left-most entry doesn't help.
    expect(await as(trusted, '203.0.113.2')).toBe(200);
    expect(await as(trusted, '198.51.100.7, 203.0.113.1')).toBe(429);

    const untrusted = await start({ RATE_LIMIT_HTTP_MAX: '2', TRUST_PROXY: '0' });
    expect([
      await as(untrusted, '1.1.1.1'),
      await as(untrusted, '2.2.2.2'),
      await as(untrusted, '3.3.3.3'),
    ]).toEqual([200, 200, 429]);
  });

  it('refuses rooms past MAX_ROOMS with 503', async () => {
    const relay = await start({ MAX_ROOMS: '2' });
    const create = () => fetch(`${relay.baseUrl}/rooms`, { method: 'POST' });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(201);
    const third = await create();
    expect(third.status).toBe(503);
    expect(await third.json()).toMatchObject({ error: 'room_limit_reached' });
  });

  it('rate-limits WebSocket connection attempts per address with 4429', async () => {
    const relay = await start({ RATE_LIMIT_WS_CONNECT_MAX: '3', RATE_LIMIT_WS_CONNECT_BURST: '3' });
    const room = await createRoom(relay.baseUrl);
    for (const id of ['a', 'b', 'c']) await member(relay, room.roomId, id, room.joinToken);
    const fourth = new TestClient(
      `${relay.wsUrl}?roomId=${room.roomId}&clientId=d&joinToken=${room.joinToken}`,
    );
    clients.push(fourth);
    expect((await fourth.waitClosed()).code).toBe(CloseCode.RATE_LIMITED);
  });

  it('at the default limits a 256-member room fills at once from one address (NAT, Tor); a flood past the burst gets 4429', async () => {
    const relay = await start({});
    const room = await createRoom(relay.baseUrl, { mode: 'p2p', maxParticipants: 256 });
    const ids = Array.from({ length: 256 }, (_, i) => `m${i}`);
    // All at once, as after a drain: every one is welcomed.
    const members = await Promise.all(
      ids.map((id) => member(relay, room.roomId, id, room.joinToken)),
    );
    expect(members).toHaveLength(256);
    // The burst is 300: 44 more attempts go through (the room is full: 4410), then 4429.
    const extra = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const c = new TestClient(
          `${relay.wsUrl}?roomId=${room.roomId}&clientId=x${i}&joinToken=${room.joinToken}`,
        );
        clients.push(c);
        return (await c.waitClosed()).code;
      }),
    );
    const count = (code: number) => extra.filter((c) => c === code).length;
    expect(count(CloseCode.ROOM_FULL) + count(CloseCode.RATE_LIMITED)).toBe(60);
    expect(count(CloseCode.ROOM_FULL)).toBeGreaterThanOrEqual(44);
    // A second or so of refill at 2/s may add one or two; never the whole flood.
    expect(count(CloseCode.ROOM_FULL)).toBeLessThanOrEqual(50);
  }, 60_000);

  it('refuses connections past MAX_CONNECTIONS with 1013', async () => {
    const relay = await start({ MAX_CONNECTIONS: '2' });
    const room = await createRoom(relay.baseUrl);
    await member(relay, room.roomId, 'a', room.joinToken);
    await member(relay, room.roomId, 'b', room.joinToken);
    const third = new TestClient(
      `${relay.wsUrl}?roomId=${room.roomId}&clientId=c&joinToken=${room.joinToken}`,
    );
    clients.push(third);
    expect((await third.waitClosed()).code).toBe(CloseCode.TRY_AGAIN_LATER);
  });

  it('disconnects a member that sends frames too fast with 4429; the room carries on', async () => {
    const relay = await start({ WS_MAX_FRAMES_PER_SEC: '10' });
    const room = await createRoom(relay.baseUrl);
    const flood = await member(relay, room.roomId, 'flood', room.joinToken);
    const a = await member(relay, room.roomId, 'a', room.joinToken);
    const b = await member(relay, room.roomId, 'b', room.joinToken);
    for (let i = 0; i < 100; i++) flood.send(encodeSend(Uint8Array.of(i)));
    expect((await flood.waitClosed()).code).toBe(CloseCode.RATE_LIMITED);
    // The burst (2 s worth) went through before the cut, not more.
    await a.waitFor((f) => f.type === 'left' && f.clientId === 'flood');
    expect(a.messages().length).toBeLessThanOrEqual(21);
    a.send(encodeSend(Uint8Array.of(1)));
    await b.waitFor((f) => f.type === 'message' && f.from === 'a');
  });

  it('disconnects a member that sends bytes too fast with 4429', async () => {
    const relay = await start({ WS_MAX_BYTES_PER_SEC: '65536', WS_MAX_FRAME_BYTES: '65536' });
    const room = await createRoom(relay.baseUrl);
    const flood = await member(relay, room.roomId, 'flood', room.joinToken);
    await member(relay, room.roomId, 'a', room.joinToken);
    for (let i = 0; i < 10; i++) flood.send(encodeSend(new Uint8Array(60_000)));
    expect((await flood.waitClosed()).code).toBe(CloseCode.RATE_LIMITED);
  });

  it('REQUIRE_WS_API_KEY: support joins need the API key; p2p guests with a valid token never do', async () => {
    const relay = await start({ ANOCHAT_API_KEY: 'k'.repeat(24), REQUIRE_WS_API_KEY: '1' });
    const support = await createRoom(relay.baseUrl, { mode: 'support' }, 'k'.repeat(24));
    const anonymous = new TestClient(`${relay.wsUrl}?roomId=${support.roomId}&clientId=v`);
    clients.push(anonymous);
    expect((await anonymous.waitClosed()).code).toBe(CloseCode.UNAUTHORIZED);
    const wrongKey = new TestClient(
      `${relay.wsUrl}?roomId=${support.roomId}&clientId=v&apiKey=nope`,
    );
    clients.push(wrongKey);
    expect((await wrongKey.waitClosed()).code).toBe(CloseCode.UNAUTHORIZED);
    await TestClient.member(relay.wsUrl, {
      roomId: support.roomId,
      clientId: 'v',
      apiKey: 'k'.repeat(24),
    }).then((c) => clients.push(c));
    const p2p = await createRoom(relay.baseUrl, { mode: 'p2p' }, 'k'.repeat(24));
    await member(relay, p2p.roomId, 'guest', p2p.joinToken);
  });

  it("REQUIRE_WS_API_KEY: a support visitor joins with the room's own visitor token, and with nothing else", async () => {
    const key = 'k'.repeat(24);
    const relay = await start({ ANOCHAT_API_KEY: key, REQUIRE_WS_API_KEY: '1' });
    const support = await createRoom(relay.baseUrl, { mode: 'support' }, key);
    const other = await createRoom(relay.baseUrl, { mode: 'support' }, key);
    const p2p = await createRoom(relay.baseUrl, { mode: 'p2p' }, key);
    const visitorToken = (support as { visitorToken?: string }).visitorToken!;
    const otherToken = (other as { visitorToken?: string }).visitorToken!;
    expect(visitorToken).toMatch(/^[\w-]{43}$/);
    // Another room's visitor token, a p2p join token, a forged one: 4403, and the room lives on.
    // (The forged one differs in its last character: flipping to 'A' a token ending in 'A' forges nothing.)
    const forged = `${visitorToken.slice(0, -1)}${visitorToken.endsWith('A') ? 'B' : 'A'}`;
    for (const token of [otherToken, p2p.joinToken!, forged]) {
      const wrong = new TestClient(
        `${relay.wsUrl}?roomId=${support.roomId}&clientId=v&joinToken=${encodeURIComponent(token)}`,
      );
      clients.push(wrong);
      expect((await wrong.waitClosed()).code).toBe(CloseCode.FORBIDDEN);
    }
    const visitor = await member(relay, support.roomId, 'visitor', visitorToken);
    // The agent (admin dashboard, the site's staff) joins with the API key, as before.
    const agent = await TestClient.member(relay.wsUrl, {
      roomId: support.roomId,
      clientId: 'agent',
      apiKey: key,
    });
    clients.push(agent);
    await visitor.waitFor((f) => f.type === 'joined' && f.clientId === 'agent');
    // A p2p room's token is still only its own.
    const cross = new TestClient(
      `${relay.wsUrl}?roomId=${p2p.roomId}&clientId=x&joinToken=${visitorToken}`,
    );
    clients.push(cross);
    expect((await cross.waitClosed()).code).toBe(CloseCode.FORBIDDEN);
    // The visitor may end the chat with it too, as a p2p member with the join token.
    const wrongDelete = await fetch(`${relay.baseUrl}/rooms/${support.roomId}`, {
      method: 'DELETE',
      headers: { 'x-join-token': otherToken },
    });
    expect(wrongDelete.status).toBe(403);
    const ended = await fetch(`${relay.baseUrl}/rooms/${support.roomId}`, {
      method: 'DELETE',
      headers: { 'x-join-token': visitorToken },
    });
    expect(ended.status).toBe(200);
    expect((await agent.waitClosed()).code).toBe(CloseCode.ROOM_CLOSED);
  });

  it('expires idle rooms after ROOM_MAX_IDLE_MS, closing members with 4001', async () => {
    const relay = await start({ ROOM_MAX_IDLE_MS: '400' });
    // The never-joined room first: it is then idle at least as long as the other, so it is gone
    // by the time the other's member is told (created after it, it could outlive it by a sweep).
    const neverJoined = await createRoom(relay.baseUrl);
    const room = await createRoom(relay.baseUrl);
    const idleMember = await member(relay, room.roomId, 'a', room.joinToken);
    await idleMember.waitFor((f) => f.type === 'room-closed' && f.reason === 'expired', 3000);
    expect((await idleMember.waitClosed()).code).toBe(CloseCode.ROOM_EXPIRED);
    for (const id of [room.roomId, neverJoined.roomId]) {
      expect((await fetch(`${relay.baseUrl}/rooms/${id}`)).status).toBe(404);
    }
  });

  it('cuts a slow consumer with 4003 while the other 254 members of a 256-peer room keep receiving', async () => {
    const relay = await start({
      WS_MAX_BUFFERED_BYTES: String(256 * 1024),
      WS_MAX_BYTES_PER_SEC: String(64 * 1024 * 1024),
      WS_MAX_FRAMES_PER_SEC: '10000',
      RATE_LIMIT_WS_CONNECT_MAX: '0',
    });
    const room = await createRoom(relay.baseUrl, { mode: 'p2p', maxParticipants: 256 });
    const sender = await member(relay, room.roomId, 'sender', room.joinToken);
    const slow = await member(relay, room.roomId, 'slow', room.joinToken);
    // The other members only count what they get (a full decoder per member would make this test
    // process the slow consumer): the sequence byte of each MESSAGE, and whether 'slow' left.
    const others = await Promise.all(
      Array.from({ length: 254 }, async (_, i) => {
        const c = await member(relay, room.roomId, `m${i}`, room.joinToken);
        const seen: number[] = [];
        let slowLeft = false;
        c.ws.removeAllListeners('message');
        c.ws.on('message', (data: Buffer) => {
          if (data[0] === 0x81) seen.push(data[3 + data[2]!]!);
          else if (data[0] === 0x84 && data.subarray(2).toString() === 'slow') slowLeft = true;
        });
        return { seen, left: () => slowLeft, client: c };
      }),
    );
    // The slow member stops reading: its kernel buffers fill, then the relay's queue for it grows
    // past WS_MAX_BUFFERED_BYTES. How many bytes that takes depends on the kernel, so the sender
    // keeps going (paced, so the readers here keep up) until the relay reports the member gone.
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const payload = new Uint8Array(64 * 1024);
    let sent = 0;
    const deadline = Date.now() + 30_000;
    while (!others[0]!.left() && Date.now() < deadline) {
      payload[0] = sent++ % 256;
      sender.send(encodeSend(payload));
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(others[0]!.left()).toBe(true);
    for (let i = 0; i < 20; i++) {
      payload[0] = sent++ % 256;
      sender.send(encodeSend(payload));
      await new Promise((r) => setTimeout(r, 15));
    }
    // Everyone else got every frame, in order, and none of them was cut.
    const expected = Array.from({ length: sent }, (_, i) => i % 256);
    const until = Date.now() + 20_000;
    while (others.some((o) => o.seen.length < sent) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const o of others) {
      expect(o.seen).toEqual(expected);
      expect(o.left()).toBe(true);
      expect(o.client.closeCode).toBeUndefined();
    }
    socket.resume();
    expect((await slow.waitClosed(10_000)).code).toBe(CloseCode.SLOW_CONSUMER);
    expect(slow.messages().length).toBeLessThan(sent);
  }, 90_000);
});
