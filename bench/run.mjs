#!/usr/bin/env node
// npm run bench — every number in docs/benchmarks.md comes from here, in one bounded run on
// loopback:
//   1. idle memory per connection: 1024 idle members, RSS with them minus RSS without them;
//   2. room-256 at a ladder of offered rates (msgs/s per peer), alternating bare ws baseline,
//      one Nullroom pod and the local 3-pod cluster at each level, until a target first fails
//      (a failure is any k6 threshold: loss, duplicates, failed joins, cut sockets, p99 ≥ 100 ms);
//   3. rooms-many against one pod and the cluster; ring-change against the cluster.
// The cluster leg needs deploy/local-cluster and a relay that runs as a cluster; when either is
// missing it is skipped, and the doc says so and why. Raw results: tmp/bench/bench.json.
//
//   npm run bench                      full run (8–12 minutes on 2 cores, cluster leg included)
//   npm run bench -- --quick           two rate levels, shorter windows (a few minutes)
//   BENCH_RATES=0.1,0.2 npm run bench  choose the ladder
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { digest, k6Binary, k6Version, runK6 } from './lib/k6.mjs';
import { delay, rssBytes, Sampler, windowStats } from './lib/proc.mjs';
import { writeReport } from './report.mjs';
import {
  clusterHarnessMissing,
  collectGarbage,
  clusterSupportMissing,
  RELAY_MAIN,
  ROOT,
  startBare,
  startCluster,
  startRelay,
} from './lib/targets.mjs';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'skip-cluster': { type: 'boolean', default: false },
    out: { type: 'string' },
    // Development aid: run only some parts (idle,ladder,rooms,ring). A partial run writes
    // tmp/bench/bench.json but no doc unless --out is given.
    only: { type: 'string' },
  },
});

const QUICK = flags.quick;
const PARTS = flags.only ? new Set(flags.only.split(',')) : undefined;
const part = (name) => PARTS === undefined || PARTS.has(name);
const RATES = (process.env.BENCH_RATES ?? (QUICK ? '0.1,0.3' : '0.1,0.2,0.4,0.6,0.8,1.0,1.2'))
  .split(',')
  .map(Number)
  .filter((r) => r > 0);
const LADDER = {
  PEERS: 256,
  VUS: 16,
  DURATION: QUICK ? 6 : 10,
  CONNECT_S: 4,
  DRAIN_S: 3,
  P99_MS: 100,
};
const IDLE = { PEERS: 1024, ROOMS: 4, VUS: 16, HOLD_S: 8, CONNECT_S: 12 };
// Under tmp/ (ignored by git and prettier): raw k6 summaries are run output, not sources.
const RESULTS = join(ROOT, 'tmp/bench');

if (process.platform !== 'linux') {
  console.error('bench: needs Linux (/proc) to sample CPU and memory');
  process.exit(2);
}
const K6 = k6Binary();
if (K6 === undefined) {
  console.error('bench: k6 not found (set K6, or build it: scripts/install-test-deps.sh)');
  process.exit(2);
}

const log = (line) => console.log(`bench: ${line}`);
const bench = {
  command: 'npm run bench' + (QUICK ? ' -- --quick' : ''),
  only: flags.only,
  startedAt: new Date().toISOString(),
  machine: machine(),
  ladder: { ...LADDER, rates: RATES },
  idle: {},
  room256: [],
  roomsMany: {},
  ringChange: undefined,
  notes: [],
  retries: [],
  cluster: { ran: false, reason: undefined },
};

