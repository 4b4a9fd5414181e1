import { AddressKeys } from './address-key';

/**
 * Fixed-window counters per client address, for the REST API and WebSocket connection attempts.
 * Addresses are never stored: the key is an HMAC under a random per-process secret, so even a
 * heap dump does not list who connected. Entries disappear when their window ends.
 */
export class WindowLimiter {
  private readonly keys = new AddressKeys();
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = 0;

  constructor(private readonly windowMs: number) {}

  /** Counts one hit for `scope`+`address`; returns 0 if allowed or the ms until it would be. */
  hit(scope: string, address: string, max: number, now: number): number {
    if (max <= 0) return 0;
    this.sweep(now);
    const key = this.keys.of(scope, address);
    let entry = this.windows.get(key);
    if (entry === undefined || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, entry);
    }
    entry.count++;
    return entry.count > max ? entry.resetAt - now : 0;
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, entry] of this.windows) {
      if (entry.resetAt <= now) this.windows.delete(key);
    }
  }
}
