/**
 * Reconnect delays: exponential with "equal jitter" (half fixed, half random), so a drained pod's
 * clients spread out instead of reconnecting in lockstep, and no client retries at 0 ms.
 * See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
 */
export interface BackoffOptions {
  /** First delay ceiling (ms). */
  readonly initialMs?: number;
  /** Largest delay ceiling (ms). */
  readonly maxMs?: number;
  readonly factor?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
};

/** Delay before reconnect attempt `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 0)
    throw new RangeError('attempt: must be an integer ≥ 0');
  const { initialMs, maxMs, factor } = { ...DEFAULT_BACKOFF, ...options };
  const ceiling = Math.min(maxMs, initialMs * factor ** Math.min(attempt, 32));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
