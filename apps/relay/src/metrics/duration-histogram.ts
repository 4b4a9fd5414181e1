/**
 * A histogram of durations in seconds over fixed buckets, as plain numbers: `observe` is one
 * short loop and two additions, cheap enough for the per-frame fan-out. prom-client reads it at
 * scrape time (HistogramCollector); nothing here knows about Prometheus.
 */
export class DurationHistogram {
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    /** Upper bounds in seconds, strictly increasing. */
    readonly bounds: readonly number[],
  ) {
    if (bounds.length === 0) throw new RangeError('bounds: must not be empty');
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i]! > bounds[i - 1]!)) throw new RangeError('bounds: must be increasing');
    }
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(seconds: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

/**
 * Fan-out of one frame to a room: handing it to every member's socket. Microseconds for a small
 * room, around a millisecond for 256 members on a busy core; the top buckets catch a blocked loop.
 */
export const FANOUT_BUCKETS: readonly number[] = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
  0.25,
];

/** One directory round trip (Redis, or the in-memory directory). */
export const DIRECTORY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];
