import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DEFAULTS, loadConfig, type RelayConfig } from './config';

/**
 * Every variable, a value different from its default (consistent with the others, so the whole
 * set is valid), and where it must arrive. A variable the loader never reads, or reads into the
 * wrong place, fails here; a new variable without a row fails the coverage check.
 */
const EVERY_VARIABLE: Record<
  keyof typeof CONFIG_DEFAULTS,
  [string, (c: RelayConfig) => unknown, unknown]
> = {
  PORT: ['9001', (c) => c.port, 9001],
  ANOCHAT_API_KEY: ['api-key-0123456789', (c) => c.auth.apiKey, 'api-key-0123456789'],
  ANOCHAT_ADMIN_KEY: ['admin-key-0123456789', (c) => c.auth.adminKey, 'admin-key-0123456789'],
  REQUIRE_WS_API_KEY: ['1', (c) => c.auth.requireWsApiKey, true],
  MAX_ROOMS: ['77', (c) => c.limits.maxRooms, 77],
  ROOM_MAX_IDLE_MS: ['60000', (c) => c.rooms.maxIdleMs, 60_000],
  TRUST_PROXY: ['2', (c) => c.trustProxy, 2],
  LOGGING: ['0', (c) => c.logging, false],
  TURNSTILE: ['1', (c) => c.turnstile.enabled, true],
  TURNSTILE_SECRET_KEY: ['ts-secret', (c) => c.turnstile.secretKey, 'ts-secret'],
  TURNSTILE_SITE_KEY: ['ts-site', (c) => c.turnstile.siteKey, 'ts-site'],
  HOST: ['127.0.0.2', (c) => c.host, '127.0.0.2'],
  MAX_PARTICIPANTS_DEFAULT: ['7', (c) => c.rooms.defaultMaxParticipants, 7],
  MAX_PARTICIPANTS_LIMIT: ['99', (c) => c.rooms.maxParticipantsLimit, 99],
  WS_MAX_FRAME_BYTES: ['2048', (c) => c.ws.maxFrameBytes, 2048],
  WS_MAX_BUFFERED_BYTES: ['4096', (c) => c.ws.maxBufferedBytes, 4096],
  WS_MAX_FRAMES_PER_SEC: ['12', (c) => c.ws.maxFramesPerSec, 12],
  WS_MAX_BYTES_PER_SEC: ['8192', (c) => c.ws.maxBytesPerSec, 8192],
  MAX_CONNECTIONS: ['55', (c) => c.limits.maxConnections, 55],
  WS_PING_INTERVAL_MS: ['4000', (c) => c.ws.pingIntervalMs, 4000],
  HTTP_MAX_BODY_BYTES: ['1024', (c) => c.http.maxBodyBytes, 1024],
  RATE_LIMIT_WINDOW_MS: ['5000', (c) => c.rateLimit.windowMs, 5000],
  RATE_LIMIT_HTTP_MAX: ['11', (c) => c.rateLimit.httpMax, 11],
  RATE_LIMIT_ROOMS_MAX: ['3', (c) => c.rateLimit.roomsMax, 3],
  RATE_LIMIT_WS_CONNECT_MAX: ['4', (c) => c.rateLimit.wsConnectMax, 4],
  RATE_LIMIT_WS_CONNECT_BURST: ['9', (c) => c.rateLimit.wsConnectBurst, 9],
  TURNSTILE_VERIFY_URL: [
    'http://127.0.0.1:9/verify',
    (c) => c.turnstile.verifyUrl,
    'http://127.0.0.1:9/verify',
  ],
  TURNSTILE_TIMEOUT_MS: ['250', (c) => c.turnstile.timeoutMs, 250],
  DRAIN_GRACE_MS: ['10', (c) => c.drain.graceMs, 10],
  DRAIN_RECONNECT_JITTER_MS: ['20', (c) => c.drain.reconnectJitterMs, 20],
  DRAIN_TIMEOUT_MS: ['300', (c) => c.drain.timeoutMs, 300],
  METRICS: ['0', (c) => c.metrics.enabled, false],
  METRICS_PORT: ['9100', (c) => c.metrics.port, 9100],
  ADMIN_UI_DIR: ['/srv/admin', (c) => c.ui.adminDir, '/srv/admin'],
  WIDGET_DIR: ['/srv/widget', (c) => c.ui.widgetDir, '/srv/widget'],
  CORS_ORIGINS: [
    'https://a.example',
    (c) => [...(c.http.corsOrigins as Set<string>)],
    ['https://a.example'],
  ],
  CODE_MAX_FAILED_ATTEMPTS: ['5', (c) => c.codeRooms.maxFailedAttempts, 5],
  CODE_ATTEMPT_TIMEOUT_MS: ['9000', (c) => c.codeRooms.attemptTimeoutMs, 9000],
  CODE_NAMEPLATE_MAX: ['500', (c) => c.codeRooms.nameplateMax, 500],
  RATE_LIMIT_CODE_ATTEMPTS_MAX: ['6', (c) => c.rateLimit.codeAttemptsMax, 6],
  CALL_MAX_PARTICIPANTS: ['4', (c) => c.calls.maxParticipants, 4],
  TURN_URLS: ['turn:turn.example:3478', (c) => c.calls.turn.urls, ['turn:turn.example:3478']],
  TURN_SECRET: ['turn-secret-0123456789', (c) => c.calls.turn.secret, 'turn-secret-0123456789'],
  TURN_TTL_S: ['600', (c) => c.calls.turn.ttlS, 600],
  REDIS_URL: [
    'redis://redis:6380',
    (c) => [c.cluster.enabled, c.cluster.redisUrl],
    [true, 'redis://redis:6380'],
  ],
  REDIS_KEY_PREFIX: ['{nr}:', (c) => c.cluster.keyPrefix, '{nr}:'],
  CLUSTER_SECRET: [
    'cluster-secret-0123456789',
    (c) => c.cluster.secret,
    'cluster-secret-0123456789',
  ],
  POD_NAME: ['pod-7', (c) => c.cluster.podName, 'pod-7'],
  INTERNAL_PORT: ['9002', (c) => c.cluster.internalPort, 9002],
  INTERNAL_HOST: ['10.1.2.3', (c) => c.cluster.internalHost, '10.1.2.3'],
  POD_ADDRESS: ['10.9.9.9:9002', (c) => c.cluster.podAddress, '10.9.9.9:9002'],
  DIRECTORY_TTL_MS: ['6000', (c) => c.cluster.directoryTtlMs, 6000],
  DIRECTORY_REFRESH_MS: ['1500', (c) => c.cluster.directoryRefreshMs, 1500],
  CLUSTER_REQUEST_TIMEOUT_MS: ['700', (c) => c.cluster.requestTimeoutMs, 700],
  DRAIN_HANDOFF_MS: ['900', (c) => c.drain.handoffMs, 900],
};

