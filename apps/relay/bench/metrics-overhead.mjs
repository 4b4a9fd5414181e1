#!/usr/bin/env node
// Metrics overhead: relay throughput with METRICS=1 (scraped every second) against METRICS=0,
// measured side by side so machine noise hits both the same.
//
// Two built relays (apps/relay/dist/main.js) run at once on loopback, one per mode, each with one
// room of MEMBERS members driven by one sender from this process. Frames go in windows of WINDOW,
// and the windows ALTERNATE between the two relays (A B B A A B ...): each window waits until
// every member has every frame, so a relay is measured only while it alone is busy, and drift on
// these shared cores (neighbours, thermal, GC of the load generator) lands on both within
// milliseconds. Throughput = deliveries / time spent in that relay's windows. The METRICS=1 relay
// is scraped about once a second, inside its own window, so the scrape's cost is charged to it.
// Each round is ROUND_FRAMES frames per relay; the verdict uses the median of the per-round
// ratios. Relay CPU per 1000 deliveries (from /proc) is reported beside it. Writes the table into
// docs/benchmarks.md between the metrics-overhead markers.
//
//   node apps/relay/bench/metrics-overhead.mjs [--rounds 7] [--frames 2000] [--members 64] [--no-write]
//     [--profile DIR]   both relays write a V8 CPU profile (.cpuprofile) into DIR
//     [--no-aa]         skip the A/A calibration (both relays METRICS=0) that follows
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { freePort } from '../../../deploy/local-cluster/cluster.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const MAIN = join(here, '../dist/main.js');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = opt('rounds', 7);
const ROUND_FRAMES = opt('frames', 2000);
const MEMBERS = opt('members', 64);
const PAYLOAD = opt('payload', 256);
const WINDOW = opt('window', 50);
const SCRAPE_EVERY_MS = opt('scrape-ms', 1000);
const WARMUP = 500;
const DEADLINE = Date.now() + opt('timeout', 300) * 1000;
const TICKS = 100; // USER_HZ on Linux
const PROFILE_DIR = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
};

/** A started relay with one room of MEMBERS members; `window(n)` sends n frames and waits. */
async function startRelay(metrics) {
  const port = await freePort();
  const nodeArgs = PROFILE_DIR
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        PROFILE_DIR,
        `--cpu-prof-name=metrics-${metrics ? 1 : 0}-${port}.cpuprofile`,
      ]
    : [];
  const proc = spawn(process.execPath, [...nodeArgs, MAIN], {
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
  const relay = {
    metrics,
    proc,
    base,
    received: 0,
    wake: () => undefined,
    sockets: [],
    seconds: 0,
    deliveries: 0,
    scrapes: 0,
    lastScrape: 0,
  };
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
          relay.received++;
          relay.wake();
        }
      });
    }
    relay.sockets.push(ws);
  }
  const frame = Buffer.alloc(1 + PAYLOAD);
  frame[0] = 0x01; // SEND
  /** Sends n frames and waits until every member has them all. */
  relay.window = async (n) => {
    const target = relay.received + n * (MEMBERS - 1);
    for (let i = 0; i < n; i++) relay.sockets[0].send(frame);
    while (relay.received < target) {
      if (Date.now() > DEADLINE) throw new Error('benchmark timed out');
      await new Promise((r) => {
        relay.wake = r;
        setTimeout(r, 1000);
      });
    }
  };
  return relay;
}