function machine() {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    k6: k6Version(K6),
    loadavgBefore: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function build() {
  if (flags['no-build']) return;
  log('building the relay (npx tsc -b apps/relay/tsconfig.app.json)');
  const out = spawnSync('npx', ['tsc', '-b', 'apps/relay/tsconfig.app.json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300000,
  });
  if (out.status !== 0) {
    if (!existsSync(RELAY_MAIN)) throw new Error(`relay build failed:\n${out.stdout}${out.stderr}`);
    const note = 'the relay build failed; the bench measured the existing apps/relay/dist';
    bench.notes.push(note);
    log(note);
  }
}

/** One k6 run against `target`, with CPU/RSS of the target and of k6 sampled over its window. */
async function measure(target, script, envAndHooks, label, timeoutMs) {
  const { during, ...env } = envAndHooks;
  const summaryPath = join(RESULTS, `${label}.json`);
  const connectS = Number(env.CONNECT_S ?? 5);
  // k6 needs about a second to start 16 VUs; the window starts on the wall clock for everyone.
  const startAt = Date.now() + 1500 + connectS * 1000;
  const targetSampler = new Sampler(target.pids);
  let k6Pid;
  const k6Sampler = new Sampler(() => (k6Pid ? [k6Pid] : []));
  const run = runK6(
    K6,
    script,
    { ...env, BASE_URL: target.baseUrl, PROTOCOL: target.protocol, START_AT: startAt },
    summaryPath,
    {
      timeoutMs,
      onStart: (pid) => (k6Pid = pid),
    },
  );
  const result = await (during ? Promise.all([run, during(startAt)]).then(([r]) => r) : run);
  const samples = targetSampler.stop();
  const k6Samples = k6Sampler.stop();
  const d = digest(result.summary);
  const window = d?.window;
  const stats = window ? windowStats(samples, window.startAt, window.endAt) : undefined;
  const k6Stats = window ? windowStats(k6Samples, window.startAt, window.endAt) : undefined;
  return {
    label,
    target: target.key,
    code: result.code,
    timedOut: result.timedOut,
    passed: result.code === 0 && !result.timedOut,
    ...d,
    cpuCores: stats?.cores,
    rssPeak: stats?.rssPeak,
    rssMean: stats?.rssMean,
    k6Cores: k6Stats?.cores,
    machineCores: stats?.machineCores,
    windowSeconds: stats?.seconds,
  };
}

function rssOf(pids) {
  return pids().reduce((sum, pid) => sum + (rssBytes(pid) ?? 0), 0);
}

/** Median of a few RSS samples a quarter second apart (smooths one-off allocation spikes). */
async function settledRss(pids) {
  const samples = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssOf(pids));
    await delay(250);
  }
  return samples.sort((a, b) => a - b)[2];
}

/**
 * Memory of 1024 idle members (4 rooms of 256; one room for the baseline): RSS and JS heap after
 * a forced full GC (through the Node inspector) with them minus without them, per connection;
 * plus the RSS difference without forcing a GC, which also counts garbage left by the joins.
 */
async function idleMemory(target, rssPids) {
  await delay(1000);
  const heap0 = await collectGarbage(target);
  const rss0 = await settledRss(rssPids);
  const at = {};
  const during = async (startAt) => {
    await delay(Math.max(0, startAt + 1000 - Date.now()));
    at.rssNoGc = await settledRss(rssPids);
    at.heap = await collectGarbage(target);
    at.rss = await settledRss(rssPids);
  };
  const r = await measure(
    { ...target, pids: rssPids },
    'k6/room-256.js',
    { ...IDLE, RATE: '0', during },
    `idle-${target.key}`,
    90000,
  );
  const per = (a, b) => (a !== undefined && b !== undefined ? (a - b) / IDLE.PEERS : undefined);
  return {
    connections: IDLE.PEERS,
    rssBefore: rss0,
    rssIdle: at.rss,
    rssIdleNoGc: at.rssNoGc,
    heapBefore: heap0,
    heapIdle: at.heap,
    bytesPerConnection: per(at.rss, rss0),
    bytesPerConnectionNoGc: per(at.rssNoGc, rss0),
    heapPerConnection: per(at.heap, heap0),
    gc: heap0 !== undefined,
    passed: r.passed,
    joinP99: r.joinP99,
  };
}

