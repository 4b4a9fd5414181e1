import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header carrying `<time>.<nonce>.<mac>` on every pod-to-pod request (docs/architecture.md). */
export const CLUSTER_AUTH_HEADER = 'x-nullroom-cluster';

/** A request whose time is further than this from the receiver's clock is refused. */
export const MAX_SKEW_MS = 30_000;

/** First line of the signed text: a new scheme gets a new name, never a reinterpretation. */
const SCHEME = 'nullroom-cluster-v1';

const HEADER_PATTERN = /^(\d{1,16})\.([0-9a-f]{32})\.([0-9a-f]{64})$/;

/**
 * Authenticates every request on the internal port, as a whole (issue 17): an HMAC-SHA256 under
 * the cluster secret over the scheme, the time, a random nonce, the method, the request target
 * (path and query, as sent) and the SHA-256 of the body. A request is refused when the MAC is
 * wrong, its time is more than ±30 s off, or its nonce was already seen inside that window — so a
 * captured request can be neither altered nor replayed. The exact construction, precise enough to
 * build a signature from it, is in docs/architecture.md ("Pod-to-pod requests").
 *
 * The internal port should also be closed to everything but the pods (NetworkPolicy); this is the
 * second lock, not the only one.
 */
export class ClusterAuth {
  readonly #key: Buffer;
  readonly #seen = new NonceWindow();

  constructor(
    secret: string,
    private readonly clock: { now(): number } = { now: () => Date.now() },
  ) {
    this.#key = Buffer.from(`nullroom-internal:${secret}`, 'utf8');
  }

  /** The header value for one request. `target` is the path with its query, exactly as sent. */
  sign(method: string, target: string, body: string | Uint8Array = ''): string {
    const time = this.clock.now();
    const nonce = randomBytes(16).toString('hex');
    return `${time}.${nonce}.${this.#mac(time, nonce, method, target, body)}`;
  }

  /**
   * A cheap first look, before the body is read: the header is well formed and its time is
   * inside the window. `verify` still decides.
   */
  plausible(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    const match = HEADER_PATTERN.exec(header);
    return match !== null && Math.abs(this.clock.now() - Number(match[1])) <= MAX_SKEW_MS;
  }

  /** True for an authentic, fresh, first-seen request. Never throws. */
  verify(
    header: string | string[] | undefined,
    method: string,
    target: string,
    body: string | Uint8Array = '',
  ): boolean {
    if (typeof header !== 'string') return false;
    const match = HEADER_PATTERN.exec(header);
    if (match === null) return false;
    const [, timeText, nonce, mac] = match as unknown as [string, string, string, string];
    const time = Number(timeText);
    const now = this.clock.now();
    if (!Number.isSafeInteger(time) || Math.abs(now - time) > MAX_SKEW_MS) return false;
    const expected = Buffer.from(this.#mac(time, nonce, method, target, body), 'hex');
    if (!timingSafeEqual(Buffer.from(mac, 'hex'), expected)) return false;
    // Only an authentic request may take a place in the window: forgeries can't fill it.
    return this.#seen.firstTime(nonce, now);
  }

  #mac(
    time: number,
    nonce: string,
    method: string,
    target: string,
    body: string | Uint8Array,
  ): string {
    const bodyHash = createHash('sha256').update(body).digest('hex');
    return createHmac('sha256', this.#key)
      .update([SCHEME, String(time), nonce, method.toUpperCase(), target, bodyHash].join('\n'))
      .digest('hex');
  }
}

/**
 * Nonces seen in the last 2 × MAX_SKEW_MS or more, in two generations that rotate: a nonce is
 * remembered at least as long as a request carrying it could still pass the time check. No timer:
 * rotation happens on use.
 */
class NonceWindow {
  private current = new Set<string>();
  private previous = new Set<string>();
  private since = -Infinity;

  firstTime(nonce: string, now: number): boolean {
    const span = 2 * MAX_SKEW_MS;
    if (now - this.since >= 2 * span) {
      this.previous = new Set();
      this.current = new Set();
      this.since = now;
    } else if (now - this.since >= span) {
      this.previous = this.current;
      this.current = new Set();
      this.since = now;
    }
    if (this.current.has(nonce) || this.previous.has(nonce)) return false;
    this.current.add(nonce);
    return true;
  }
}
