import {
  CALL_MAX_PARTICIPANTS_LIMIT,
  DEFAULT_CALL_MAX_PARTICIPANTS,
  DEFAULT_TURN_TTL_S,
  MAX_NAMEPLATE,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_PARTICIPANTS,
  MAX_PARTICIPANTS_LIMIT,
  MIN_PARTICIPANTS,
} from '@nullroom/protocol';

/**
 * The relay's configuration: read from the environment once at boot, validated as a whole (every
 * problem reported together), and frozen. Names and defaults of the seed-000 table are a contract:
 * a site switching to Nullroom keeps its .env. Everything else is documented in docs/operations.md.
 */
export interface RelayConfig {
  readonly port: number;
  readonly host: string;
  readonly logging: boolean;
  /** TRUST_PROXY: number of reverse-proxy hops whose X-Forwarded-For is believed. */
  readonly trustProxy: number;
  /** The per-pod capacity limits (the chart's `limits.*`). */
  readonly limits: {
    /** MAX_ROOMS; 0 = unlimited. */
    readonly maxRooms: number;
    /** MAX_CONNECTIONS; 0 = unlimited. */
    readonly maxConnections: number;
  };
  readonly ui: {
    /** ADMIN_UI_DIR: the built admin dashboard served at /admin/ ('' = apps/admin/dist/browser). */
    readonly adminDir: string;
    /** WIDGET_DIR: the built widget served at /widget/ ('' = apps/widget/dist). */
    readonly widgetDir: string;
  };
  readonly metrics: {
    /** METRICS: Prometheus /metrics, and the fan-out timing behind its histogram. */
    readonly enabled: boolean;
    /** METRICS_PORT: its own listener; 0 = the internal port in a cluster, else the public one. */
    readonly port: number;
  };
  readonly auth: {
    /** ANOCHAT_API_KEY: empty means the REST API is open (seed 000). */
    readonly apiKey: string;
    /** ANOCHAT_ADMIN_KEY: empty disables the admin API. */
    readonly adminKey: string;
    readonly requireWsApiKey: boolean;
  };
  readonly rooms: {
    /** 0 = idle rooms never expire. */
    readonly maxIdleMs: number;
    readonly defaultMaxParticipants: number;
    readonly maxParticipantsLimit: number;
  };
  readonly ws: {
    readonly maxFrameBytes: number;
    readonly maxBufferedBytes: number;
    readonly maxFramesPerSec: number;
    readonly maxBytesPerSec: number;
    readonly pingIntervalMs: number;
  };
  readonly http: {
    readonly maxBodyBytes: number;
    /** CORS_ORIGINS: who may call /public-config and /rooms from a browser ('*', a list, 'none'). */
    readonly corsOrigins: '*' | ReadonlySet<string>;
  };
  readonly rateLimit: {
    readonly windowMs: number;
    /** Requests per IP per window to the REST and admin API (0 = off). */
    readonly httpMax: number;
    /** POST /rooms per IP per window (0 = off). */
    readonly roomsMax: number;
    /** WebSocket connection attempts per IP per window, sustained (0 = off). */
    readonly wsConnectMax: number;
    /** ...and at once from a quiet address: a whole room (re)connecting behind one NAT or Tor. */
    readonly wsConnectBurst: number;
    /** Code-room guest attempts (joins without a token) per IP per window (0 = off). */
    readonly codeAttemptsMax: number;
  };
  readonly codeRooms: {
    /** CODE_MAX_FAILED_ATTEMPTS: attempts a code room tolerates that end other than accepted. */
    readonly maxFailedAttempts: number;
    /** CODE_ATTEMPT_TIMEOUT_MS: how long a guest's verifier has to accept it. */
    readonly attemptTimeoutMs: number;
    /** CODE_NAMEPLATE_MAX: nameplates are handed out from 1 to this. */
    readonly nameplateMax: number;
  };
  readonly turnstile: {
    readonly enabled: boolean;
    readonly secretKey: string;
    readonly siteKey: string;
    readonly verifyUrl: string;
    readonly timeoutMs: number;
  };
  readonly cluster: {
    /** REDIS_URL set: cluster mode (Redis directory, internal port, claim and forward). */
    readonly enabled: boolean;
    readonly podName: string;
    /** 0 = no internal listener (single pod). */
    readonly internalPort: number;
    readonly internalHost: string;
    /** host:port other pods use to reach this pod's internal listener. */
    readonly podAddress: string;
    readonly redisUrl: string;
    /** REDIS_KEY_PREFIX (the chart's `cluster.keyPrefix`). */
    readonly keyPrefix: string;
    /** Keys room ids for the directory (HMAC) and authenticates pod-to-pod calls. */
    readonly secret: string;
    readonly directoryTtlMs: number;
    readonly directoryRefreshMs: number;
    readonly requestTimeoutMs: number;
  };
  readonly calls: {
    /** CALL_MAX_PARTICIPANTS: members in one room's call (a mesh); 0 = calls off. */
    readonly maxParticipants: number;
    readonly turn: {
      /** TURN_URLS: stun:/turn:/turns: URLs handed to call members; empty = none (no third party). */
      readonly urls: readonly string[];
      /** TURN_SECRET: coturn's static-auth-secret; signs the expiring credentials. */
      readonly secret: string;
      /** TURN_TTL_S: how long a credential is valid. */
      readonly ttlS: number;
    };
  };
  readonly drain: {
    /** Time between SIGTERM (unready) and closing members with 1012. */
    readonly graceMs: number;
    /** Members are told to reconnect after a random delay in [0, jitterMs). */
    readonly reconnectJitterMs: number;
    /** After this long, remaining sockets are cut and the process exits anyway. */
    readonly timeoutMs: number;
    /** Cluster: how long a drained pod keeps answering claims for its now-empty rooms. */
    readonly handoffMs: number;
  };
}

