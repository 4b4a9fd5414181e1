import { AddressKeys } from './address-key';

/**
 * One token bucket per client address, for WebSocket connection attempts: a burst big enough for
 * a whole room to (re)connect at once from one address — a 256-member room behind one NAT, or
 * every visitor of an onion service, who all arrive from the local Tor daemon — and a sustained
 * refill rate above which a flood is refused.
 *
 * Addresses are never stored (AddressKeys: an HMAC under a per-process secret). A bucket that has refilled completely holds no information and is dropped.
 */
export class AddressBuckets {
  private readonly keys = new AddressKeys();
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private lastSweep = 0;
  private readonly perMs: number;

  /**
   * @param refill tokens added per `windowMs` (0 = no limit at all)
   * @param burst  the most a bucket holds, i.e. attempts allowed at once from a quiet address
   */
  constructor(
    private readonly refill: number,
    private readonly windowMs: number,
    private readonly burst: number,
  ) {
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError('windowMs: must be > 0');
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst: must be >= 1');
    this.perMs = refill / windowMs;
  }

  /** Takes one token for `address`; false when its bucket is empty. */
  take(address: string, now: number): boolean {
    if (this.refill <= 0) return true;
    this.sweep(now);
    const key = this.keys.of(address);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, last: now };
      this.buckets.set(key, bucket);
    } else if (now > bucket.last) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.last) * this.perMs);
      bucket.last = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Drops buckets that are full again (at most once per window). */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.last) * this.perMs >= this.burst) this.buckets.delete(key);
    }
  }
}
