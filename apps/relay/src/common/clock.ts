/** The wall clock and timers, behind a class so services can be tested with a fake. */
export class Clock {
  now(): number {
    return Date.now();
  }

  setInterval(fn: () => void, ms: number): { cancel(): void } {
    const handle = setInterval(fn, ms);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  }
}