type Env = Readonly<Record<string, string | undefined>>;

export type ConfigResult =
  | { readonly ok: true; readonly config: RelayConfig }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Every variable the relay reads, with its default, in the order docs/operations.md lists them
 * (its tables: seed 000, Nullroom, code rooms, cluster). apps/relay/test/docs.spec.ts checks both.
 */
export const CONFIG_DEFAULTS = {
  // Seed 000 (the contract: same names, same defaults).
  PORT: '8765',
  ANOCHAT_API_KEY: '',
  ANOCHAT_ADMIN_KEY: '',
  REQUIRE_WS_API_KEY: '0',
  MAX_ROOMS: '1000',
  ROOM_MAX_IDLE_MS: '14400000',
  TRUST_PROXY: '0',
  LOGGING: '1',
  TURNSTILE: '0',
  TURNSTILE_SECRET_KEY: '',
  TURNSTILE_SITE_KEY: '',
  // Nullroom.
  HOST: '0.0.0.0',
  MAX_PARTICIPANTS_DEFAULT: String(DEFAULT_MAX_PARTICIPANTS),
  MAX_PARTICIPANTS_LIMIT: String(MAX_PARTICIPANTS_LIMIT),
  WS_MAX_FRAME_BYTES: String(DEFAULT_MAX_FRAME_BYTES),
  WS_MAX_BUFFERED_BYTES: String(4 * 1024 * 1024),
  WS_MAX_FRAMES_PER_SEC: '200',
  WS_MAX_BYTES_PER_SEC: String(4 * 1024 * 1024),
  MAX_CONNECTIONS: '10000',
  WS_PING_INTERVAL_MS: '30000',
  HTTP_MAX_BODY_BYTES: '16384',
  RATE_LIMIT_WINDOW_MS: '60000',
  RATE_LIMIT_HTTP_MAX: '300',
  RATE_LIMIT_ROOMS_MAX: '30',
  RATE_LIMIT_WS_CONNECT_MAX: '120',
  RATE_LIMIT_WS_CONNECT_BURST: '300',
  TURNSTILE_VERIFY_URL: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  TURNSTILE_TIMEOUT_MS: '5000',
  DRAIN_GRACE_MS: '3000',
  DRAIN_RECONNECT_JITTER_MS: '2000',
  DRAIN_TIMEOUT_MS: '10000',
  METRICS: '1',
  METRICS_PORT: '0',
  ADMIN_UI_DIR: '',
  WIDGET_DIR: '',
  CORS_ORIGINS: '*',
  // Calls.
  CALL_MAX_PARTICIPANTS: String(DEFAULT_CALL_MAX_PARTICIPANTS),
  TURN_URLS: '',
  TURN_SECRET: '',
  TURN_TTL_S: String(DEFAULT_TURN_TTL_S),
  // Code rooms.
  CODE_MAX_FAILED_ATTEMPTS: '3',
  CODE_ATTEMPT_TIMEOUT_MS: '15000',
  CODE_NAMEPLATE_MAX: '9999',
  RATE_LIMIT_CODE_ATTEMPTS_MAX: '10',
  // Cluster.
  REDIS_URL: '',
  REDIS_KEY_PREFIX: 'nullroom:',
  CLUSTER_SECRET: '',
  POD_NAME: '',
  INTERNAL_PORT: '0',
  INTERNAL_HOST: '',
  POD_ADDRESS: '',
  DIRECTORY_TTL_MS: '15000',
  DIRECTORY_REFRESH_MS: '5000',
  CLUSTER_REQUEST_TIMEOUT_MS: '1500',
  DRAIN_HANDOFF_MS: '5000',
} as const satisfies Record<string, string>;

