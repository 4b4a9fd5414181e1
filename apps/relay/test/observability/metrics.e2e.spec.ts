import { CloseCode, encodeSend } from '@nullroom/protocol';
import { type RelayProcess, freePort, startRelay } from '../support/relay-process';
import { TestClient, createRoom } from '../support/ws-client';
import { OtlpReceiver } from './support/otlp-receiver';
import { deltas, scrape } from './support/scrape';

/**
 * Metrics are exact and private: a scenario runs against the built relay and every counter it
 * touches moves by exactly what happened; afterwards neither /metrics nor any exported span
 * holds a room id, join token, client id or address.
 */
describe('observability (e2e)', () => {
  const relays: RelayProcess[] = [];
  const clients: TestClient[] = [];
  const receiver = new OtlpReceiver();
  let otlpUrl = '';

  beforeAll(async () => {
    otlpUrl = await receiver.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });
  afterAll(() => receiver.stop());

  const member = async (relay: RelayProcess, roomId: string, clientId: string, token?: string) => {
    const c = await TestClient.member(relay.wsUrl, {
      roomId,
      clientId,
      ...(token ? { joinToken: token } : {}),
    });
    clients.push(c);
    return c;
  };
  const until = async (probe: () => Promise<boolean> | boolean, what: string, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const rawBytes = (c: TestClient) => c.raw.reduce((n, b) => n + b.length, 0);

  it('moves every counter by exactly what the scenario did; no identifier leaks to metrics or spans', async () => {
    const relay = await startRelay({
      ANOCHAT_ADMIN_KEY: 'admin-key-for-the-test',
      WS_MAX_BUFFERED_BYTES: String(64 * 1024),
      WS_MAX_BYTES_PER_SEC: String(256 * 1024 * 1024),
      WS_MAX_FRAMES_PER_SEC: '10000',
      RATE_LIMIT_WS_CONNECT_MAX: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    relays.push(relay);
    const metrics = `${relay.baseUrl}/metrics`;
    const s0 = (await scrape(metrics)).samples;

    // Phase 1: a room, three joins, 7 frames fanned out to 2 members each, closed by the API.
    const room = await createRoom(relay.baseUrl, { mode: 'p2p' });
    const ids = ['alice-3f9c1e', 'bob-8d2a77', 'carol-51be04'];
    const [a, b, c] = [
      await member(relay, room.roomId, ids[0]!, room.joinToken),
      await member(relay, room.roomId, ids[1]!, room.joinToken),
      await member(relay, room.roomId, ids[2]!, room.joinToken),
    ];
    let sentBytes = 0;
    for (let i = 0; i < 5; i++) {
      const frame = encodeSend(new Uint8Array(100 + i));
      sentBytes += frame.length;
      a.send(frame);
    }
    for (const text of ['hello', 'world!']) {
      sentBytes += Buffer.byteLength(text);
      a.send(text);
    }
    await b.waitForCount('message', 7);
    await c.waitForCount('message', 7);
    const closed = await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, {
      method: 'DELETE',
      headers: { 'x-join-token': room.joinToken! },
    });
    expect(closed.status).toBe(200);
    for (const m of [a, b, c]) expect((await m.waitClosed()).code).toBe(CloseCode.ROOM_CLOSED);
    await until(
      async () => (await scrape(metrics)).samples.get('nullroom_connections') === 0,
      'connections to drop',
    );
    const s1 = (await scrape(metrics)).samples;
    const received = [a, b, c].reduce((n, m) => n + m.raw.length, 0);
    const receivedBytes = [a, b, c].reduce((n, m) => n + rawBytes(m), 0);
    // welcome ×3, joined ×3, 7 messages ×2, room-closed notice ×3
    expect(received).toBe(23);
    expect(
      deltas(s0, s1, [
        'nullroom_rooms_created_total',
        'nullroom_rooms_closed_total{reason="closed"}',
        'nullroom_rooms_closed_total{reason="empty"}',
        'nullroom_connections_total',
        'nullroom_frames_received_total',
        'nullroom_received_bytes_total',
        'nullroom_frames_sent_total',
        'nullroom_sent_bytes_total',
        'nullroom_fanout_duration_seconds_count',
        'nullroom_ws_closes_total{code="4000"}',
        'nullroom_slow_consumer_disconnects_total',
        'nullroom_http_requests_total{route="/rooms",method="POST",status="201"}',
        'nullroom_http_requests_total{route="/rooms/:roomId",method="DELETE",status="200"}',
        'nullroom_http_requests_total{route="/metrics",method="GET",status="200"}',
      ]),
    ).toEqual({
      nullroom_rooms_created_total: 1,
      'nullroom_rooms_closed_total{reason="closed"}': 1,
      'nullroom_rooms_closed_total{reason="empty"}': 0,
      nullroom_connections_total: 3,
      nullroom_frames_received_total: 7,
      nullroom_received_bytes_total: sentBytes,
      nullroom_frames_sent_total: received,
      nullroom_sent_bytes_total: receivedBytes,
      nullroom_fanout_duration_seconds_count: 7,
      'nullroom_ws_closes_total{code="4000"}': 3,
      nullroom_slow_consumer_disconnects_total: 0,
      'nullroom_http_requests_total{route="/rooms",method="POST",status="201"}': 1,
      'nullroom_http_requests_total{route="/rooms/:roomId",method="DELETE",status="200"}': 1,
      // The scrapes before this one (s0 and the polls); a scrape counts once it is answered.
      'nullroom_http_requests_total{route="/metrics",method="GET",status="200"}':
        (s1.get('nullroom_http_requests_total{route="/metrics",method="GET",status="200"}') ?? 0) -
        (s0.get('nullroom_http_requests_total{route="/metrics",method="GET",status="200"}') ?? 0),
    });
    expect(s1.get('nullroom_rooms{mode="p2p"}')).toBe(0);
    expect(s1.get('nullroom_fanout_duration_seconds_bucket{le="+Inf"}')).toBe(
      s1.get('nullroom_fanout_duration_seconds_count'),
    );

    // Phase 2: a slow consumer in its own room, cut with 4003 while its sender goes on.
    const room2 = await createRoom(relay.baseUrl, { mode: 'p2p' });
    const sender = await member(relay, room2.roomId, 'dave-0c4b9a', room2.joinToken);
    const slow = await member(relay, room2.roomId, 'erin-e6d213', room2.joinToken);
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    let frames = 0;
    const left = () => sender.frames.some((f) => f.type === 'left');
    const deadline = Date.now() + 15_000;
    while (!left() && Date.now() < deadline) {
      sender.send(encodeSend(new Uint8Array(256 * 1024)));
      frames++;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(left()).toBe(true);
    socket.resume();
    expect((await slow.waitClosed(10_000)).code).toBe(CloseCode.SLOW_CONSUMER);
    await until(
      async () =>
        (await scrape(metrics)).samples.get('nullroom_frames_received_total') === 7 + frames,
      'frames to be counted',
    );
    const s2 = (await scrape(metrics)).samples;
    expect(
      deltas(s1, s2, [
        'nullroom_rooms_created_total',
        'nullroom_connections_total',
        'nullroom_frames_received_total',
        'nullroom_fanout_duration_seconds_count',
        'nullroom_slow_consumer_disconnects_total',
        'nullroom_ws_closes_total{code="4003"}',
        'nullroom_rate_limited_total{kind="ws_frames"}',
      ]),
    ).toEqual({
      nullroom_rooms_created_total: 1,
      nullroom_connections_total: 2,
      nullroom_frames_received_total: frames,
      nullroom_fanout_duration_seconds_count: frames,
      nullroom_slow_consumer_disconnects_total: 1,
      'nullroom_ws_closes_total{code="4003"}': 1,
      'nullroom_rate_limited_total{kind="ws_frames"}': 0,
    });
    // What reached the slow member's queue before the cut depends on the kernel's buffers.
    const out = s2.get('nullroom_frames_sent_total')! - s1.get('nullroom_frames_sent_total')!;
    expect(out).toBeGreaterThanOrEqual(4); // welcome ×2, joined, left
    expect(out).toBeLessThanOrEqual(4 + frames);
    expect(s2.get('nullroom_connections')).toBe(1);
    expect(s2.get('nullroom_rooms{mode="p2p"}')).toBe(1);

    // An admin call, then a drain: their spans are exported on the way out.
    const stats = await fetch(`${relay.baseUrl}/admin/api/stats`, {
      headers: { 'x-admin-key': 'admin-key-for-the-test' },
    });
    expect(stats.status).toBe(200);
    const final = (await scrape(metrics)).text;
    expect(await relay.stop()).toBe(0);

    // Privacy: no room id, token, client id or address, in metrics or in any exported byte.
    const secrets = [room.roomId, room.joinToken!, room2.roomId, room2.joinToken!, ...ids];
    secrets.push('dave-0c4b9a', 'erin-e6d213', '127.0.0.1');
    const exported = receiver.bodies.join('\n');
    for (const secret of secrets) {
      expect(final).not.toContain(secret);
      expect(exported).not.toContain(secret);
    }
    // LOGGING=0 holds with the SDK on.
    expect(relay.stdout()).toBe('');
    expect(relay.stderr()).toBe('');

    const spans = receiver.spans();
    const count = (name: string) => spans.filter((s) => s.name === name).length;
    expect(count('POST /rooms')).toBe(2);
    expect(count('nullroom.room.create')).toBe(2);
    expect(count('nullroom.room.join')).toBe(5);
    expect(count('DELETE /rooms/:roomId')).toBe(1);
    expect(count('GET /admin/api/stats')).toBe(1);
    expect(count('nullroom.drain')).toBe(1);
    // room1 closed by the API; room2 ends when the drain empties it.
    expect(
      spans
        .filter((s) => s.name === 'nullroom.room.close')
        .map((s) => s.attributes['nullroom.room.close_reason'])
        .sort(),
    ).toEqual(['closed', 'empty']);
    // No span per frame: every span is one of the relay's named operations.
    const known = /^(GET|POST|DELETE) \/|^nullroom\.(room\.(create|close|join)|drain|directory)$/;
    for (const s of spans) expect(s.name).toMatch(known);
    expect(spans.length).toBeLessThan(40);
    // A room create nests under the request that caused it.
    const post = spans.find((s) => s.name === 'POST /rooms')!;
    const create = spans.find(
      (s) => s.name === 'nullroom.room.create' && s.traceId === post.traceId,
    );
    expect(create?.parentSpanId).toBe(post.spanId);
    expect(post.attributes).toMatchObject({
      'http.route': '/rooms',
      'http.request.method': 'POST',
      'http.response.status_code': 201,
    });
  });

  it('counts rate limits by kind; METRICS_PORT moves /metrics off the public port; a dead collector stays silent', async () => {
    const metricsPort = await freePort();
    const relay = await startRelay({
      RATE_LIMIT_ROOMS_MAX: '1',
      RATE_LIMIT_WS_CONNECT_MAX: '1',
      RATE_LIMIT_WS_CONNECT_BURST: '1',
      WS_MAX_FRAMES_PER_SEC: '5',
      METRICS_PORT: String(metricsPort),
      // Nobody listens here: exports fail, and LOGGING=0 must still print nothing.
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    relays.push(relay);
    expect((await fetch(`${relay.baseUrl}/metrics`)).status).toBe(404);
    const metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    const s0 = (await scrape(metrics)).samples;

    const room = await createRoom(relay.baseUrl, { mode: 'p2p' });
    expect((await fetch(`${relay.baseUrl}/rooms`, { method: 'POST' })).status).toBe(429);
    const m = await member(relay, room.roomId, 'frank-77aa01', room.joinToken);
    const refused = await TestClient.join(relay.wsUrl, {
      roomId: room.roomId,
      clientId: 'grace-19cd3e',
      joinToken: room.joinToken!,
    });
    clients.push(refused);
    expect((await refused.waitClosed()).code).toBe(CloseCode.RATE_LIMITED);
    // Burst = 2 s worth = 10 frames; the 11th is over the rate.
    for (let i = 0; i < 15; i++) m.send(encodeSend(new Uint8Array(10)));
    expect((await m.waitClosed()).code).toBe(CloseCode.RATE_LIMITED);
    await until(
      async () => (await scrape(metrics)).samples.get('nullroom_connections') === 0,
      'the member to be gone',
    );
    const s1 = (await scrape(metrics)).samples;
    expect(
      deltas(s0, s1, [
        'nullroom_rate_limited_total{kind="http"}',
        'nullroom_rate_limited_total{kind="ws_connect"}',
        'nullroom_rate_limited_total{kind="ws_frames"}',
        'nullroom_ws_closes_total{code="4429"}',
        'nullroom_connections_total',
        'nullroom_frames_received_total',
        'nullroom_fanout_duration_seconds_count',
        'nullroom_rooms_created_total',
        'nullroom_rooms_closed_total{reason="empty"}',
        'nullroom_http_requests_total{route="/rooms",method="POST",status="201"}',
        'nullroom_http_requests_total{route="/rooms",method="POST",status="429"}',
        'nullroom_http_requests_total{route="/metrics",method="GET",status="404"}',
      ]),
    ).toEqual({
      'nullroom_rate_limited_total{kind="http"}': 1,
      'nullroom_rate_limited_total{kind="ws_connect"}': 1,
      'nullroom_rate_limited_total{kind="ws_frames"}': 1,
      'nullroom_ws_closes_total{code="4429"}': 2,
      nullroom_connections_total: 2,
      nullroom_frames_received_total: 11,
      nullroom_fanout_duration_seconds_count: 10,
      nullroom_rooms_created_total: 1,
      'nullroom_rooms_closed_total{reason="empty"}': 1,
      'nullroom_http_requests_total{route="/rooms",method="POST",status="201"}': 1,
      'nullroom_http_requests_total{route="/rooms",method="POST",status="429"}': 1,
      // The public /metrics probe above happened before s0.
      'nullroom_http_requests_total{route="/metrics",method="GET",status="404"}': 0,
    });
    expect(s1.get('nullroom_http_requests_total{route="/metrics",method="GET",status="404"}')).toBe(
      1,
    );
    await new Promise((r) => setTimeout(r, 200)); // a few failed exports
    expect(await relay.stop()).toBe(0);
    expect(relay.stdout()).toBe('');
    expect(relay.stderr()).toBe('');
  });

  it('METRICS=0: no /metrics anywhere', async () => {
    const relay = await startRelay({ METRICS: '0' });
    relays.push(relay);
    expect((await fetch(`${relay.baseUrl}/metrics`)).status).toBe(404);
  });
});
