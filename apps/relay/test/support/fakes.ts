/** Fakes for service tests (`new RoomsService(config, new FakeClock(), …)`): no Nest, no sockets. */
import { decodeServerFrame, type ServerFrame } from '@nullroom/protocol';
import { Clock } from '../../src/common/clock';
import { RelayError, type RelayErrorCode } from '../../src/common/relay.exception';
import { loadConfig, type RelayConfig } from '../../src/config/config';
import { type Member } from '../../src/rooms/member';

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
  every: number | undefined;
  cancelled: boolean;
}

/**
 * A Clock whose time moves only when a test says so: `advance(ms)` runs every timer (timeouts and
 * intervals) due in that span, in time order, synchronously; `elapse(ms)` does the same but lets
 * promise chains settle between timers, for async code (peers, directory, sockets that are fakes
 * resolving on the microtask queue). `t` reads and sets the time directly.
 */
export class FakeClock extends Clock {
  t: number;
  private seq = 0;
  private readonly timers: Scheduled[] = [];

  constructor(start = 1_000_000) {
    super();
    this.t = start;
  }

  override now(): number {
    return this.t;
  }

  override setTimeout(fn: () => void, ms: number): { cancel(): void } {
    return this.schedule(fn, ms, undefined);
  }

  override setInterval(fn: () => void, ms: number): { cancel(): void } {
    return this.schedule(fn, ms, Math.max(1, ms));
  }

  /** Timers not yet run or cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  advance(ms: number): void {
    const until = this.t + ms;
    for (let next = this.nextDue(until); next !== undefined; next = this.nextDue(until)) {
      this.fire(next);
    }
    this.t = until;
  }

  async elapse(ms: number): Promise<void> {
    const until = this.t + ms;
    await settle();
    for (let next = this.nextDue(until); next !== undefined; next = this.nextDue(until)) {
      this.fire(next);
      await settle();
    }
    this.t = until;
    await settle();
  }

  private fire(timer: Scheduled): void {
    this.t = Math.max(this.t, timer.at);
    if (timer.every === undefined) timer.cancelled = true;
    else timer.at += timer.every;
    timer.fn();
  }

  private nextDue(until: number): Scheduled | undefined {
    for (let i = this.timers.length - 1; i >= 0; i--) {
      if (this.timers[i]!.cancelled) this.timers.splice(i, 1);
    }
    let best: Scheduled | undefined;
    for (const t of this.timers) {
      if (t.at > until) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  private schedule(fn: () => void, ms: number, every: number | undefined): { cancel(): void } {
    const timer: Scheduled = {
      at: this.t + Math.max(0, ms),
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

/** A member that records the frames it is given and how it was ended. */
export class RecordingMember implements Member {
  readonly frames: ServerFrame[] = [];
  ended: { code: number; reason: string } | undefined;
  onlyTo: string | undefined;
  constructor(
    readonly clientId: string,
    /** What a real socket does when the relay ends it: leaves its room. */
    private readonly onEnd?: (member: RecordingMember) => void,
  ) {}
  deliver(frame: Buffer): void {
    const decoded = decodeServerFrame(frame);
    if (decoded.ok) this.frames.push(decoded.frame);
  }
  end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = { code, reason };
    this.onEnd?.(this);
  }
  of<T extends ServerFrame['type']>(type: T): Array<Extract<ServerFrame, { type: T }>> {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type);
  }
}

/** A validated config from test values (on top of the defaults); throws on a bad value. */
export function testConfig(env: Record<string, string> = {}): RelayConfig {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.errors.join());
  return result.config;
}

/** The RelayError code `fn` throws, or undefined when it returns; other errors propagate. */
export function refusalOf(fn: () => unknown): RelayErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof RelayError) return error.code;
    throw error;
  }
  return undefined;
}
