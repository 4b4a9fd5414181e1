import { Clock, type Timer } from '../../src/common/clock';

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
  every: number | undefined;
  cancelled: boolean;
}

/**
 * A Clock whose time moves only when a test says so. `advance(ms)` runs every timer due in that
 * span in time order, letting promise chains settle between timers (real I/O never happens in
 * these tests: peers, directory and sockets are fakes that resolve on the microtask queue).
 */
export class FakeClock extends Clock {
  private time: number;
  private seq = 0;
  private readonly timers: Scheduled[] = [];

  constructor(start = 1_700_000_000_000) {
    super();
    this.time = start;
  }

  override now(): number {
    return this.time;
  }

  override setTimeout(fn: () => void, ms: number): Timer {
    return this.schedule(fn, ms, undefined);
  }

  override setInterval(fn: () => void, ms: number): Timer {
    return this.schedule(fn, ms, Math.max(1, ms));
  }

  /** Timers not yet run or cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, running what falls due on the way. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(until);
      if (next === undefined) break;
      this.time = Math.max(this.time, next.at);
      if (next.every === undefined) next.cancelled = true;
      else next.at += next.every;
      next.fn();
      await settle();
    }
    this.time = until;
    await settle();
  }

  private nextDue(until: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const t of this.timers) {
      if (t.cancelled || t.at > until) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    for (let i = this.timers.length - 1; i >= 0; i--) {
      if (this.timers[i]!.cancelled) this.timers.splice(i, 1);
    }
    return best;
  }

  private schedule(fn: () => void, ms: number, every: number | undefined): Timer {
    const timer: Scheduled = {
      at: this.time + Math.max(0, ms),
      seq: this.seq++,
      fn,
      every,
      cancelled: false,
    };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }
}

/** Lets every promise chain that is ready run to its next real wait. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