/** Mean of the idle runs' figures, keeping each run's for the doc. */
function combineIdle(runs) {
  const mean = (key) => {
    const values = runs.map((r) => r[key]).filter((v) => v !== undefined);
    return values.length ? values.reduce((a, v) => a + v, 0) / values.length : undefined;
  };
  const out = { runs, connections: runs[0].connections, gc: runs.every((r) => r.gc) };
  for (const key of [
    'rssBefore',
    'rssIdle',
    'rssIdleNoGc',
    'heapBefore',
    'heapIdle',
    'bytesPerConnection',
    'bytesPerConnectionNoGc',
    'heapPerConnection',
    'joinP99',
  ]) {
    out[key] = mean(key);
  }
  out.passed = runs.every((r) => r.passed);
  return out;
}

/** A short unrecorded run so JIT warm-up and first allocations do not land in the first level. */
async function warmUp(target) {
  await measure(
    target,
    'k6/room-256.js',
    { ...LADDER, RATE: String(RATES[0]), DURATION: '3', CONNECT_S: '4' },
    `warmup-${target.key}`,
    60000,
  );
}

async function ladder(targets) {
  const failed = new Set();
  for (const target of targets) {
    target.rssBaseline = await settledRss(target.pids);
    log(`warm-up: ${target.name}`);
    await warmUp(target);
  }
  for (const [level, rate] of RATES.entries()) {
    // Alternate who goes first at each level, so a drift in background load favours no one.
    const order = level % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      if (failed.has(target.key)) continue;
      // A level fails only if it fails twice in a row: the machine is shared, and one burst of
      // someone else's work should not end a target's ladder. Both attempts are recorded.
      let r;
      for (let attempt = 1; attempt <= 2; attempt++) {
        log(
          `room-256 at ${rate} msg/s per peer against ${target.name}${attempt > 1 ? ' (retry)' : ''}`,
        );
        r = await measure(
          target,
          'k6/room-256.js',
          { ...LADDER, RATE: String(rate) },
          `room-256-${target.key}-${rate}${attempt > 1 ? '-retry' : ''}`,
          120000,
        );
        r.rate = rate;
        r.attempt = attempt;
        r.offeredPerSecond = LADDER.PEERS * (LADDER.PEERS - 1) * rate;
        r.rssBaseline = target.rssBaseline;
        log(
          `  ${r.passed ? 'sustained' : 'NOT sustained'}: p50 ${r.p50} ms, p99 ${r.p99} ms, lost ${r.lost}, ` +
            `cpu ${r.cpuCores?.toFixed(2)} cores, k6 ${r.k6Cores?.toFixed(2)} cores`,
        );
        if (r.passed) break;
        if (attempt === 1) bench.retries.push({ target: target.key, rate, firstAttempt: r });
      }
      bench.room256.push(r);
      if (!r.passed) failed.add(target.key);
    }
  }
}

async function roomsMany(target) {
  log(`rooms-many against ${target.name}`);
  return measure(
    target,
    'k6/rooms-many.js',
    { DURATION: QUICK ? '10' : '15', RATE: '1', CONNECT_S: '5', DRAIN_S: '3' },
    `rooms-many-${target.key}`,
    120000,
  );
}

async function ringChange(target) {
  log(`ring-change against ${target.name}: add a pod, then drain pod-1, during the run`);
  const duration = 24;
  const events = [];
  const during = async (startAt) => {
    await delay(Math.max(0, startAt + 6000 - Date.now()));
    const added = await target.cluster.addPod();
    events.push({ at: Date.now() - startAt, what: `added ${added.name}` });
    await delay(Math.max(0, startAt + 12000 - Date.now()));
    events.push({ at: Date.now() - startAt, what: 'drain pod-1 (SIGTERM, out of the ingress)' });
    await target.cluster.removePod('pod-1');
    events.push({ at: Date.now() - startAt, what: 'pod-1 exited' });
  };
  const r = await measure(
    target,
    'k6/ring-change.js',
    { DURATION: String(duration), RATE: '2', CONNECT_S: '5', DRAIN_S: '4', during },
    'ring-change-cluster',
    150000,
  );
  r.events = events;
  return r;
}

