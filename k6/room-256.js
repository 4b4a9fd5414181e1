// room-256: one room of PEERS members (default 256, the seed's maximum) spread over VUS VUs,
// every member sending RATE probes per second for DURATION seconds. Each frame fans out to
// PEERS-1 receivers, so the relay delivers PEERS·(PEERS-1)·RATE frames per second.
//
// Measures fan-out latency (sender timestamp in the payload), loss and duplicates (per-sender
// sequence bitmaps, counted after a DRAIN_S grace), join time, and k6's own send lag. Fails
// (exit 99) if p99 latency reaches P99_MS (P99_MS=0: no latency threshold, as in the CI smoke) or
// anything is lost, duplicated or cut.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8765 -e RATE=1 k6/room-256.js
//   k6 run -e PROTOCOL=bare -e BASE_URL=http://127.0.0.1:9000 k6/room-256.js   (baseline)
//   RATE=0 holds the connections idle for HOLD_S seconds (memory per connection).
import exec from 'k6/execution';
import { createRoom, num, startAt, target } from './lib/config.js';
import { drive, sliceFor } from './lib/drive.js';
import { touchCounters } from './lib/metrics.js';
import { clientIdOf, Peer } from './lib/peer.js';
import { summarize } from './lib/summary.js';

const PEERS = num('PEERS', 256);
const VUS = Math.min(num('VUS', 16), PEERS);
const RATE = num('RATE', 1);
const DURATION = num('DURATION', 10);
const HOLD_S = num('HOLD_S', 5);
const PAYLOAD_BYTES = num('PAYLOAD_BYTES', 64);
const CONNECT_S = num('CONNECT_S', 4);
const DRAIN_S = num('DRAIN_S', 3);
const P99_MS = num('P99_MS', 100);
const ROOMS = num('ROOMS', 1); // RATE=0 only: idle connections over several rooms
const MAX_LATENCY_SAMPLES = num('MAX_LATENCY_SAMPLES', 40000); // per VU
const PER_SENDER = Math.round(RATE * DURATION);

const thresholds = {
  fanout_lost: ['count==0'],
  fanout_duplicated: ['count==0'],
  join_failed: ['count==0'],
  ws_unexpected_closes: ['count==0'],
};
if (RATE > 0 && P99_MS > 0) thresholds.fanout_latency = [`p(99)<${P99_MS}`];

export const options = {
  scenarios: {
    room: {
      executor: 'per-vu-iterations',
      vus: VUS,
      iterations: 1,
      maxDuration: `${Math.ceil(CONNECT_S + (RATE > 0 ? DURATION : HOLD_S) + DRAIN_S + 30)}s`,
    },
  },
  thresholds,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'count'],
  setupTimeout: '60s',
};

export function setup() {
  const t = target();
  const rooms = [];
  for (let i = 0; i < (RATE > 0 ? 1 : ROOMS); i++) {
    rooms.push(t.protocol === 'bare' ? { roomId: 'bare', joinToken: '' } : createRoom(t, 256));
  }
  return { rooms, startAt: startAt(CONNECT_S) };
}

export default function (data) {
  const t = target();
  const all = [];
  for (let i = 0; i < PEERS; i++) all.push(i);
  // One iteration per VU, numbered 0.. within this scenario (VU ids are global to the test).
  const { from, to } = sliceFor(exec.scenario.iterationInTest + 1, VUS, PEERS);
  const peers = [];
  for (let index = from; index < to; index++) {
    const room = data.rooms[index % data.rooms.length];
    peers.push(
      new Peer({
        index,
        protocol: t.protocol,
        url: () => t.wsUrl(room, clientIdOf(index)),
        perSender: PER_SENDER,
        payloadBytes: PAYLOAD_BYTES,
      }),
    );
  }
  touchCounters();
  drive(peers, {
    startAt: data.startAt,
    rate: RATE,
    holdMs: HOLD_S * 1000,
    drainMs: DRAIN_S * 1000,
    peerCount: PEERS,
    sendersOf: () => all,
    maxLatencySamples: MAX_LATENCY_SAMPLES,
  });
}

export function handleSummary(data) {
  return summarize('room-256', data, {
    protocol: target().protocol,
    peers: PEERS,
    vus: VUS,
    rate: RATE,
    duration: DURATION,
    payloadBytes: PAYLOAD_BYTES,
    perSender: PER_SENDER,
    p99Ms: P99_MS,
    // The send window drive() really uses: PER_SENDER probes, one per 1/RATE seconds.
    windowMs: RATE > 0 ? (PER_SENDER / RATE) * 1000 : HOLD_S * 1000,
  });
}
