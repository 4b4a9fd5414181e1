/** A timer handle: `cancel()` is idempotent. */
export interface Timer {
  cancel(): void;
}

/**
 * The wall clock and timers, behind a class so services can be tested with a fake
 * (`FakeClock` in `apps/relay/test/support/fakes.ts` moves time by hand). Every timer of the relay's
 * services goes through here. Timers are unref'd: the listeners keep the process alive, a
 * pending timer never does (so a stopped relay exits without waiting for one).
 */
export class Clock {
  now(): number {
    return Date.now();
  }

  setInterval(fn: () => void, ms: number): Timer {
    const handle = setInterval(fn, ms);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }

  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }
}