/** One timed window on `relay`; the metrics relay is scraped inside its window when due. */
async function timedWindow(relay, n) {
  const start = performance.now();
  if (relay.metrics && start - relay.lastScrape >= SCRAPE_EVERY_MS) {
    const res = await fetch(`${relay.base}/metrics`);
    await res.text();
    if (res.ok) relay.scrapes++;
    relay.lastScrape = start;
  }
  await relay.window(n);
  relay.seconds += (performance.now() - start) / 1000;
  relay.deliveries += n * (MEMBERS - 1);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const pct = (x) => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(1)} %`;

/**
 * ROUNDS rounds of alternating windows between a relay with `metricsA` and one with METRICS=0.
 * With metricsA false it is an A/A run: the same two setups, so any ratio away from 1 is this
 * method's own bias and noise on this machine at this moment.
 */
async function compare(metricsA) {
  const label = metricsA ? 'METRICS=1' : 'METRICS=0 (A/A)';
  const on = await startRelay(metricsA);
  // The scrape schedule is the same in the A/A run (a 404 from the METRICS=0 relay).
  on.metrics = true;
  const off = await startRelay(false);
  const rounds = [];
  try {
    for (const relay of [on, off]) await relay.window(WARMUP);
    for (let r = 0; r < ROUNDS; r++) {
      const snapshot = (relay) => ({
        seconds: relay.seconds,
        deliveries: relay.deliveries,
        cpu: cpuSeconds(relay.proc.pid),
        scrapes: relay.scrapes,
      });
      const before = { on: snapshot(on), off: snapshot(off) };
      // A B B A A B ...: whichever went second goes first next, so neither always follows the other.
      let order = r % 2 === 0 ? [on, off] : [off, on];
      for (let sent = 0; sent < ROUND_FRAMES; sent += WINDOW) {
        const n = Math.min(WINDOW, ROUND_FRAMES - sent);
        for (const relay of order) await timedWindow(relay, n);
        order = [order[1], order[0]];
      }
      const after = { on: snapshot(on), off: snapshot(off) };
      const measure = (k) => {
        const deliveries = after[k].deliveries - before[k].deliveries;
        return {
          deliveriesPerSec: deliveries / (after[k].seconds - before[k].seconds),
          cpuMsPer1000: ((after[k].cpu - before[k].cpu) * 1e6) / deliveries,
          scrapes: after[k].scrapes - before[k].scrapes,
        };
      };
      const round = { on: measure('on'), off: measure('off') };
      round.ratio = round.on.deliveriesPerSec / round.off.deliveriesPerSec;
      round.cpuRatio = round.on.cpuMsPer1000 / round.off.cpuMsPer1000;
      rounds.push(round);
      console.log(
        `round ${r + 1}: ${label} ${Math.round(round.on.deliveriesPerSec)}/s, METRICS=0 ` +
          `${Math.round(round.off.deliveriesPerSec)}/s (x${round.ratio.toFixed(3)}); relay CPU per ` +
          `1000 deliveries ${round.on.cpuMsPer1000.toFixed(2)} vs ${round.off.cpuMsPer1000.toFixed(2)} ms; ` +
          `${round.on.scrapes} scrapes`,
      );
    }
  } finally {
    for (const relay of [on, off]) {
      for (const ws of relay.sockets) ws.terminate();
      if (PROFILE_DIR === undefined) {
        relay.proc.kill('SIGKILL');
        continue;
      }
      // A profile is written on a clean exit only: SIGTERM drains (grace 0) and exits.
      const exited = new Promise((resolve) => relay.proc.once('exit', resolve));
      relay.proc.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      relay.proc.kill('SIGKILL');
    }
  }
  const result = {
    rounds,
    ratio: median(rounds.map((r) => r.ratio)),
    cpuRatio: median(rounds.map((r) => r.cpuRatio)),
    overall: on.deliveries / on.seconds / (off.deliveries / off.seconds),
  };
  console.log(
    `${label}/METRICS=0: median per-round throughput ratio ${result.ratio.toFixed(3)} ` +
      `(${pct(result.ratio)}); pooled ${result.overall.toFixed(3)}; relay CPU per delivery ` +
      `${pct(result.cpuRatio)}`,
  );
  return result;
}

const main = await compare(true);
const calibration = args.includes('--no-aa') ? undefined : await compare(false);
const { rounds, ratio, cpuRatio, overall } = main;
const within = ratio >= 0.95;
console.log(`throughput with metrics on is ${within ? 'within' : 'NOT within'} 5 % of metrics off`);

if (!args.includes('--no-write')) {
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const rows = rounds
    .map(
      (r, i) =>
        `| ${i + 1} | ${fmt(r.on.deliveriesPerSec)} | ${fmt(r.off.deliveriesPerSec)} | ${r.ratio.toFixed(3)} | ` +
        `${r.on.cpuMsPer1000.toFixed(2)} | ${r.off.cpuMsPer1000.toFixed(2)} | ${r.on.scrapes} |`,
    )
    .join('\n');
  const section = `<!-- metrics-overhead:start -->
## Metrics overhead

\`node apps/relay/bench/metrics-overhead.mjs --rounds ${ROUNDS} --frames ${ROUND_FRAMES} --members ${MEMBERS}\`
(${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, ${cpus().length} cores shared with
other work, loopback). Two relays run at once, \`METRICS=1\` and \`METRICS=0\`, each with one room of
${MEMBERS} members and one sender (${PAYLOAD}-byte frames). Windows of ${WINDOW} frames alternate between
the two relays (each window waits until every member has every frame), so each relay is timed
only while it alone works and machine noise falls on both alike. The \`METRICS=1\` relay is scraped
about every ${SCRAPE_EVERY_MS / 1000} s inside its own windows (Prometheus usually scrapes every 15–30 s), so the
scrape is charged to it; \`METRICS=0\` has no registry, no Node collectors and no fan-out timing. A
round is ${fmt(ROUND_FRAMES * (MEMBERS - 1))} deliveries per relay.

| round | deliveries/s METRICS=1 | deliveries/s METRICS=0 | ratio | relay CPU ms / 1000 deliveries, on | off | scrapes |
| ----- | ---------------------- | ---------------------- | ----- | ---------------------------------- | --- | ------- |
${rows}

**Median per-round ratio: ${ratio.toFixed(3)}** (${pct(ratio)} throughput with metrics on; all rounds
pooled: ${overall.toFixed(3)}); relay CPU per delivery ${pct(cpuRatio)} (median of rounds).${
    calibration === undefined
      ? ''
      : ` The same method with both relays at \`METRICS=0\` (A/A, ${ROUNDS} rounds, right after) gives
${calibration.ratio.toFixed(3)} throughput and ${pct(calibration.cpuRatio)} CPU per delivery: differences of that size are this
machine's noise and the method's bias, not metrics.`
  } ${
    within
      ? 'Throughput with metrics on is **within 5 %** of metrics off.'
      : 'Throughput with metrics on is **not** within 5 % of metrics off on this run.'
  }
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
