import { type Clock } from '../common/clock';

/**
 * Rooms in transit on this pod: arriving (its shape is here, the directory compare-and-set is in
 * flight) or leaving (a drain handover is in flight). A claim for such a room waits until the
 * transit settles instead of answering from a half-done state — the race behind issue 17's first
 * fault: a claimer told "not here" for a room that was arriving, or given a room that was leaving.
 * Waits are bounded: a transit that hangs (a stuck Redis call) delays a claim, never blocks it.
 */
export class RoomTransit {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly clock: Clock) {}

  /** Runs `work` as the room's transit, after any transit of the same room already running. */
  run<T>(roomId: string, work: () => Promise<T>): Promise<T> {
    const before = this.inFlight.get(roomId) ?? Promise.resolve();
    const result = before.then(
      () => work(),
      () => work(),
    );
    const tail: Promise<unknown> = result.finally(() => {
      if (this.inFlight.get(roomId) === tail) this.inFlight.delete(roomId);
    });
    // The tail's own rejection is the caller's to handle (through `result`), not this map's.
    tail.catch(() => undefined);
    this.inFlight.set(roomId, tail);
    return result;
  }

  has(roomId: string): boolean {
    return this.inFlight.has(roomId);
  }

  /** Resolves when the room's transit (if any) settled, or after `maxWaitMs`. Never rejects. */
  async settled(roomId: string, maxWaitMs: number): Promise<void> {
    const pending = this.inFlight.get(roomId);
    if (pending === undefined) return;
    let timer: { cancel(): void } | undefined;
    await Promise.race([
      pending.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, maxWaitMs))),
    ]);
    timer?.cancel();
  }
}
