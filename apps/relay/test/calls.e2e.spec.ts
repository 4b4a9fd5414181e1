/**
 * Calls at the relay: expiring TURN credentials for room members only, over their socket, in the
 * form a real coturn accepts; CALL_MAX_PARTICIPANTS per room; call metrics without ids.
 */
import { createHmac } from 'node:crypto';
import {
  CloseCode,
  ClientFrameType,
  encodeCallJoin,
  encodeCallLeave,
  type ServerFrame,
  turnUsernameExpiry,
} from '@nullroom/protocol';
import { scrape } from './observability/support/scrape';
import { Coturn, turnAllocates } from './support/coturn';
import { type RelayProcess, startRelay } from './support/relay-process';
import { TestClient, createRoom } from './support/ws-client';

const SECRET = 'calls-e2e-turn-secret-0123456789';
type Credentials = Extract<ServerFrame, { type: 'call-credentials' }>;

describe('calls at the relay: TURN credentials and call presence', () => {
  let coturn: Coturn;
  let relay: RelayProcess;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    coturn = await Coturn.start({ secret: SECRET });
    relay = await startRelay({
      TURN_URLS: coturn.url,
      TURN_SECRET: SECRET,
      TURN_TTL_S: '600',
      CALL_MAX_PARTICIPANTS: '2',
      RATE_LIMIT_WS_CONNECT_MAX: '0',
      RATE_LIMIT_HTTP_MAX: '0',
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.ws.terminate();
  });
  afterAll(async () => {
    await relay?.stop();
    await coturn?.stop();
  });

  const member = async (roomId: string, clientId: string, joinToken?: string) => {
    const c = await TestClient.member(relay.wsUrl, {
      roomId,
      clientId,
      ...(joinToken ? { joinToken } : {}),
    });
    clients.push(c);
    return c;
  };
  /** Sends CALL_JOIN and returns the relay's answer (credentials or an error). */
  const callJoin = async (c: TestClient): Promise<ServerFrame> => {
    const seen = c.frames.length;
    c.send(encodeCallJoin());
    await c.waitFor(
      (f) => c.frames.indexOf(f) >= seen && (f.type === 'call-credentials' || f.type === 'error'),
    );
    return c.frames.slice(seen).find((f) => f.type === 'call-credentials' || f.type === 'error')!;
  };

  it('hands a member credentials coturn accepts, and coturn refuses them once expired', async () => {
    const room = await createRoom(relay.baseUrl);
    const alice = await member(room.roomId, 'alice', room.joinToken);
    const before = Math.floor(Date.now() / 1000);
    const answer = (await callJoin(alice)) as Credentials;
    expect(answer).toMatchObject({ type: 'call-credentials', urls: [coturn.url], ttlS: 600 });
    expect(answer.maxParticipants).toBe(2);
    const expiry = turnUsernameExpiry(answer.username!)!;
    expect(expiry - before).toBeGreaterThanOrEqual(599);
    expect(expiry - before).toBeLessThanOrEqual(601);
    expect(answer.username).toMatch(/^\d+:[A-Za-z0-9_-]{16}$/);
    expect(await turnAllocates(coturn.port, answer.username!, answer.credential!)).toBe(true);

    // The same form with the expiry in the past, signed with the same secret: coturn refuses
    // it, so the expiry the relay writes is what bounds a credential's life.
    const expired = `${before - 60}:${answer.username!.split(':')[1]}`;
    const sig = createHmac('sha1', SECRET).update(expired).digest('base64');
    expect(await turnAllocates(coturn.port, expired, sig)).toBe(false);
    // And a credential the relay did not sign is refused too.
    expect(await turnAllocates(coturn.port, answer.username!, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toBe(
      false,
    );

    // A second CALL_JOIN (a refresh) gives a different credential.
    const again = (await callJoin(alice)) as Credentials;
    expect(again.username).not.toBe(answer.username);
  }, 60_000);

  it('gives nothing to a socket that is not a member', async () => {
    const room = await createRoom(relay.baseUrl);
    const intruder = new TestClient(
      `${relay.wsUrl}?${new URLSearchParams({ roomId: room.roomId, clientId: 'eve', joinToken: 'wrong' }).toString()}`,
    );
    clients.push(intruder);
    await intruder.opened;
    intruder.send(encodeCallJoin());
    expect((await intruder.waitClosed()).code).toBe(CloseCode.FORBIDDEN);
    expect(intruder.frames.some((f) => f.type === 'call-credentials')).toBe(false);
  });

  it('gives nothing to a code-room guest that has not proved the code', async () => {
    const res = await fetch(`${relay.baseUrl}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'code' }),
    });
    const room = (await res.json()) as { roomId: string; joinToken: string };
    await member(room.roomId, 'host', room.joinToken);
    const guest = await member(room.roomId, 'guest');
    await guest.waitFor((f) => f.type === 'code-challenge');
    expect(await callJoin(guest)).toMatchObject({ type: 'error', code: 'not_admitted' });
    expect(guest.frames.some((f) => f.type === 'call-credentials')).toBe(false);
  });

  it('holds CALL_MAX_PARTICIPANTS per room, frees a seat on hang-up or disconnect', async () => {
    const room = await createRoom(relay.baseUrl);
    const [a, b, c] = [
      await member(room.roomId, 'a', room.joinToken),
      await member(room.roomId, 'b', room.joinToken),
      await member(room.roomId, 'c', room.joinToken),
    ];
    expect((await callJoin(a)).type).toBe('call-credentials');
    expect((await callJoin(b)).type).toBe('call-credentials');
    expect(await callJoin(c)).toEqual({
      type: 'error',
      code: 'call_full',
      message: 'the call is full',
    });
    // Another room's call is its own.
    const other = await createRoom(relay.baseUrl);
    expect((await callJoin(await member(other.roomId, 'x', other.joinToken))).type).toBe(
      'call-credentials',
    );
    b.send(encodeCallLeave());
    expect((await callJoin(c)).type).toBe('call-credentials');
    expect((await callJoin(b)).type).toBe('error');
    a.close();
    await a.closed;
    await c.waitFor((f) => f.type === 'left' && f.clientId === 'a');
    expect((await callJoin(b)).type).toBe('call-credentials');
    // Call frames carry nothing: a payload is malformed, and the socket stays.
    c.send(Uint8Array.of(ClientFrameType.CALL_JOIN, 0));
    await c.waitFor((f) => f.type === 'error' && f.code === 'malformed_frame');
    expect(c.closeCode).toBeUndefined();
  });

  it('counts calls and credentials in /metrics, naming no room or member', async () => {
    // The sockets of the tests before were cut without a close handshake: wait until the relay
    // has seen every one of them go, so their calls don't end in the middle of this test.
    let before = (await scrape(`${relay.baseUrl}/metrics`)).samples;
    for (let i = 0; before.get('nullroom_call_participants') !== 0; i++) {
      if (i > 100) throw new Error('earlier calls never ended at the relay');
      await new Promise((r) => setTimeout(r, 50));
      before = (await scrape(`${relay.baseUrl}/metrics`)).samples;
    }
    const room = await createRoom(relay.baseUrl);
    const p = await member(room.roomId, 'metrics-p', room.joinToken);
    const q = await member(room.roomId, 'metrics-q', room.joinToken);
    await callJoin(p);
    await callJoin(q);
    const { samples: during } = await scrape(`${relay.baseUrl}/metrics`);
    expect(
      during.get('nullroom_calls_started_total')! - before.get('nullroom_calls_started_total')!,
    ).toBe(1);
    expect(during.get('nullroom_calls_active')! - before.get('nullroom_calls_active')!).toBe(1);
    expect(
      during.get('nullroom_call_participants')! - before.get('nullroom_call_participants')!,
    ).toBe(2);
    p.send(encodeCallLeave());
    q.close();
    await q.closed;
    await p.waitFor((f) => f.type === 'left');
    const { text, samples: after } = await scrape(`${relay.baseUrl}/metrics`);
    expect(
      after.get('nullroom_calls_ended_total')! - before.get('nullroom_calls_ended_total')!,
    ).toBe(1);
    expect(after.get('nullroom_calls_active')).toBe(before.get('nullroom_calls_active'));
    expect(
      after.get('nullroom_turn_credentials_issued_total')! -
        before.get('nullroom_turn_credentials_issued_total')!,
    ).toBe(2);
    expect(text).not.toContain(room.roomId);
    expect(text).not.toContain('metrics-p');
  });

  it('printed nothing at all through every call above (LOGGING=0)', () => {
    expect(relay.stdout()).toBe('');
    expect(relay.stderr()).toBe('');
  });
});

describe('calls at the relay: defaults', () => {
  /** Joins a fresh room on `relay`, sends CALL_JOIN, returns the answer and /public-config's calls. */
  async function callJoinOn(relay: RelayProcess, clients: TestClient[]) {
    const room = await createRoom(relay.baseUrl);
    const c = await TestClient.member(relay.wsUrl, {
      roomId: room.roomId,
      clientId: 'a',
      joinToken: room.joinToken!,
    });
    clients.push(c);
    c.send(encodeCallJoin());
    const answer = await c.waitFor((f) => f.type === 'call-credentials' || f.type === 'error');
    const config = (await (await fetch(`${relay.baseUrl}/public-config`)).json()) as {
      calls: unknown;
    };
    return { answer, calls: config.calls };
  }

  it('names no STUN or TURN server unless TURN_URLS does, and CALL_MAX_PARTICIPANTS=0 turns calls off', async () => {
    const plain = await startRelay({});
    const off = await startRelay({ CALL_MAX_PARTICIPANTS: '0' });
    const clients: TestClient[] = [];
    try {
      expect(await callJoinOn(plain, clients)).toEqual({
        answer: { type: 'call-credentials', urls: [], ttlS: 0, maxParticipants: 8 },
        calls: { enabled: true, maxParticipants: 8, turn: false },
      });
      expect(await callJoinOn(off, clients)).toEqual({
        answer: { type: 'error', code: 'calls_disabled', message: 'calls are off on this relay' },
        calls: { enabled: false, maxParticipants: 0, turn: false },
      });
    } finally {
      for (const c of clients) c.ws.terminate();
      await plain.stop();
      await off.stop();
    }
  });
});
