import { encodeRestartReason } from '@nullroom/protocol';

/**
 * The reason of a 1012 close: reconnect after a random delay in [0, jitterMs), so the members of a
 * pod don't all come back in the same millisecond. The one place the relay builds it (drain,
 * refusals while draining, split rooms, a forwarding hop that lost its owner).
 */
export function restartReason(jitterMs: number, random: () => number = Math.random): string {
  return encodeRestartReason(Math.floor(random() * Math.max(0, jitterMs)));
}

/** Members sent back through the ring (a split room, a lost hop) return within a second. */
export const REROUTE_JITTER_MS = 1000;
