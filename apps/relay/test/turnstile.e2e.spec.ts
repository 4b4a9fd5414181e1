import { fakeSiteverify } from './support/fake-siteverify';
import { type RelayProcess, startRelay } from './support/relay-process';

describe('Turnstile on POST /rooms', () => {
  let relay: RelayProcess;
  let verifier: Awaited<ReturnType<typeof fakeSiteverify>>;

  beforeAll(async () => {
    verifier = await fakeSiteverify();
    relay = await startRelay({
      TURNSTILE: '1',
      TURNSTILE_SECRET_KEY: 'ts-secret',
      TURNSTILE_SITE_KEY: '0x4AAAAAAA-site',
      TURNSTILE_VERIFY_URL: verifier.url,
    });
  });
  afterAll(async () => {
    await relay.stop();
    verifier.server.close();
  });

  const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${relay.baseUrl}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('publishes the site key', async () => {
    const config = await (await fetch(`${relay.baseUrl}/public-config`)).json();
    expect(config).toEqual({ turnstile: true, turnstileSiteKey: '0x4AAAAAAA-site' });
  });

  it('refuses a missing token without calling the verifier', async () => {
    const before = verifier.requests.length;
    const res = await create({ mode: 'p2p' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'turnstile_failed' });
    expect(verifier.requests.length).toBe(before);
  });

  it('refuses a token the verifier rejects', async () => {
    const res = await create({ mode: 'p2p', turnstileToken: 'bad-token' });
    expect(res.status).toBe(403);
  });

  it('creates the room for a verified token (body or header), sending the secret but no client IP', async () => {
    expect((await create({ mode: 'p2p', turnstileToken: 'good-token' })).status).toBe(201);
    expect(
      (await create({ mode: 'support' }, { 'cf-turnstile-response': 'good-token' })).status,
    ).toBe(201);
    const last = verifier.requests.at(-1)!;
    expect(last.get('secret')).toBe('ts-secret');
    expect(last.has('remoteip')).toBe(false);
  });

  it('answers 502 when the verifier is unreachable, and creates nothing', async () => {
    const down = await startRelay({
      TURNSTILE: '1',
      TURNSTILE_SECRET_KEY: 'ts-secret',
      TURNSTILE_VERIFY_URL: 'http://127.0.0.1:9/siteverify',
      TURNSTILE_TIMEOUT_MS: '500',
    });
    try {
      const res = await fetch(`${down.baseUrl}/rooms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ turnstileToken: 'good-token' }),
      });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: 'turnstile_unavailable' });
      const rooms = (await (await fetch(`${down.baseUrl}/rooms`)).json()) as { rooms: unknown[] };
      expect(rooms.rooms).toHaveLength(0);
    } finally {
      await down.stop();
    }
  });
});
