// Runs a k6 scenario as a child process (bounded in time, stopped by pid) and reads the JSON its
// handleSummary wrote.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Child } from './proc.mjs';
import { ROOT } from './targets.mjs';

/** K6 env var, else the binary scripts/install-test-deps.sh builds (go install, pinned). */
export function k6Binary() {
  if (process.env.K6) return process.env.K6;
  const tools = process.env.NULLROOM_TOOLS || join(homedir(), '.cache/nullroom-tools');
  const path = join(tools, 'bin/k6');
  return existsSync(path) ? path : undefined;
}

export function k6Version(bin) {
  const out = spawnSync(bin, ['version'], { encoding: 'utf8' });
  return (out.stdout || '').trim().split('\n')[0];
}

/**
 * @returns {Promise<{ code: number|null, summary: object|undefined, stdout: string, timedOut: boolean }>}
 *   code 0: thresholds held; 99: a threshold failed; anything else: k6 itself failed.
 */
export async function runK6(
  bin,
  script,
  env,
  summaryPath,
  { timeoutMs = 120000, echo = true, onStart } = {},
) {
  mkdirSync(dirname(summaryPath), { recursive: true });
  rmSync(summaryPath, { force: true });
  const args = ['run', '--quiet', '--no-color', '--no-usage-report'];
  for (const [key, value] of Object.entries({ ...env, SUMMARY_PATH: summaryPath })) {
    args.push('-e', `${key}=${value}`);
  }
  args.push(join(ROOT, script));
  let stdout = '';
  let partial = '';
  const child = new Child('k6', bin, args, {
    cwd: ROOT,
    // k6 reads no secrets from here; PATH and HOME only.
    // GOGC=400: k6 allocates per received frame; collecting less often leaves ~20% more of the
    // shared cores to the target (measured on the 2-core machine, same latency distribution).
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', GOGC: '400' },
    onOutput: (text) => {
      stdout += text;
      if (!echo) return;
      // Prefix whole lines only (chunks can end mid-line).
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`    │ ${line}\n`);
    },
  });
  if (onStart) onStart(child.pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void child.stop(5000);
  }, timeoutMs);
  const { code } = await child.exited;
  clearTimeout(timer);
  if (echo && partial) process.stdout.write(`    │ ${partial}\n`);
  const summary = existsSync(summaryPath)
    ? JSON.parse(readFileSync(summaryPath, 'utf8'))
    : undefined;
  return { code, summary, stdout, timedOut };
}

/** Pulls the numbers the report needs out of a room-256 / rooms-many / ring-change summary. */
export function digest(summary) {
  if (summary === undefined) return undefined;
  const m = summary.metrics;
  const v = (name, key) => m[name]?.values?.[key];
  return {
    p50: v('fanout_latency', 'med'),
    p90: v('fanout_latency', 'p(90)'),
    p99: v('fanout_latency', 'p(99)'),
    max: v('fanout_latency', 'max'),
    deliveries: v('fanout_deliveries', 'count') ?? 0,
    lost: v('fanout_lost', 'count') ?? 0,
    duplicated: v('fanout_duplicated', 'count') ?? 0,
    sent: v('frames_sent', 'count') ?? 0,
    sendLagP99: v('send_lag', 'p(99)'),
    joinP99: v('join_time', 'p(99)'),
    joinFailed: v('join_failed', 'count') ?? 0,
    joinRetries: v('join_retries', 'count') ?? 0,
    unexpectedCloses: v('ws_unexpected_closes', 'count') ?? 0,
    reconnectP99: v('reconnect_time', 'p(99)'),
    reconnectMax: v('reconnect_time', 'max'),
    reconnects: v('reconnect_time', 'count') ?? 0,
    churnLost: v('churn_lost', 'count'),
    roomsCreated: v('rooms_created', 'count'),
    reconnectFailed: v('reconnect_failed', 'count'),
    thresholdsFailed: summary.thresholdsFailed,
    window: summary.window,
    params: summary.params,
  };
}
