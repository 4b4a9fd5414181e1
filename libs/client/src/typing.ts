/**
 * Typing indicators, the same in every app (widget, admin dashboard): when "typing" goes out,
 * when "stopped" follows, and how long a peer's "typing" stays on screen without news. The
 * indicator itself travels end to end encrypted (`NullroomClient.setTyping`); these only decide
 * when.
 */

/** "Stopped typing" goes out after this long without a keystroke. */
export const TYPING_IDLE_MS = 3_000;
/** A peer's "typing" is shown at most this long without a new one (their "stopped" may be lost). */
export const TYPING_SHOWN_MS = 6_000;

/** The timer functions used (tests pass fakes). */
export interface TypingTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: TypingTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Our own side: `keystroke()` on every input sends "typing" once, then "stopped" after a pause. */
export class TypingNotifier {
  private active = false;
  private timer: unknown;

  constructor(
    private readonly send: (active: boolean) => void,
    private readonly timers: TypingTimers = globalTimers,
  ) {}

  keystroke(): void {
    if (!this.active) {
      this.active = true;
      this.send(true);
    }
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  /** Sends "stopped" now if "typing" went out (on send, on leave). */
  stop(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.active) return;
    this.active = false;
    this.send(false);
  }

  /** Forgets the state without sending anything (the connection is gone). */
  reset(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.active = false;
  }
}

/** The other side: who is typing now, each entry expiring after TYPING_SHOWN_MS. */
export class TypingRoster {
  private readonly timers = new Map<string, unknown>();
  private current: ReadonlySet<string> = new Set();

  constructor(
    private readonly onChange: (typers: ReadonlySet<string>) => void,
    private readonly clock: TypingTimers = globalTimers,
  ) {}

  get typers(): ReadonlySet<string> {
    return this.current;
  }

  /** A typing indicator from `from`; also call with `false` when they send or leave. */
  set(from: string, active: boolean): void {
    this.clock.clearTimeout(this.timers.get(from));
    this.timers.delete(from);
    if (active) {
      this.timers.set(
        from,
        this.clock.setTimeout(() => this.set(from, false), TYPING_SHOWN_MS),
      );
    }
    if (this.current.has(from) === active) return;
    const next = new Set(this.current);
    if (active) next.add(from);
    else next.delete(from);
    this.current = next;
    this.onChange(next);
  }

  clear(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
    if (this.current.size === 0) return;
    this.current = new Set();
    this.onChange(this.current);
  }
}
