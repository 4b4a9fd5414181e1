import { CloseCode } from '@nullroom/protocol';
import { type RelayProcess, startRelay } from './support/relay-process';
import { TestClient, createRoom } from './support/ws-client';

const API_KEY = 'rest-api-key-0123456789';
const ADMIN_KEY = 'rest-admin-key-9876543210';

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

describe('REST API (seed 000 contract)', () => {
  let relay: RelayProcess;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    relay = await startRelay({
      ANOCHAT_API_KEY: API_KEY,
      ANOCHAT_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_HTTP_MAX: '0',
      RATE_LIMIT_ROOMS_MAX: '0',
      RATE_LIMIT_WS_CONNECT_MAX: '0',
      HTTP_MAX_BODY_BYTES: '1024',
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.ws.terminate();
  });
  afterAll(async () => {
    await relay.stop();
  });

  async function call(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<Reply> {
    const res = await fetch(`${relay.baseUrl}${path}`, {
      method,
      headers: init.headers ?? {},
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    return {
      status: res.status,
      body: JSON.parse(text) as Record<string, unknown>,
      headers: res.headers,
    };
  }
  const key = { 'x-api-key': API_KEY };
  const json = { 'content-type': 'application/json' };
  const post = (body: string, headers: Record<string, string> = key) =>
    call('POST', '/rooms', { headers: { ...json, ...headers }, body });

  it('GET /health and /ready answer without auth', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200, body: { ok: true } });
    expect(await call('GET', '/ready')).toMatchObject({
      status: 200,
      body: { ready: true, draining: false, directory: 'up' },
    });
  });

  it('GET /public-config publishes the Turnstile switch and site key', async () => {
    expect((await call('GET', '/public-config')).body).toEqual({
      turnstile: false,
      turnstileSiteKey: null,
    });
  });

  it('POST /rooms creates p2p rooms with a 256-bit join token and support rooms with a visitor token instead', async () => {
    const p2p = await post('{"mode":"p2p"}');
    expect(p2p.status).toBe(201);
    expect(p2p.body.roomId).toMatch(/^[0-9a-f-]{36}$/);
    expect(p2p.body.maxParticipants).toBe(16);
    expect(Buffer.from(p2p.body.joinToken as string, 'base64url')).toHaveLength(32);
    const support = await post('{"mode":"support"}');
    expect(support.status).toBe(201);
    expect(support.body).toEqual({
      roomId: support.body.roomId,
      mode: 'support',
      maxParticipants: 2,
      visitorToken: support.body.visitorToken,
    });
    expect(Buffer.from(support.body.visitorToken as string, 'base64url')).toHaveLength(32);
    const sized = await post('{"mode":"p2p","maxParticipants":256}');
    expect(sized.body.maxParticipants).toBe(256);
    const defaults = await post('');
    expect(defaults.status).toBe(201);
    expect(defaults.body.mode).toBe('p2p');
  });

  it('accepts the API key as X-API-Key or Authorization: Bearer, and refuses others with 401', async () => {
    expect((await post('{"mode":"p2p"}', { authorization: `Bearer ${API_KEY}` })).status).toBe(201);
    const missing = await post('{"mode":"p2p"}', {});
    expect(missing).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(typeof missing.body.message).toBe('string');
    expect((await post('{"mode":"p2p"}', { 'x-api-key': `${API_KEY}x` })).status).toBe(401);
    expect((await post('{"mode":"p2p"}', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await call('GET', '/rooms')).status).toBe(401);
    expect((await call('GET', '/rooms', { headers: { 'x-api-key': 'wrong' } })).status).toBe(401);
  });

  it.each([
    ['unknown mode', '{"mode":"group"}', 400, 'invalid_request', /mode/],
    ['malformed JSON', '{"mode":', 400, 'invalid_json', /JSON/],
    ['array body', '[1]', 400, 'invalid_request', /body/],
    [
      'maxParticipants too high',
      '{"mode":"p2p","maxParticipants":257}',
      400,
      'invalid_request',
      /maxParticipants/,
    ],
    [
      'maxParticipants too low',
      '{"mode":"p2p","maxParticipants":1}',
      400,
      'invalid_request',
      /maxParticipants/,
    ],
    [
      'maxParticipants not integer',
      '{"mode":"p2p","maxParticipants":2.5}',
      400,
      'invalid_request',
      /maxParticipants/,
    ],
    [
      'support with 3 participants',
      '{"mode":"support","maxParticipants":3}',
      400,
      'invalid_request',
      /maxParticipants/,
    ],
    [
      'body too large',
      JSON.stringify({ mode: 'p2p', pad: 'x'.repeat(2000) }),
      413,
      'payload_too_large',
      /bytes/,
    ],
  ])('refuses %s with a clear JSON error', async (_name, body, status, error, message) => {
    const before = (await call('GET', '/rooms', { headers: key })).body.rooms as unknown[];
    const reply = await post(body);
    expect(reply.status).toBe(status);
    expect(reply.body.error).toBe(error);
    expect(reply.body.message).toMatch(message);
    const after = (await call('GET', '/rooms', { headers: key })).body.rooms as unknown[];
    expect(after).toHaveLength(before.length);
  });

  it('GET /rooms lists rooms and GET /rooms/:roomId returns metadata, 404 for unknown ids', async () => {
    const room = await createRoom(relay.baseUrl, { mode: 'p2p', maxParticipants: 4 }, API_KEY);
    const list = await call('GET', '/rooms', { headers: key });
    expect(
      (list.body.rooms as Array<{ roomId: string }>).some((r) => r.roomId === room.roomId),
    ).toBe(true);
    const one = await call('GET', `/rooms/${room.roomId}`, { headers: key });
    expect(one.body).toMatchObject({
      roomId: room.roomId,
      mode: 'p2p',
      participants: 0,
      maxParticipants: 4,
    });
    expect(JSON.stringify(one.body)).not.toContain(room.joinToken!);
    expect(JSON.stringify(list.body)).not.toContain(room.joinToken!);
    const unknown = await call('GET', '/rooms/00000000-0000-4000-8000-000000000000', {
      headers: key,
    });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'room_not_found' } });
    expect((await call('GET', '/rooms/not-a-room', { headers: key })).status).toBe(404);
  });

  it('DELETE /rooms/:roomId with the API key closes the room and disconnects everyone with 4000', async () => {
    const room = await createRoom(relay.baseUrl, { mode: 'p2p' }, API_KEY);
    const a = await TestClient.member(relay.wsUrl, {
      roomId: room.roomId,
      clientId: 'a',
      joinToken: room.joinToken!,
    });
    const b = await TestClient.member(relay.wsUrl, {
      roomId: room.roomId,
      clientId: 'b',
      joinToken: room.joinToken!,
    });
    clients.push(a, b);
    expect(await call('DELETE', `/rooms/${room.roomId}`, { headers: key })).toMatchObject({
      status: 200,
      body: { closed: true },
    });
    for (const m of [a, b]) {
      await m.waitFor((f) => f.type === 'room-closed' && f.reason === 'closed');
      expect((await m.waitClosed()).code).toBe(CloseCode.ROOM_CLOSED);
    }
    expect((await call('GET', `/rooms/${room.roomId}`, { headers: key })).status).toBe(404);
  });

  it('DELETE /rooms/:roomId with the join token works; a wrong token is 403, none is 401', async () => {
    const room = await createRoom(relay.baseUrl, { mode: 'p2p' }, API_KEY);
    expect((await call('DELETE', `/rooms/${room.roomId}`)).status).toBe(401);
    expect(
      (await call('DELETE', `/rooms/${room.roomId}`, { headers: { 'x-join-token': 'nope' } }))
        .status,
    ).toBe(403);
    expect(
      await call('DELETE', `/rooms/${room.roomId}`, {
        headers: { 'x-join-token': room.joinToken! },
      }),
    ).toMatchObject({
      status: 200,
    });
    const second = await createRoom(relay.baseUrl, { mode: 'p2p' }, API_KEY);
    const byQuery = await call(
      'DELETE',
      `/rooms/${second.roomId}?joinToken=${encodeURIComponent(second.joinToken!)}`,
    );
    expect(byQuery.status).toBe(200);
    const missing = await call('DELETE', `/rooms/${second.roomId}`, { headers: key });
    expect(missing).toMatchObject({ status: 404, body: { error: 'room_not_found' } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    expect(await call('GET', '/nope')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  describe('admin API (X-Admin-Key)', () => {
    const admin = { 'x-admin-key': ADMIN_KEY };

    it('refuses a missing or wrong admin key with 401', async () => {
      expect((await call('GET', '/admin/api/health')).status).toBe(401);
      expect(
        (await call('GET', '/admin/api/health', { headers: { 'x-admin-key': 'x' } })).status,
      ).toBe(401);
      // The API key is not an admin key.
      expect(
        (await call('GET', '/admin/api/stats', { headers: { 'x-admin-key': API_KEY } })).status,
      ).toBe(401);
      expect(await call('GET', '/admin/api/health', { headers: admin })).toMatchObject({
        status: 200,
        body: { ok: true },
      });
    });

    it('lists support rooms only, reports stats, and force-closes rooms', async () => {
      const support = await createRoom(relay.baseUrl, { mode: 'support' }, API_KEY);
      const p2p = await createRoom(relay.baseUrl, { mode: 'p2p' }, API_KEY);
      const visitor = await TestClient.member(relay.wsUrl, {
        roomId: support.roomId,
        clientId: 'visitor',
      });
      clients.push(visitor);
      const listed = (await call('GET', '/admin/api/support-rooms', { headers: admin })).body
        .rooms as Array<{
        roomId: string;
        mode: string;
        participants: number;
      }>;
      expect(listed.every((r) => r.mode === 'support')).toBe(true);
      expect(listed.find((r) => r.roomId === support.roomId)).toMatchObject({ participants: 1 });
      expect(listed.some((r) => r.roomId === p2p.roomId)).toBe(false);

      const stats = await call('GET', '/admin/api/stats', { headers: admin });
      expect(stats.status).toBe(200);
      expect(stats.body).toMatchObject({ draining: false, connections: { open: 1 } });
      expect((stats.body.rooms as { support: number }).support).toBeGreaterThanOrEqual(1);

      expect(
        (await call('DELETE', `/admin/api/rooms/${support.roomId}`, { headers: admin })).status,
      ).toBe(200);
      expect((await visitor.waitClosed()).code).toBe(CloseCode.ROOM_CLOSED);
      expect(
        (await call('DELETE', `/admin/api/rooms/${support.roomId}`, { headers: admin })).status,
      ).toBe(404);
    });
  });
});

describe('REST API without keys configured (seed 000 defaults)', () => {
  let relay: RelayProcess;
  beforeAll(async () => {
    relay = await startRelay({});
  });
  afterAll(async () => {
    await relay.stop();
  });

  it('leaves the room API open and the admin API disabled', async () => {
    const created = await fetch(`${relay.baseUrl}/rooms`, { method: 'POST' });
    expect(created.status).toBe(201);
    const room = (await created.json()) as { roomId: string; joinToken: string };
    expect((await fetch(`${relay.baseUrl}/rooms`)).status).toBe(200);
    const admin = await fetch(`${relay.baseUrl}/admin/api/health`, {
      headers: { 'x-admin-key': '' },
    });
    expect(admin.status).toBe(403);
    expect(await admin.json()).toMatchObject({ error: 'admin_disabled' });
    expect(
      (await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, { method: 'DELETE' })).status,
    ).toBe(200);
  });
});
