/** Fakes for service tests (`new RoomsService(config, new FakeClock(), …)`): no Nest, no sockets. */
import { decodeServerFrame, type ServerFrame } from '@nullroom/protocol';
import { Clock } from '../../src/common/clock';
import { RelayError, type RelayErrorCode } from '../../src/common/relay.exception';
import { loadConfig, type RelayConfig } from '../../src/config/config';
import { type Member } from '../../src/rooms/member';

/** Time stands still until `advance`; timeouts fire then, intervals never. */
export class FakeClock extends Clock {
  t = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  override now(): number {
    return this.t;
  }
  override setInterval(): { cancel(): void } {
    return { cancel: () => undefined };
  }
  override setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => (timer.live = false) };
  }
  advance(ms: number): void {
    this.t += ms;
    for (const timer of this.timers.filter((x) => x.live && x.at <= this.t)) {
      timer.live = false;
      timer.fn();
    }
  }
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
