/**
 * A token bucket: `rate` tokens per second, holding at most `burst`. Used per connection for
 * frames and bytes; O(1), no timers, refilled lazily from the time of each take.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(amount: number, now: number): boolean {
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSec) / 1000);
      this.last = now;
    }
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }
}
