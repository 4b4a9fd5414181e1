// Runs one VU's peers through a timed send window shared by every VU (a wall-clock `startAt`
// chosen in setup), then counts what each receiver missed.
import { metrics } from './metrics.js';

const TICK_MS = 5;

/**
 * @param {import('./peer.js').Peer[]} peers  this VU's members (already constructed)
 * @param {object} o
 * @param {number} o.startAt      wall-clock ms when every VU starts sending
 * @param {number} o.rate         probes per second per peer (0: hold idle connections)
 * @param {number} o.holdMs       send window when rate is 0
 * @param {number} o.drainMs      wait after the last send before counting
 * @param {number} o.peerCount    total peers (spreads send phases evenly)
 * @param {(peer) => number[]} o.sendersOf  the senders a receiver should hear from in full
 * @param {(peer) => boolean} [o.counts]    whether this receiver's loss counts (default: all)
 * @param {(peer) => boolean} [o.sends]     whether this peer sends (default: all)
 * @param {number} [o.maxLatencySamples]    cap on Trend samples this VU emits (default 40000)
 */
export function drive(peers, o) {
  for (const peer of peers) peer.connect();
  const counts = o.counts ?? (() => true);
  const sends = o.sends ?? (() => true);
  const period = o.rate > 0 ? 1000 / o.rate : 0;
  const perSender = peers.length > 0 ? peers[0].o.perSender : 0;
  const sendEnd = o.startAt + (o.rate > 0 ? perSender * period : o.holdMs);
  const finishAt = sendEnd + o.drainMs;
  const senders = peers.filter(sends);
  let started = false;

  const tick = setInterval(() => {
    const now = Date.now();
    if (!started) {
      if (now < o.startAt) return;
      started = true;
      for (const peer of peers) {
        peer.openWindow();
        if (!peer.ready) metrics.joinFailed.add(1);
      }
    }
    if (period > 0) {
      for (const peer of senders) {
        // Phases spread the room's sends evenly over each period instead of in one burst.
        const phase = (peer.index % o.peerCount) / o.peerCount;
        for (;;) {
          if (peer.seq >= perSender) break;
          const due = o.startAt + (peer.seq + phase) * period;
          if (due > now) break;
          metrics.sendLag.add(now - due);
          if (peer.ready) peer.sendNext();
          else peer.skip();
        }
      }
    }
    if (now >= finishAt) {
      clearInterval(tick);
      for (const peer of peers) {
        if (counts(peer) && peer.stayed) metrics.lost.add(peer.missingFrom(o.sendersOf(peer)));
        if (peer.everReady && !peer.ready) metrics.reconnectFailed.add(1);
        if (!peer.everReady) {
          // Rare, and worth a line: which member, and what its socket was doing.
          console.warn(
            `member ${peer.index} never joined (socket readyState ${peer.ws?.readyState})`,
          );
        }
      }
      flushLatency(peers, o.maxLatencySamples ?? 40000);
      for (const peer of peers) peer.close();
    }
  }, TICK_MS);
}

/**
 * Emits the VU's merged latency histogram as Trend samples, after the measured window so the
 * metric calls cannot slow the receivers. Above `max` samples the counts are scaled down with
 * cumulative rounding, which keeps every percentile within one sample of the exact one.
 */
export function flushLatency(peers, max) {
  const merged = [];
  let total = 0;
  for (const peer of peers) {
    const h = peer.histogram;
    for (let ms = 0; ms < h.length; ms++) {
      if (h[ms] === undefined) continue;
      merged[ms] = (merged[ms] || 0) + h[ms];
      total += h[ms];
    }
    peer.histogram = [];
  }
  const factor = total > max ? max / total : 1;
  let cumulative = 0;
  let emitted = 0;
  for (let ms = 0; ms < merged.length; ms++) {
    if (merged[ms] === undefined) continue;
    cumulative += merged[ms];
    const upTo = Math.round(cumulative * factor);
    for (; emitted < upTo; emitted++) metrics.latency.add(ms);
  }
}

/** The peers VU `vu` (1-based) drives when `total` peers are spread over `vus` VUs. */
export function sliceFor(vu, vus, total) {
  const per = Math.ceil(total / vus);
  const from = (vu - 1) * per;
  return { from, to: Math.min(total, from + per) };
}
