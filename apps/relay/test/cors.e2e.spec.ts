import { type RelayProcess, startRelay } from './support/relay-process';

const ADMIN_KEY = 'cors-admin-key-0123456789';

/** A widget on another site calls /public-config and /rooms from the browser (CORS_ORIGINS). */
describe('cross-origin calls from embedding sites', () => {
  let open: RelayProcess;
  let listed: RelayProcess;
  let none: RelayProcess;

  beforeAll(async () => {
    [open, listed, none] = await Promise.all([
      startRelay({ ANOCHAT_ADMIN_KEY: ADMIN_KEY }),
      startRelay({ CORS_ORIGINS: 'https://shop.example, https://help.example/' }),
      startRelay({ CORS_ORIGINS: 'none' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open, listed, none].map((r) => r?.stop()));
  });

  const preflight = (base: string, path: string, origin: string) =>
    fetch(`${base}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });

  it('by default any site may read public-config, create a room and close it with its token', async () => {
    const pre = await preflight(open.baseUrl, '/rooms', 'https://shop.example');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-join-token');
    const origin = { origin: 'https://shop.example' };
    const config = await fetch(`${open.baseUrl}/public-config`, { headers: origin });
    expect(config.headers.get('access-control-allow-origin')).toBe('*');
    const created = await fetch(`${open.baseUrl}/rooms`, {
      method: 'POST',
      headers: { ...origin, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'p2p' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe('*');
    const { roomId, joinToken } = (await created.json()) as { roomId: string; joinToken: string };
    const closed = await fetch(`${open.baseUrl}/rooms/${roomId}`, {
      method: 'DELETE',
      headers: { ...origin, 'x-join-token': joinToken },
    });
    expect(closed.status).toBe(200);
    expect(closed.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('never opens the admin API or the probes to other sites', async () => {
    for (const path of ['/admin/api/health', '/health', '/ready']) {
      const res = await fetch(`${open.baseUrl}${path}`, {
        headers: { origin: 'https://evil.example', 'x-admin-key': ADMIN_KEY },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    const pre = await preflight(open.baseUrl, '/admin/api/rooms/x', 'https://evil.example');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('with a list, answers listed origins only, and varies on Origin', async () => {
    const ok = await fetch(`${listed.baseUrl}/public-config`, {
      headers: { origin: 'https://help.example' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://help.example');
    expect(ok.headers.get('vary')).toMatch(/origin/i);
    const other = await fetch(`${listed.baseUrl}/public-config`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await preflight(listed.baseUrl, '/rooms', 'https://evil.example');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('CORS_ORIGINS=none keeps everything same-origin', async () => {
    const res = await fetch(`${none.baseUrl}/public-config`, {
      headers: { origin: 'https://shop.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
