import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `<unix ms>.<hex HMAC>` on every pod-to-pod request. */
export const CLUSTER_AUTH_HEADER = 'x-nullroom-cluster';

/** Requests older or newer than this are refused, so a captured header can't be replayed later. */
const MAX_SKEW_MS = 30_000;

/**
 * Authenticates calls on the internal port with the cluster secret: an HMAC over the time, the
 * method and the path (query included), so a header captured for one request is useless for
 * another. The internal port should also be closed to everything but the pods (NetworkPolicy);
 * this is the second lock, not the only one.
 */
export class ClusterAuth {
  readonly #secret: Buffer;

  constructor(secret: string) {
    this.#secret = Buffer.from(`nullroom-internal:${secret}`);
  }

  sign(method: string, path: string, now = Date.now()): string {
    return `${now}.${this.#mac(now, method, path)}`;
  }

  verify(
    header: string | string[] | undefined,
    method: string,
    path: string,
    now = Date.now(),
  ): boolean {
    if (typeof header !== 'string') return false;
    const dot = header.indexOf('.');
    if (dot <= 0) return false;
    const time = Number(header.slice(0, dot));
    if (!Number.isSafeInteger(time) || Math.abs(now - time) > MAX_SKEW_MS) return false;
    const presented = Buffer.from(header.slice(dot + 1), 'hex');
    const expected = Buffer.from(this.#mac(time, method, path), 'hex');
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  #mac(time: number, method: string, path: string): string {
    return createHmac('sha256', this.#secret)
      .update(`${time}\n${method.toUpperCase()}\n${path}`)
      .digest('hex');
  }
}
