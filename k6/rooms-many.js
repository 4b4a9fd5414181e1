// rooms-many: many rooms of mixed sizes at once, with join/leave churn and REST room creation.
//
//   steady   ROOMS rooms (sizes cycle through ROOM_SIZES), one VU per room, every member sending
//            RATE probes per second for DURATION seconds; loss, duplicates and latency as in
//            room-256, counted for these members only.
//   churn    CHURN_PER_S iterations per second during the same window: POST /rooms, join 3
//            members, each sends one probe, check all 6 deliveries arrive, leave; and a visitor
//            joins one steady room and leaves a moment later (steady members see JOINED/LEFT).
//
//   k6 run -e BASE_URL=http://127.0.0.1:8765 k6/rooms-many.js
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { WebSocket } from 'k6/websockets';
import { createRoom, num, startAt, str, target } from './lib/config.js';
import { drive } from './lib/drive.js';
import { decodeFrame, encodeProbe, MESSAGE, WELCOME } from './lib/frames.js';
import { metrics, touchCounters } from './lib/metrics.js';
import { clientIdOf, Peer } from './lib/peer.js';
import { summarize } from './lib/summary.js';

const SIZES = str('ROOM_SIZES', '2,4,8,16,32,64').split(',').map(Number);
const ROOMS = num('ROOMS', 12);
const RATE = num('RATE', 1);
const DURATION = num('DURATION', 15);
const CONNECT_S = num('CONNECT_S', 5);
const DRAIN_S = num('DRAIN_S', 3);
const CHURN_PER_S = num('CHURN_PER_S', 4);
const P99_MS = num('P99_MS', 100);
const PAYLOAD_BYTES = num('PAYLOAD_BYTES', 64);
const PER_SENDER = Math.round(RATE * DURATION);
const VISITOR_HEADROOM = 4;

const roomsCreated = new Counter('rooms_created');
const churnLost = new Counter('churn_lost');

/** Steady member layout: room r has SIZES[r % n] members with consecutive global indexes. */
function layout() {
  const rooms = [];
  let next = 0;
  for (let r = 0; r < ROOMS; r++) {
    const size = SIZES[r % SIZES.length];
    const members = [];
    for (let i = 0; i < size; i++) members.push(next++);
    rooms.push({ size, members });
  }
  return rooms;
}
const LAYOUT = layout();

export const options = {
  scenarios: {
    steady: {
      executor: 'per-vu-iterations',
      exec: 'steady',
      vus: ROOMS,
      iterations: 1,
      maxDuration: `${CONNECT_S + DURATION + DRAIN_S + 30}s`,
    },
    churn: {
      executor: 'constant-arrival-rate',
      exec: 'churn',
      rate: CHURN_PER_S,
      timeUnit: '1s',
      duration: `${DURATION}s`,
      startTime: `${CONNECT_S}s`,
      preAllocatedVUs: Math.max(4, CHURN_PER_S * 3),
      maxVUs: Math.max(8, CHURN_PER_S * 6),
    },
  },
  thresholds: {
    fanout_lost: ['count==0'],
    fanout_duplicated: ['count==0'],
    join_failed: ['count==0'],
    ws_unexpected_closes: ['count==0'],
    churn_lost: ['count==0'],
    http_req_failed: ['rate==0'],
    [`fanout_latency{scenario:steady}`]: [`p(99)<${P99_MS}`],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'count'],
  setupTimeout: '60s',
};

export function setup() {
  const t = target();
  if (t.protocol !== 'nullroom')
    throw new Error('rooms-many needs PROTOCOL=nullroom (the baseline has no rooms)');
  const rooms = LAYOUT.map((room) => createRoom(t, room.size + VISITOR_HEADROOM));
  roomsCreated.add(rooms.length);
  return { rooms, startAt: startAt(CONNECT_S) };
}

export function steady(data) {
  const t = target();
  // One iteration per VU, numbered 0.. within this scenario: VU ids are shared with the churn
  // scenario, so __VU cannot index the rooms.
  const r = exec.scenario.iterationInTest;
  if (r >= LAYOUT.length) return;
  const room = data.rooms[r];
  const members = LAYOUT[r].members;
  const peers = members.map(
    (index) =>
      new Peer({
        index,
        protocol: 'nullroom',
        url: () => t.wsUrl(room, clientIdOf(index)),
        perSender: PER_SENDER,
        payloadBytes: PAYLOAD_BYTES,
      }),
  );
  touchCounters();
  churnLost.add(0);
  drive(peers, {
    startAt: data.startAt,
    rate: RATE,
    holdMs: 0,
    drainMs: DRAIN_S * 1000,
    peerCount: members.length,
    sendersOf: () => members,
  });
}

/** One churn iteration: a short-lived room over REST, and a visitor in a steady room. */
export function churn(data) {
  const t = target();
  const room = createRoom(t, 4, { name: 'POST /rooms (churn)' });
  roomsCreated.add(1);
  const id = `c${__VU}x${__ITER}`;
  const members = [0, 1, 2];
  const got = [0, 0, 0];
  let welcomed = 0;
  const sockets = members.map((i) => {
    const ws = new WebSocket(t.wsUrl(room, `${id}m${i}`));
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (event) => {
      const frame = decodeFrame(event.data);
      if (frame.type === WELCOME) {
        welcomed++;
        if (welcomed === members.length) {
          // Everyone is in: each sends one probe (sender indexes above the steady range).
          for (const s of sockets) s.send(encodeProbe(60000, 0, 0, 1, PAYLOAD_BYTES));
        }
      } else if (frame.type === MESSAGE) {
        got[i]++;
      }
    };
    return ws;
  });
  const steadyRoom = Math.floor(Math.random() * data.rooms.length);
  const visitor = new WebSocket(t.wsUrl(data.rooms[steadyRoom], `v${__VU}x${__ITER}`));
  visitor.binaryType = 'arraybuffer';
  let visited = false;
  visitor.onmessage = (event) => {
    if (decodeFrame(event.data).type === WELCOME) visited = true;
  };
  setTimeout(() => visitor.close(), 1500);
  setTimeout(() => {
    const missing = got.reduce((sum, n) => sum + Math.max(0, members.length - 1 - n), 0);
    churnLost.add(missing);
    check(null, {
      'churn room: all joined': () => welcomed === members.length,
      'visitor joined': () => visited,
    });
    if (welcomed < members.length) metrics.joinFailed.add(members.length - welcomed);
    for (const s of sockets) s.close();
  }, 2500);
}

export function handleSummary(data) {
  return summarize('rooms-many', data, {
    rooms: ROOMS,
    sizes: SIZES,
    members: LAYOUT.reduce((a, r) => a + r.size, 0),
    rate: RATE,
    duration: DURATION,
    churnPerSecond: CHURN_PER_S,
    windowMs: (PER_SENDER / RATE) * 1000,
  });
}
