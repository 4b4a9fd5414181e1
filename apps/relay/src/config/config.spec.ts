import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DEFAULTS, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the seed-000 defaults for an empty environment', () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error(result.errors.join());
    const c = result.config;
    expect(c.port).toBe(8765);
    expect(c.logging).toBe(true);
    expect(c.auth).toEqual({ apiKey: '', adminKey: '', requireWsApiKey: false });
    expect(c.rooms.maxRooms).toBe(1000);
    expect(c.rooms.maxIdleMs).toBe(14_400_000);
    expect(c.rooms.defaultMaxParticipants).toBe(16);
    expect(c.rooms.maxParticipantsLimit).toBe(256);
    expect(c.http.trustProxyHops).toBe(0);
    expect(c.turnstile.enabled).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.ws)).toBe(true);
  });

  it('treats empty strings as unset (as .env files write them)', () => {
    const result = loadConfig({ PORT: '', MAX_ROOMS: '' });
    expect(result.ok && result.config.port).toBe(8765);
  });

  it('reads every variable it documents', () => {
    const env = Object.fromEntries(
      Object.keys(CONFIG_DEFAULTS).map((k) => [
        k,
        CONFIG_DEFAULTS[k as keyof typeof CONFIG_DEFAULTS],
      ]),
    );
    expect(loadConfig(env).ok).toBe(true);
  });

  it('collects every error and names each variable', () => {
    const result = loadConfig({
      PORT: '70000',
      LOGGING: 'yes',
      WS_MAX_FRAME_BYTES: '1.5',
      TURNSTILE_VERIFY_URL: 'ftp://x',
      MAX_PARTICIPANTS_DEFAULT: '200',
      MAX_PARTICIPANTS_LIMIT: '100',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.errors.join('\n');
    for (const name of [
      'PORT',
      'LOGGING',
      'WS_MAX_FRAME_BYTES',
      'TURNSTILE_VERIFY_URL',
      'MAX_PARTICIPANTS_DEFAULT',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('reads CORS_ORIGINS as *, none, or a list of origins, and refuses anything else', () => {
    const list = loadConfig({ CORS_ORIGINS: 'https://a.example, http://b.example:8080/' });
    expect(list.ok && [...(list.config.http.corsOrigins as Set<string>)]).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
    const none = loadConfig({ CORS_ORIGINS: 'none' });
    expect(none.ok && (none.config.http.corsOrigins as Set<string>).size).toBe(0);
    const all = loadConfig({});
    expect(all.ok && all.config.http.corsOrigins).toBe('*');
    const bad = loadConfig({ CORS_ORIGINS: 'https://a.example/path, shop.example' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join()).toContain('CORS_ORIGINS');
  });

  it('requires the secrets that switched-on features need', () => {
    const r1 = loadConfig({ TURNSTILE: '1' });
    expect(!r1.ok && r1.errors).toEqual(['TURNSTILE=1 needs TURNSTILE_SECRET_KEY']);
    const r2 = loadConfig({ REQUIRE_WS_API_KEY: '1' });
    expect(!r2.ok && r2.errors).toEqual(['REQUIRE_WS_API_KEY=1 needs ANOCHAT_API_KEY']);
  });

  it('never echoes a secret value', () => {
    const result = loadConfig({ ANOCHAT_ADMIN_KEY: ' padded-secret ' });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('padded-secret');
  });
});

describe('.env.example', () => {
  const file = readFileSync(join(__dirname, '../../../../.env.example'), 'utf8');
  const lines = file.split('\n');
  /** `KEY=value` or `# KEY=value`, with the line above it (the one-line meaning). */
  const entries = lines.flatMap((line, i) => {
    const m = /^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return m ? [{ key: m[1]!, value: m[2]!, above: lines[i - 1] ?? '' }] : [];
  });

  it('lists every setting once, with its default and a line of meaning', () => {
    for (const [key, value] of Object.entries(CONFIG_DEFAULTS)) {
      const found = entries.filter((e) => e.key === key);
      expect({ key, count: found.length }).toEqual({ key, count: 1 });
      expect({ key, value: found[0]!.value }).toEqual({ key, value });
      expect({ key, meaning: /^# \S.{8,}$/.test(found[0]!.above) }).toEqual({
        key,
        meaning: true,
      });
    }
  });

  it('names nothing the relay does not read, and loads as it stands', () => {
    for (const { key } of entries) {
      expect({ key, known: key in CONFIG_DEFAULTS || key.startsWith('OTEL_') }).toEqual({
        key,
        known: true,
      });
    }
    // Copied unedited, it is a valid configuration: the seed-000 defaults.
    const env = Object.fromEntries(entries.map((e) => [e.key, e.value]));
    expect(loadConfig(env).ok).toBe(true);
  });
});