async function withTarget(start, fn) {
  const target = await start();
  try {
    return await fn(target);
  } finally {
    await target.stop();
  }
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  build();

  // Cluster: can it run here at all, and does the relay behave as a cluster behind nginx?
  let clusterOk = !flags['skip-cluster'];
  if (flags['skip-cluster']) bench.cluster.reason = 'skipped on request (--skip-cluster)';
  const missing = clusterOk ? clusterHarnessMissing() : undefined;
  if (missing) {
    clusterOk = false;
    bench.cluster.reason = missing;
  }
  if (clusterOk) {
    log('probing the local cluster (3 pods + Redis + nginx)');
    try {
      await withTarget(startCluster, async (cluster) => {
        const probe = { refusals: 0, slowestMs: 0 };
        const why = await clusterSupportMissing(cluster.baseUrl, 6, probe);
        bench.cluster.probe = probe;
        if (why) {
          clusterOk = false;
          bench.cluster.reason = why;
        }
      });
    } catch (error) {
      clusterOk = false;
      bench.cluster.reason = `the local cluster did not start: ${String(error?.message ?? error).split('\n')[0]}`;
    }
  }
  if (!clusterOk) log(`cluster leg skipped: ${bench.cluster.reason}`);
  bench.cluster.ran = clusterOk;

  // 1. Idle memory, each on a fresh process.
  if (part('idle')) {
    log('idle memory: 1024 idle connections');
    const inspect = () => ({ inspect: true });
    // Twice each, alternating, on fresh processes: RSS moves by a few KiB per connection from
    // one process to the next (allocator and heap growth steps), so the doc shows both runs.
    const runs = { bare: [], single: [] };
    for (let i = 0; i < (QUICK ? 1 : 2); i++) {
      runs.bare.push(
        await withTarget(
          () => startBare(inspect()),
          (t) => idleMemory(t, t.pids),
        ),
      );
      runs.single.push(
        await withTarget(
          () => startRelay(inspect()),
          (t) => idleMemory(t, t.pids),
        ),
      );
    }
    bench.idle.bare = combineIdle(runs.bare);
    bench.idle.single = combineIdle(runs.single);
    if (clusterOk) {
      bench.idle.cluster = await withTarget(startCluster, (t) => idleMemory(t, t.podPids));
    }
  }

  // 2. The rate ladder, all targets up at once and taking turns at each level.
  const starters = [
    () => startBare(),
    () => startRelay(),
    ...(clusterOk ? [() => startCluster()] : []),
  ];
  const targets = [];
  if (part('ladder'))
    try {
      for (const start of starters) targets.push(await start());
      await ladder(targets);
    } finally {
      for (const target of targets) await target.stop();
    }

  // 3. Many rooms with churn; the ring change.
  if (part('rooms')) bench.roomsMany.single = await withTarget(() => startRelay(), roomsMany);
  if (clusterOk && part('rooms')) {
    bench.roomsMany.cluster = await withTarget(() => startCluster(), roomsMany);
  }
  if (clusterOk && part('ring')) {
    bench.ringChange = await withTarget(() => startCluster(), ringChange);
  }

  bench.finishedAt = new Date().toISOString();
  bench.machine.loadavgAfter = loadavg().map((x) => Math.round(x * 100) / 100);
  writeFileSync(join(RESULTS, 'bench.json'), JSON.stringify(bench, null, 2));
  const outPath = flags.out ?? (flags.only ? undefined : 'docs/benchmarks.md');
  if (outPath === undefined) {
    log('partial run (--only): wrote tmp/bench/bench.json, no doc');
    return;
  }
  const out = resolve(ROOT, outPath);
  mkdirSync(dirname(out), { recursive: true });
  writeReport(bench, out);
  log(`wrote ${outPath} and tmp/bench/bench.json`);
}

await main();