type Key = keyof typeof CONFIG_DEFAULTS;

/** Variables whose values must never be echoed in an error message. */
const SECRETS: ReadonlySet<Key> = new Set([
  'ANOCHAT_API_KEY',
  'ANOCHAT_ADMIN_KEY',
  'TURNSTILE_SECRET_KEY',
  'TURN_SECRET',
]);

export function loadConfig(env: Env, hostname = 'relay'): ConfigResult {
  const errors: string[] = [];
  const raw = (key: Key): string => {
    const value = env[key];
    return value === undefined || value === '' ? CONFIG_DEFAULTS[key] : value;
  };
  const show = (key: Key): string => (SECRETS.has(key) ? '(hidden)' : JSON.stringify(raw(key)));

  const int = (key: Key, min: number, max: number): number => {
    const text = raw(key).trim();
    const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      errors.push(`${key} must be an integer from ${min} to ${max} (got ${show(key)})`);
      return Number(CONFIG_DEFAULTS[key]);
    }
    return value;
  };
  const bool = (key: Key): boolean => {
    const text = raw(key).trim().toLowerCase();
    if (text === '1' || text === 'true') return true;
    if (text === '0' || text === 'false') return false;
    errors.push(`${key} must be 0 or 1 (got ${show(key)})`);
    return CONFIG_DEFAULTS[key] === '1';
  };
  const url = (key: Key): string => {
    const text = raw(key).trim();
    try {
      const parsed = new URL(text);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return text;
    } catch {
      // reported below
    }
    errors.push(`${key} must be an http(s) URL (got ${show(key)})`);
    return CONFIG_DEFAULTS[key];
  };
  const secret = (key: Key): string => {
    const value = raw(key);
    if (value !== value.trim()) errors.push(`${key} has leading or trailing whitespace`);
    return value;
  };

  const maxParticipantsLimit = int(
    'MAX_PARTICIPANTS_LIMIT',
    MIN_PARTICIPANTS,
    MAX_PARTICIPANTS_LIMIT,
  );
  const defaultMaxParticipants = int(
    'MAX_PARTICIPANTS_DEFAULT',
    MIN_PARTICIPANTS,
    MAX_PARTICIPANTS_LIMIT,
  );
  if (defaultMaxParticipants > maxParticipantsLimit) {
    errors.push(
      `MAX_PARTICIPANTS_DEFAULT (${defaultMaxParticipants}) must not exceed MAX_PARTICIPANTS_LIMIT (${maxParticipantsLimit})`,
    );
  }
  const turnstileEnabled = bool('TURNSTILE');
  const turnstileSecret = secret('TURNSTILE_SECRET_KEY');
  if (turnstileEnabled && turnstileSecret === '') {
    errors.push('TURNSTILE=1 needs TURNSTILE_SECRET_KEY');
  }
  const apiKey = secret('ANOCHAT_API_KEY');
  const requireWsApiKey = bool('REQUIRE_WS_API_KEY');
  if (requireWsApiKey && apiKey === '') {
    errors.push('REQUIRE_WS_API_KEY=1 needs ANOCHAT_API_KEY');
  }
  const host = raw('HOST').trim();
  if (host === '') errors.push('HOST must not be empty');

  const redisUrl = raw('REDIS_URL').trim();
  if (redisUrl !== '' && !/^rediss?:\/\//.test(redisUrl)) {
    errors.push('REDIS_URL must start with redis:// or rediss://');
  }
  const clusterEnabled = redisUrl !== '';
  const internalPort = int('INTERNAL_PORT', 0, 65535);
  const clusterSecret = secret('CLUSTER_SECRET');
  if (clusterEnabled) {
    if (internalPort === 0) errors.push('REDIS_URL (cluster mode) needs INTERNAL_PORT');
    if (Buffer.byteLength(clusterSecret) < 16) {
      errors.push('REDIS_URL (cluster mode) needs CLUSTER_SECRET of at least 16 bytes');
    }
  }
  const podName = raw('POD_NAME').trim() || hostname;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(podName)) {
    errors.push(`POD_NAME must be a DNS-style name (got ${JSON.stringify(podName)})`);
  }
  const internalHost = raw('INTERNAL_HOST').trim() || host;
  const advertisedHost =
    internalHost === '0.0.0.0' || internalHost === '::' ? '127.0.0.1' : internalHost;
  const podAddress = raw('POD_ADDRESS').trim() || `${advertisedHost}:${internalPort}`;
  const directoryTtlMs = int('DIRECTORY_TTL_MS', 1000, 3_600_000);
  const directoryRefreshMs = int('DIRECTORY_REFRESH_MS', 100, 3_600_000);
  if (directoryRefreshMs * 2 > directoryTtlMs) {
    errors.push('DIRECTORY_REFRESH_MS must be at most half of DIRECTORY_TTL_MS');
  }

  const corsOrigins = parseCorsOrigins(raw('CORS_ORIGINS'));
  if (corsOrigins !== '*') {
    for (const origin of corsOrigins) {
      if (!/^https?:\/\/[^/\s?#]+$/.test(origin)) {
        errors.push(
          `CORS_ORIGINS must be *, none, or origins like https://example.com (got ${JSON.stringify(origin)})`,
        );
      }
    }
  }

  const callMaxParticipants = int('CALL_MAX_PARTICIPANTS', 0, CALL_MAX_PARTICIPANTS_LIMIT);
  if (callMaxParticipants === 1) {
    errors.push('CALL_MAX_PARTICIPANTS must be 0 (calls off) or at least 2');
  }
  const turnUrls = parseTurnUrls(raw('TURN_URLS'));
  for (const bad of turnUrls.filter((u) => !TURN_URL.test(u))) {
    errors.push(
      `TURN_URLS must be a comma-separated list of stun:, turn: or turns: URLs (got ${JSON.stringify(bad)})`,
    );
  }
  const turnSecret = secret('TURN_SECRET');
  const relaying = turnUrls.some((u) => /^turns?:/.test(u));
  if (relaying && turnSecret === '') {
    errors.push('TURN_URLS with a turn: or turns: URL needs TURN_SECRET');
  }
  if (turnSecret !== '' && !relaying) {
    errors.push('TURN_SECRET is set but TURN_URLS names no turn: or turns: URL');
  }
  if (turnSecret !== '' && Buffer.byteLength(turnSecret) < 16) {
    errors.push('TURN_SECRET must be at least 16 bytes');
  }

  const config: RelayConfig = {
    port: int('PORT', 0, 65535),
    host,
    logging: bool('LOGGING'),
    trustProxy: int('TRUST_PROXY', 0, 10),
    limits: {
      maxRooms: int('MAX_ROOMS', 0, 10_000_000),
      maxConnections: int('MAX_CONNECTIONS', 0, 10_000_000),
    },
    metrics: { enabled: bool('METRICS'), port: int('METRICS_PORT', 0, 65535) },
    ui: { adminDir: raw('ADMIN_UI_DIR').trim(), widgetDir: raw('WIDGET_DIR').trim() },
    auth: {
      apiKey,
      adminKey: secret('ANOCHAT_ADMIN_KEY'),
      requireWsApiKey,
    },
    rooms: {
      maxIdleMs: int('ROOM_MAX_IDLE_MS', 0, 365 * 24 * 3600 * 1000),
      defaultMaxParticipants,
      maxParticipantsLimit,
    },
    ws: {
      maxFrameBytes: int('WS_MAX_FRAME_BYTES', 1024, 64 * 1024 * 1024),
      maxBufferedBytes: int('WS_MAX_BUFFERED_BYTES', 1024, 1024 * 1024 * 1024),
      maxFramesPerSec: int('WS_MAX_FRAMES_PER_SEC', 1, 1_000_000),
      maxBytesPerSec: int('WS_MAX_BYTES_PER_SEC', 1024, 1024 * 1024 * 1024),
      pingIntervalMs: int('WS_PING_INTERVAL_MS', 1000, 3_600_000),
    },
    http: {
      maxBodyBytes: int('HTTP_MAX_BODY_BYTES', 256, 1024 * 1024),
      corsOrigins,
    },
    rateLimit: {
      windowMs: int('RATE_LIMIT_WINDOW_MS', 1000, 24 * 3600 * 1000),
      httpMax: int('RATE_LIMIT_HTTP_MAX', 0, 10_000_000),
      roomsMax: int('RATE_LIMIT_ROOMS_MAX', 0, 10_000_000),
      wsConnectMax: int('RATE_LIMIT_WS_CONNECT_MAX', 0, 10_000_000),
      wsConnectBurst: int('RATE_LIMIT_WS_CONNECT_BURST', 1, 10_000_000),
      codeAttemptsMax: int('RATE_LIMIT_CODE_ATTEMPTS_MAX', 0, 10_000_000),
    },
    codeRooms: {
      maxFailedAttempts: int('CODE_MAX_FAILED_ATTEMPTS', 1, 100),
      attemptTimeoutMs: int('CODE_ATTEMPT_TIMEOUT_MS', 1000, 600_000),
      nameplateMax: int('CODE_NAMEPLATE_MAX', 9, MAX_NAMEPLATE),
    },
    turnstile: {
      enabled: turnstileEnabled,
      secretKey: turnstileSecret,
      siteKey: raw('TURNSTILE_SITE_KEY').trim(),
      verifyUrl: url('TURNSTILE_VERIFY_URL'),
      timeoutMs: int('TURNSTILE_TIMEOUT_MS', 100, 60_000),
    },
    calls: {
      maxParticipants: callMaxParticipants,
      turn: {
        urls: turnUrls,
        secret: turnSecret,
        ttlS: int('TURN_TTL_S', 60, 7 * 24 * 3600),
      },
    },
    drain: {
      graceMs: int('DRAIN_GRACE_MS', 0, 600_000),
      reconnectJitterMs: int('DRAIN_RECONNECT_JITTER_MS', 0, 600_000),
      timeoutMs: int('DRAIN_TIMEOUT_MS', 100, 600_000),
      handoffMs: int('DRAIN_HANDOFF_MS', 0, 600_000),
    },
    cluster: {
      enabled: clusterEnabled,
      podName,
      internalPort,
      internalHost,
      podAddress,
      redisUrl,
      keyPrefix: raw('REDIS_KEY_PREFIX').trim(),
      secret: clusterSecret,
      directoryTtlMs,
      directoryRefreshMs,
      requestTimeoutMs: int('CLUSTER_REQUEST_TIMEOUT_MS', 50, 60_000),
    },
  };
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: deepFreeze(config) };
}

/**
 * CORS_ORIGINS: `*` any site, a comma-separated list of origins
 * (`https://a.example, https://b.example`), or `none` (same-origin only).
 */
export function parseCorsOrigins(value: string): '*' | ReadonlySet<string> {
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  if (trimmed.toLowerCase() === 'none') return new Set();
  return new Set(
    trimmed
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter((o) => o !== ''),
  );
}

/** A STUN or TURN server URI (RFC 7064, RFC 7065): scheme, host, optional port and transport. */
const TURN_URL =
  /^(?:stuns?|turns?):(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?(?:\?transport=(?:udp|tcp))?$/;

/** TURN_URLS: comma-separated, blanks ignored. */
export function parseTurnUrls(value: string): string[] {
  return value
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}

/** Injection token for the frozen config object. */
export const RELAY_CONFIG = Symbol('RELAY_CONFIG');
