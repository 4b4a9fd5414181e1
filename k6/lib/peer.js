// One room member driven by k6/websockets: connects, sends probe frames on a schedule, and keeps
// per-sender bitmaps of what it received so loss and duplicates can be counted at the end.
// Several peers share one VU (k6/websockets is event-loop based).
import { WebSocket } from 'k6/websockets';
import { decodeFrame, encodeProbe, JOINED, LEFT, MESSAGE, PROBE_BYTES, WELCOME } from './frames.js';
import { metrics } from './metrics.js';

/** Client ids are `p<index>` so a JOINED/LEFT frame maps back to a sender index. */
export function clientIdOf(index) {
  return `p${index}`;
}

function indexOf(clientId) {
  return clientId.charAt(0) === 'p' ? Number(clientId.slice(1)) : -1;
}

/**
 * @param {object} o
 * @param {number} o.index       global sender index (0..65535)
 * @param {string} o.protocol    'nullroom' (ready on WELCOME) or 'bare' (ready on open)
 * @param {() => string} o.url   WebSocket URL for this member (asked again on each reconnect)
 * @param {number} o.perSender   how many probes each sender sends (bitmap size)
 * @param {number} o.payloadBytes
 * @param {number} [o.cls]       0 stable, 1 churning (carried in the payload)
 * @param {boolean} [o.reconnect] reconnect after 1012/1001/1006/1013 (ring-change)
 * @param {() => void} [o.onReady]
 */
export class Peer {
  constructor(o) {
    this.o = o;
    this.index = o.index;
    this.cls = o.cls ?? 0;
    // Connection generation carried in the payload: bumped by each cut during the send window, so
    // receivers can tell a sender that was away for part of it. Retries before the window (a join
    // refused with 1013, say) do not count: that member was there for every send.
    this.gen = 0;
    this.windowOpen = false;
    this.seq = 0;
    this.ready = false;
    this.everReady = false;
    this.stayed = true; // false once this member's connection ended unasked during the window
    this.done = false;
    this.seen = {}; // sender index -> Uint8Array(perSender)
    this.moved = {}; // sender indexes that reconnected or left while we listened
    this.closedAt = 0;
    this.ws = undefined;
    // Added to the metrics once, at the end (a metric call per delivery costs more than the rest).
    this.delivered = 0;
    this.duplicated = 0;
    this.histogram = []; // latency ms -> count
  }

