#!/usr/bin/env node
// Metrics overhead: relay throughput with METRICS=1 (scraped every second) against METRICS=0.
//
// Starts the built relay (apps/relay/dist/main.js) on loopback, once per run, alternating the two
// modes to spread machine noise evenly. Each run: one room of MEMBERS members, one sender, FRAMES
// frames of PAYLOAD bytes sent in windows of WINDOW (each window waits until every member has
// it, so nothing queues unboundedly). Reports deliveries per second and the relay's own CPU time
// per 1000 deliveries (from /proc, so the load generator's share does not count), then writes the
// table into docs/benchmarks.md between the metrics-overhead markers.
//
//   node apps/relay/bench/metrics-overhead.mjs [--runs 3] [--frames 3000] [--members 64] [--no-write]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const MAIN = join(here, '../dist/main.js');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = opt('runs', 3);
const FRAMES = opt('frames', 3000);
const MEMBERS = opt('members', 64);
const PAYLOAD = opt('payload', 256);
const WINDOW = opt('window', 50);
const WARMUP = 300;
const DEADLINE = Date.now() + opt('timeout', 240) * 1000;
const TICKS = 100; // USER_HZ on Linux

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
};

async function run(metrics) {
  const port = await freePort();
  const proc = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOGGING: '0',
      METRICS: metrics ? '1' : '0',
      DRAIN_GRACE_MS: '0',
      WS_MAX_FRAMES_PER_SEC: '1000000',
      WS_MAX_BYTES_PER_SEC: String(1024 * 1024 * 1024),
      WS_MAX_BUFFERED_BYTES: String(64 * 1024 * 1024),
      RATE_LIMIT_WS_CONNECT_MAX: '0',
      RATE_LIMIT_HTTP_MAX: '0',
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      try {
        if ((await fetch(`${base}/health`)).ok) break;
      } catch {
        /* not yet */
      }
      if (Date.now() > DEADLINE) throw new Error('relay did not start');
      await sleep(50);
    }
    const room = await (
      await fetch(`${base}/rooms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'p2p', maxParticipants: MEMBERS }),
      })
    ).json();
    let received = 0;
    let wake = () => undefined;
    const sockets = [];
    for (let i = 0; i < MEMBERS; i++) {
      const q = new URLSearchParams({
        roomId: room.roomId,
        clientId: `m${i}`,
        joinToken: room.joinToken,
      });
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?${q}`, { perMessageDeflate: false });
      await new Promise((resolve, reject) => {
        ws.once('message', resolve); // welcome
        ws.once('error', reject);
      });
      if (i > 0) {
        ws.on('message', (data) => {
          if (data[0] === 0x81) {
            received++;
            wake();
          }
        });
      }
      sockets.push(ws);
    }
    const sender = sockets[0];
    const frame = Buffer.alloc(1 + PAYLOAD);
    frame[0] = 0x01; // SEND
    const send = async (count) => {
      const target = received + count * (MEMBERS - 1);
      for (let sent = 0; sent < count;) {
        const n = Math.min(WINDOW, count - sent);
        for (let i = 0; i < n; i++) sender.send(frame);
        sent += n;
        const windowTarget = target - (count - sent) * (MEMBERS - 1);
        while (received < windowTarget) {
          if (Date.now() > DEADLINE) throw new Error('benchmark timed out');
          await new Promise((r) => {
            wake = r;
            setTimeout(r, 1000);
          });
        }
      }
    };
    await send(WARMUP);
    let scrapes = 0;
    let scraping = metrics;
    const scraper = (async () => {
      while (scraping) {
        const res = await fetch(`${base}/metrics`);
        if (res.ok) scrapes++;
        await res.text();
        await sleep(1000);
      }
    })();
    const cpu0 = cpuSeconds(proc.pid);
    const start = performance.now();
    const before = received;
    await send(FRAMES);
    const seconds = (performance.now() - start) / 1000;
    const cpu = cpuSeconds(proc.pid) - cpu0;
    scraping = false;
    await scraper;
    const deliveries = received - before;
    for (const ws of sockets) ws.terminate();
    return {
      metrics,
      deliveriesPerSec: deliveries / seconds,
      cpuMsPer1000: (cpu * 1e6) / deliveries,
      seconds,
      scrapes,
    };
  } finally {
    proc.kill('SIGKILL');
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = [];
for (let r = 0; r < RUNS; r++) {
  // Alternate which mode goes first so drift (thermal, neighbours) hits both equally.
  for (const m of r % 2 === 0 ? [true, false] : [false, true]) {
    const res = await run(m);
    results.push(res);
    console.log(
      `run ${r + 1} METRICS=${m ? 1 : 0}: ${Math.round(res.deliveriesPerSec)} deliveries/s, ` +
        `relay CPU ${res.cpuMsPer1000.toFixed(2)} ms per 1000 deliveries, ${res.scrapes} scrapes`,
    );
  }
}
const on = results.filter((r) => r.metrics);
const off = results.filter((r) => !r.metrics);
const tputOn = median(on.map((r) => r.deliveriesPerSec));
const tputOff = median(off.map((r) => r.deliveriesPerSec));
const cpuOn = median(on.map((r) => r.cpuMsPer1000));
const cpuOff = median(off.map((r) => r.cpuMsPer1000));
const tputDelta = ((tputOn - tputOff) / tputOff) * 100;
const cpuDelta = ((cpuOn - cpuOff) / cpuOff) * 100;
const within = Math.abs(Math.min(0, tputDelta)) <= 5;
// Paired by round (same machine state): the relay's CPU per delivery, on against off.
const paired = [];
for (let i = 0; i + 1 < results.length; i += 2) {
  const [x, y] = [results[i], results[i + 1]];
  const [a, b] = x.metrics ? [x, y] : [y, x];
  paired.push(((a.cpuMsPer1000 - b.cpuMsPer1000) / b.cpuMsPer1000) * 100);
}
const pct = (n) => `${n >= 0 ? '+' : ''}${n.toFixed(1)} %`;
console.log(
  `median: METRICS=1 ${Math.round(tputOn)}/s, METRICS=0 ${Math.round(tputOff)}/s ` +
    `(${tputDelta.toFixed(1)} %); relay CPU per delivery ${cpuDelta >= 0 ? '+' : ''}${cpuDelta.toFixed(1)} %; ` +
    `${within ? 'within' : 'NOT within'} 5 %`,
);

if (!args.includes('--no-write')) {
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const rows = results
    .map(
      (r, i) =>
        `| ${Math.floor(i / 2) + 1} | ${r.metrics ? 1 : 0} | ${fmt(r.deliveriesPerSec)} | ${r.cpuMsPer1000.toFixed(2)} | ${r.scrapes} |`,
    )
    .join('\n');
  const section = `<!-- metrics-overhead:start -->
## Metrics overhead

\`node apps/relay/bench/metrics-overhead.mjs --runs ${RUNS} --frames ${FRAMES} --members ${MEMBERS}\`
(${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, ${cpus().length} cores shared with
other work, loopback). One room of ${MEMBERS} members, one sender, ${FRAMES} frames of ${PAYLOAD} bytes in
windows of ${WINDOW}: ${fmt(FRAMES * (MEMBERS - 1))} deliveries per run. \`METRICS=1\` runs are scraped every
second (Prometheus usually scrapes every 15–30 s); \`METRICS=0\` has no registry, no Node collectors
and no fan-out timing. Modes alternate; the load generator runs on the same machine, so
deliveries/s is bounded by both processes; relay CPU per 1000 deliveries isolates the relay.

| run | METRICS | deliveries/s | relay CPU ms / 1000 deliveries | scrapes |
| --- | ------- | ------------ | ------------------------------ | ------- |
${rows}

**Median:** ${fmt(tputOn)} deliveries/s with metrics, ${fmt(tputOff)} without
(${pct(tputDelta)}); relay CPU per delivery ${pct(cpuDelta)}, paired by round
${paired.map(pct).join(', ')}. Deliveries/s and relay CPU per delivery both swing between runs of the
same mode here (other jobs share the two cores), so the verdict below is only as good as that
noise. ${
    within
      ? 'Throughput with metrics on is within 5 % of metrics off.'
      : 'Throughput with metrics on is **not** within 5 % of metrics off on this run.'
  }

Where the time goes (\`node --cpu-prof\`, one METRICS=1 run of 378,000 deliveries, 2026-11-22):
prom-client, the metrics module and the fan-out timing together took 17 ms of 5.2 s relay CPU
(0.3 %); kernel \`writev\` took 60 % and garbage collection 3–4 % in both modes. The differences
attributable to metrics are that 0.3 %; the rest of the spread in the table is kernel and machine
noise.
<!-- metrics-overhead:end -->`;
  const file = join(root, 'docs/benchmarks.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf('<!-- metrics-overhead:start -->');
  const end = text.indexOf('<!-- metrics-overhead:end -->');
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + section + text.slice(end + '<!-- metrics-overhead:end -->'.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  console.log('wrote docs/benchmarks.md (metrics-overhead section)');
}
