// ring-change: rooms under load on the local cluster while the ring changes. The runner
// (bench/run.mjs, or you by hand with deploy/local-cluster/cli.mjs: `add`, then `remove pod-1`)
// adds a pod and drains one during the send window. Members of rooms on the drained pod are
// closed with 1012 and a `{"retryMs":n}` reason; they wait that long and reconnect through the
// ingress, which hashes them to the new ring owner.
//
// Thresholds: zero loss between members that stayed connected (frames from senders that also
// stayed: every sender stamps its connection generation in the payload, and JOINED/LEFT mark the
// ones that moved), no duplicates, every cut member back (reconnect_failed), and reconnect time
// (close to WELCOME) p99 under RECONNECT_P99_MS.
//
//   node deploy/local-cluster/cli.mjs up --pods 3 --no-haproxy      (prints the nginx URL)
//   k6 run -e BASE_URL=http://127.0.0.1:<nginx port> k6/ring-change.js
import exec from 'k6/execution';
import { createRoom, num, startAt, target } from './lib/config.js';
import { drive } from './lib/drive.js';
import { touchCounters } from './lib/metrics.js';
import { clientIdOf, Peer } from './lib/peer.js';
import { summarize } from './lib/summary.js';

const ROOMS = num('ROOMS', 12);
const SIZE = num('ROOM_SIZE', 16);
const RATE = num('RATE', 2);
const DURATION = num('DURATION', 24);
const CONNECT_S = num('CONNECT_S', 5);
const DRAIN_S = num('DRAIN_S', 4);
const PAYLOAD_BYTES = num('PAYLOAD_BYTES', 64);
const RECONNECT_P99_MS = num('RECONNECT_P99_MS', 5000);
const PER_SENDER = Math.round(RATE * DURATION);

export const options = {
  scenarios: {
    rooms: {
      executor: 'per-vu-iterations',
      vus: ROOMS,
      iterations: 1,
      maxDuration: `${CONNECT_S + DURATION + DRAIN_S + 30}s`,
    },
  },
  thresholds: {
    fanout_lost: ['count==0'],
    fanout_duplicated: ['count==0'],
    join_failed: ['count==0'],
    reconnect_failed: ['count==0'],
    reconnect_time: [`p(99)<${RECONNECT_P99_MS}`],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'count'],
  setupTimeout: '60s',
};

export function setup() {
  const t = target();
  if (t.protocol !== 'nullroom') throw new Error('ring-change needs PROTOCOL=nullroom');
  const rooms = [];
  for (let r = 0; r < ROOMS; r++) rooms.push(createRoom(t, SIZE));
  return { rooms, startAt: startAt(CONNECT_S) };
}

export default function (data) {
  const t = target();
  // One iteration per VU, numbered 0.. within this scenario (VU ids are global to the test).
  const r = exec.scenario.iterationInTest;
  const room = data.rooms[r];
  const members = [];
  for (let i = 0; i < SIZE; i++) members.push(r * SIZE + i);
  const peers = members.map(
    (index) =>
      new Peer({
        index,
        protocol: 'nullroom',
        url: () => t.wsUrl(room, clientIdOf(index)),
        perSender: PER_SENDER,
        payloadBytes: PAYLOAD_BYTES,
        reconnect: true,
      }),
  );
  touchCounters();
  drive(peers, {
    startAt: data.startAt,
    rate: RATE,
    holdMs: 0,
    drainMs: DRAIN_S * 1000,
    peerCount: SIZE,
    sendersOf: () => members,
  });
}

export function handleSummary(data) {
  return summarize('ring-change', data, {
    rooms: ROOMS,
    roomSize: SIZE,
    rate: RATE,
    duration: DURATION,
    reconnectP99Ms: RECONNECT_P99_MS,
    windowMs: (PER_SENDER / RATE) * 1000,
  });
}