describe('loadConfig', () => {
  it('gives the seed-000 defaults for an empty environment', () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error(result.errors.join());
    const c = result.config;
    expect(c.port).toBe(8765);
    expect(c.logging).toBe(true);
    expect(c.auth).toEqual({ apiKey: '', adminKey: '', requireWsApiKey: false });
    expect(c.limits.maxRooms).toBe(1000);
    expect(c.limits.maxConnections).toBe(10_000);
    expect(c.rooms.maxIdleMs).toBe(14_400_000);
    expect(c.rooms.defaultMaxParticipants).toBe(16);
    expect(c.rooms.maxParticipantsLimit).toBe(256);
    expect(c.trustProxy).toBe(0);
    expect(c.turnstile.enabled).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.ws)).toBe(true);
  });

  it('treats empty strings as unset (as .env files write them)', () => {
    const result = loadConfig({ PORT: '', MAX_ROOMS: '' });
    expect(result.ok && result.config.port).toBe(8765);
  });

  it('reads every variable it documents: each set to a non-default value arrives where it belongs', () => {
    const rows = Object.entries(EVERY_VARIABLE);
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(CONFIG_DEFAULTS).sort());
    const env = Object.fromEntries(rows.map(([name, [value]]) => [name, value]));
    for (const [name, [value]] of rows)
      expect([name, value]).not.toEqual([
        name,
        CONFIG_DEFAULTS[name as keyof typeof CONFIG_DEFAULTS],
      ]);
    const loaded = loadConfig(env);
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    for (const [name, [, read, expected]] of rows)
      expect([name, read(loaded.config)]).toEqual([name, expected]);
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

  it('reads the call settings: no STUN/TURN server by default, credentials only with a secret', () => {
    const none = loadConfig({});
    expect(none.ok && none.config.calls).toEqual({
      maxParticipants: 8,
      turn: { urls: [], secret: '', ttlS: 3600 },
    });
    const turn = loadConfig({
      TURN_URLS: ' turn:turn.example:3478?transport=udp, turns:turn.example:5349 ,stun:[::1]:3478',
      TURN_SECRET: 'a-shared-secret-0123456789',
      TURN_TTL_S: '600',
      CALL_MAX_PARTICIPANTS: '4',
    });
    expect(turn.ok && turn.config.calls).toEqual({
      maxParticipants: 4,
      turn: {
        urls: [
          'turn:turn.example:3478?transport=udp',
          'turns:turn.example:5349',
          'stun:[::1]:3478',
        ],
        secret: 'a-shared-secret-0123456789',
        ttlS: 600,
      },
    });
    const off = loadConfig({ CALL_MAX_PARTICIPANTS: '0' });
    expect(off.ok && off.config.calls.maxParticipants).toBe(0);
  });

  it.each([
    [{ TURN_URLS: 'turn:turn.example' }, 'TURN_URLS with a turn: or turns: URL needs TURN_SECRET'],
    [
      { TURN_URLS: 'stun:turn.example', TURN_SECRET: 'a-shared-secret-0123456789' },
      'TURN_SECRET is set but TURN_URLS names no turn: or turns: URL',
    ],
    [
      { TURN_URLS: 'turn:t.example', TURN_SECRET: 'short' },
      'TURN_SECRET must be at least 16 bytes',
    ],
    [
      { TURN_URLS: 'https://turn.example/' },
      'TURN_URLS must be a comma-separated list of stun:, turn: or turns: URLs (got "https://turn.example/")',
    ],
    [{ TURN_TTL_S: '5' }, 'TURN_TTL_S must be an integer from 60 to 604800 (got "5")'],
    [{ CALL_MAX_PARTICIPANTS: '1' }, 'CALL_MAX_PARTICIPANTS must be 0 (calls off) or at least 2'],
    [
      { CALL_MAX_PARTICIPANTS: '33' },
      'CALL_MAX_PARTICIPANTS must be an integer from 0 to 32 (got "33")',
    ],
  ])('refuses inconsistent call settings %j', (env, error) => {
    const result = loadConfig(env);
    expect(!result.ok && result.errors).toEqual([error]);
  });

  it('never echoes a secret value', () => {
    const result = loadConfig({ ANOCHAT_ADMIN_KEY: ' padded-secret ' });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('padded-secret');
    const turn = loadConfig({ TURN_URLS: 'turn:t.example', TURN_SECRET: ' turn-secret-padded ' });
    expect(turn.ok).toBe(false);
    expect(JSON.stringify(turn)).not.toContain('turn-secret-padded');
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