  connect() {
    const startedAt = Date.now();
    const ws = new WebSocket(this.o.url());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      if (this.o.protocol === 'bare') this.#becomeReady(startedAt);
    };
    ws.onmessage = (event) => this.#onFrame(event.data, startedAt);
    ws.onerror = () => {
      // The close event follows and carries what we need; an error alone is not a verdict.
    };
    ws.onclose = (event) => this.#onClose(event, ws);
  }

  /** Sends the next probe; returns false once `perSender` probes went out. */
  sendNext() {
    if (this.seq >= this.o.perSender) return false;
    if (!this.ready) return true; // reconnecting: the slot is skipped, as a real client would
    this.ws.send(encodeProbe(this.index, this.seq, this.gen, this.cls, this.o.payloadBytes));
    metrics.framesSent.add(1);
    this.seq++;
    return this.seq < this.o.perSender;
  }

  /** The send window starts: from now on presence changes and cuts make gaps. */
  openWindow() {
    this.windowOpen = true;
  }

  /** Skips a send slot (sender was not ready): the sequence still advances. */
  skip() {
    this.seq++;
  }

  close() {
    this.flushCounts();
    this.done = true;
    if (this.ws !== undefined && this.ws.readyState <= 1) this.ws.close();
  }

  /** Moves what was counted locally into the k6 metrics (deliveries, duplicates). */
  flushCounts() {
    metrics.deliveries.add(this.delivered);
    metrics.duplicated.add(this.duplicated);
    this.delivered = 0;
    this.duplicated = 0;
  }

  /**
   * Frames missing from the given senders (each expected to send `perSender`), skipping senders
   * that moved (reconnected or left) while we listened, and ourselves.
   */
  missingFrom(senders) {
    let missing = 0;
    for (const sender of senders) {
      if (sender === this.index || this.moved[sender]) continue;
      const bits = this.seen[sender];
      if (bits === undefined) {
        missing += this.o.perSender;
        continue;
      }
      for (let i = 0; i < bits.length; i++) if (bits[i] === 0) missing++;
    }
    return missing;
  }

  #becomeReady(startedAt) {
    this.ready = true;
    const took = Date.now() - startedAt;
    if (!this.everReady) metrics.joinTime.add(took);
    else metrics.reconnectTime.add(Date.now() - this.closedAt);
    this.everReady = true;
    if (this.o.onReady) this.o.onReady(this);
  }

  // The hot path of the load generator: one DataView per frame, no objects, no metric calls.
  // Latencies go into a local histogram (Date.now() has whole-millisecond resolution, so
  // integer buckets lose nothing) that drive.js flushLatency() turns into Trend samples after the run.
  #onFrame(data, startedAt) {
    const view = new DataView(data);
    if (view.getUint8(0) !== MESSAGE) {
      this.#onControl(data, startedAt);
      return;
    }
    const at = 3 + view.getUint8(2);
    if (data.byteLength < at + PROBE_BYTES) return;
    const latency = Date.now() - view.getFloat64(at);
    const sender = view.getUint16(at + 8);
    const seq = view.getUint32(at + 10);
    this.delivered++;
    const bucket = latency < 0 ? 0 : latency;
    this.histogram[bucket] = (this.histogram[bucket] || 0) + 1;
    if (view.getUint8(at + 14) > 0) this.moved[sender] = true;
    let bits = this.seen[sender];
    if (bits === undefined) {
      bits = new Uint8Array(this.o.perSender);
      this.seen[sender] = bits;
    }
    if (seq >= bits.length) return;
    // Sequence numbers run on across reconnects, so any repeat is a duplicate.
    if (bits[seq] === 1) this.duplicated++;
    bits[seq] = 1;
  }

  #onControl(data, startedAt) {
    const frame = decodeFrame(data);
    if (frame.type === WELCOME) {
      this.#becomeReady(startedAt);
      return;
    }
    if ((frame.type === LEFT || frame.type === JOINED) && this.windowOpen) {
      // A member that leaves or joins during the send window has a gap we must not count (joins
      // before the window are just members arriving).
      const sender = indexOf(frame.clientId);
      if (sender >= 0) this.moved[sender] = true;
    }
  }

  #onClose(event, ws) {
    if (ws !== this.ws) return;
    this.ready = false;
    if (this.done) return;
    if (this.windowOpen) {
      this.stayed = false;
      this.gen++;
    }
    this.closedAt = Date.now();
    if (!this.everReady && retryable(event.code)) {
      // A join refused with a retryable code (1013 while a cluster pod claims the room, say):
      // retry with backoff as a client does. Counted, but not a cut connection.
      metrics.joinRetries.add(1, { code: String(event.code) });
      setTimeout(
        () => {
          if (!this.done) this.connect();
        },
        100 + Math.floor(Math.random() * 400),
      );
      return;
    }
    metrics.unexpectedCloses.add(1, { code: String(event.code) });
    if (__ENV.DEBUG_CLOSES)
      console.log(`close ${this.index} gen ${this.gen} code ${event.code} ${event.reason}`);
    if (!this.o.reconnect || !retryable(event.code)) return;
    let delay = 100 + Math.floor(Math.random() * 400);
    if (event.code === 1012) {
      try {
        const retryMs = JSON.parse(event.reason).retryMs;
        if (typeof retryMs === 'number') delay = retryMs;
      } catch (_) {
        // a proxy's own reason: keep the default backoff
      }
    }
    setTimeout(() => {
      if (!this.done) this.connect();
    }, delay);
  }
}

function retryable(code) {
  return code === 1001 || code === 1006 || code === 1011 || code === 1012 || code === 1013;
}
