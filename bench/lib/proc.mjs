// Process bookkeeping for the bench: start children we own, stop them by pid, and sample their
// CPU and memory from /proc (Linux only; the bench says so and stops elsewhere).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
// One free-port and one poll-until-ready helper for the whole repository (Node 24 loads the
// harness's TypeScript directly).
export { delay, freePort, waitFor } from '../../deploy/local-cluster/cluster.ts';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process used so far, or undefined once it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces; everything after the last ')' is space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes (VmRSS), or undefined once the process is gone. */
export function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Open sockets of a process (counts /proc/<pid>/fd links to socket inodes). */
export function socketCount(pid) {
  try {
    let n = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
      } catch {
        // closed while we looked
      }
    }
    return n;
  } catch {
    return 0;
  }
}

/** Children of `pid` (nginx workers of its master), from /proc/<n>/stat's ppid field. */
export function childPids(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

/** Whole-machine CPU busy seconds (all cores) from /proc/stat: for the load note in the doc. */
export function machineBusySeconds() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/**
 * Samples a set of pids every `everyMs` (CPU seconds and RSS summed over them, plus machine CPU).
 * `pids` is a function so a cluster's membership can change during the run.
 */
export class Sampler {
  constructor(pids, everyMs = 250) {
    this.pids = pids;
    this.samples = [];
    this.timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }

  sample() {
    let cpu = 0;
    let rss = 0;
    const pids = this.pids();
    for (const pid of pids) {
      cpu += cpuSeconds(pid) ?? 0;
      rss += rssBytes(pid) ?? 0;
    }
    this.samples.push({
      at: Date.now(),
      cpu,
      rss,
      machine: machineBusySeconds(),
      pids: pids.length,
    });
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    return this.samples;
  }
}

/**
 * Over the samples inside [from, to]: CPU cores used by the sampled pids, by the whole machine,
 * and peak / mean RSS. Undefined if the window holds fewer than two samples.
 */
export function windowStats(samples, from, to) {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  if (inside.length < 2) return undefined;
  const first = inside[0];
  const last = inside[inside.length - 1];
  const seconds = (last.at - first.at) / 1000;
  return {
    seconds,
    cores: Math.max(0, last.cpu - first.cpu) / seconds,
    machineCores: Math.max(0, last.machine - first.machine) / seconds,
    rssPeak: Math.max(...inside.map((s) => s.rss)),
    rssMean: inside.reduce((a, s) => a + s.rss, 0) / inside.length,
  };
}

/** A child process we started; stop() sends SIGTERM to its pid, then SIGKILL after a timeout. */
export class Child {
  constructor(name, command, args, options = {}) {
    this.name = name;
    this.proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.pid = this.proc.pid;
    this.out = '';
    const keep = (chunk) => {
      this.out = (this.out + chunk.toString()).slice(-16384);
      if (options.onOutput) options.onOutput(chunk.toString());
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.proc.once('error', () => undefined);
  }

  get running() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last of its output (waitFor shows it when the child exits early). */
  get tail() {
    return this.out;
  }

  async stop(timeoutMs = 10000) {
    if (!this.running) return this.exited;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}
