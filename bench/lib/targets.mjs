// The three things the bench measures, each started fresh and stopped by pid:
//   bare     the bare `ws` broadcast relay in bench/bare-ws-relay.mjs (the floor)
//   single   one Nullroom relay process (apps/relay/dist/main.js)
//   cluster  the local cluster harness (deploy/local-cluster): 3 pods + Redis + nginx hashing roomId
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Child, childPids, delay, freePort, waitFor } from './proc.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const RELAY_MAIN = join(ROOT, 'apps/relay/dist/main.js');
const CLUSTER_MODULE = join(ROOT, 'deploy/local-cluster/cluster.ts');

/** Load tests must not trip the abuse limits: they measure the relay, not its rate limiter. */
export const RELAY_ENV = {
  LOGGING: '0',
  WS_MAX_FRAMES_PER_SEC: '1000000',
  WS_MAX_BYTES_PER_SEC: String(1024 * 1024 * 1024),
  RATE_LIMIT_HTTP_MAX: '0',
  RATE_LIMIT_ROOMS_MAX: '0',
  RATE_LIMIT_WS_CONNECT_MAX: '0',
  MAX_CONNECTIONS: '0',
  MAX_ROOMS: '0',
};

async function healthy(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return res.ok ? true : undefined;
}

/**
 * `inspect`: start Node with its inspector on a random loopback port, so the bench can force a
 * full GC and read the JS heap (idle memory). Never used for the timed runs.
 */
function nodeArgs(inspect) {
  return inspect ? ['--inspect=127.0.0.1:0'] : [];
}

function watchInspector(target) {
  return (text) => {
    const match = /Debugger listening on (ws:\/\/\S+)/.exec(text);
    if (match) target.inspectorUrl = match[1];
  };
}

export async function startBare({ inspect = false } = {}) {
  let port;
  const seen = {};
  const onInspector = watchInspector(seen);
  const child = new Child(
    'bare-ws',
    process.execPath,
    [...nodeArgs(inspect), join(ROOT, 'bench/bare-ws-relay.mjs')],
    {
      env: { PATH: process.env.PATH ?? '', PORT: '0' },
      onOutput: (text) => {
        onInspector(text);
        const match = /listening (\d+)/.exec(text);
        if (match) port = Number(match[1]);
      },
    },
  );
  await waitFor('bare-ws', 10000, () => port, child);
  if (inspect) await waitFor('bare-ws inspector', 5000, () => seen.inspectorUrl, child);
  return {
    inspectorUrl: seen.inspectorUrl,
    name: 'bare ws',
    key: 'bare',
    protocol: 'bare',
    baseUrl: `http://127.0.0.1:${port}`,
    pids: () => (child.running ? [child.pid] : []),
    socketPid: child.pid,
    stop: () => child.stop(),
  };
}

export async function startRelay({ inspect = false, env: extraEnv = {} } = {}) {
  if (!existsSync(RELAY_MAIN)) throw new Error(`${RELAY_MAIN} is missing: build the relay first`);
  const port = await freePort();
  const seen = {};
  const child = new Child('relay', process.execPath, [...nodeArgs(inspect), RELAY_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...RELAY_ENV,
      ...extraEnv,
    },
    onOutput: watchInspector(seen),
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor('relay /health', 20000, () => healthy(`${baseUrl}/health`), child);
  if (inspect) await waitFor('relay inspector', 5000, () => seen.inspectorUrl, child);
  return {
    inspectorUrl: seen.inspectorUrl,
    name: 'Nullroom, 1 pod',
    key: 'single',
    protocol: 'nullroom',
    baseUrl,
    pids: () => (child.running ? [child.pid] : []),
    socketPid: child.pid,
    stop: () => child.stop(),
  };
}

/**
 * Why the cluster leg cannot run here, or undefined if it can be tried: the harness module and
 * the Debian binaries it drives must exist.
 */
export function clusterHarnessMissing() {
  if (!existsSync(CLUSTER_MODULE)) return 'deploy/local-cluster/cluster.ts is not in this tree';
  for (const bin of ['redis-server', 'nginx']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed`;
  }
  return undefined;
}

/** Starts the local cluster: `pods` relay pods, Redis, nginx (consistent hash on roomId). */
export async function startCluster(pods = 3) {
  const { LocalCluster } = await import(pathToFileURL(CLUSTER_MODULE).href);
  const cluster = await LocalCluster.up(pods, {
    repoRoot: ROOT,
    env: { ...RELAY_ENV, DRAIN_GRACE_MS: '500', DRAIN_RECONNECT_JITTER_MS: '1000' },
    nginx: true,
    haproxy: false,
  });
  // /health answers as soon as a pod listens; /ready only once it has registered in the
  // directory. Until then a join routed to another pod finds no address for its owner (1013).
  try {
    for (const pod of cluster.pods()) {
      await waitFor(`${pod.name} /ready`, 20000, () => healthy(`${pod.url}/ready`));
    }
  } catch (error) {
    await cluster.down();
    throw error;
  }
  const redisPid = () => cluster.redis.pid;
  return {
    name: `Nullroom, ${pods} pods + nginx`,
    key: 'cluster',
    protocol: 'nullroom',
    baseUrl: cluster.nginxUrl,
    cluster,
    /** Pods, nginx and its workers; Redis is left out (it is not on the message path). */
    pids: () => {
      const own = cluster.livePids().filter((pid) => pid !== redisPid());
      return [...own, ...own.flatMap((pid) => childPids(pid))];
    },
    podPids: () => cluster.pods().flatMap((pod) => (pod.pid ? [pod.pid] : [])),
    stop: () => cluster.down(),
  };
}

/**
 * Does the relay behind the ingress run as a cluster? Creates rooms through nginx (POST /rooms
 * has no roomId, so nginx sends every one to the same pod) and joins each through nginx (hashed
 * by roomId, so most land on another pod). A relay without cluster mode answers those joins with
 * 4404; one with it claims the room. Resolves with undefined when every join succeeds, else why.
 */
export async function clusterSupportMissing(
  baseUrl,
  rooms = 6,
  stats = { refusals: 0, slowestMs: 0 },
) {
  for (let i = 0; i < rooms; i++) {
    const res = await fetch(`${baseUrl}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'p2p', maxParticipants: 4 }),
    });
    if (res.status !== 201 && res.status !== 200)
      return `POST /rooms through nginx answered ${res.status}`;
    const { roomId, joinToken } = await res.json();
    const url = `${baseUrl.replace(/^http/, 'ws')}/ws?roomId=${roomId}&clientId=probe&joinToken=${joinToken}`;
    let verdict;
    // 1013 means "try again later": a claim may need a moment. Retry for up to 10 s, as a client
    // with backoff would, and keep how long it took (the doc reports it).
    const began = Date.now();
    let refusals = 0;
    for (;;) {
      verdict = await joinOnce(url);
      if (verdict === undefined || !verdict.includes('1013') || Date.now() - began > 10000) break;
      refusals++;
      await delay(300);
    }
    if (verdict === undefined && refusals > 0) {
      stats.refusals += refusals;
      stats.slowestMs = Math.max(stats.slowestMs, Date.now() - began);
    }
    if (verdict !== undefined) {
      return `the relay does not run as a cluster yet: a room created through nginx could not be joined through nginx within 10 s of retries — ${verdict}`;
    }
    await delay(20);
  }
  return undefined;
}

function joinOnce(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    const timer = setTimeout(() => resolve('no answer in 5 s'), 5000);
    ws.onmessage = (event) => {
      clearTimeout(timer);
      resolve(new Uint8Array(event.data)[0] === 0x82 ? undefined : 'first frame was not WELCOME');
      ws.close();
    };
    ws.onclose = (event) => {
      clearTimeout(timer);
      resolve(`join through the ingress was closed with ${event.code} (${event.reason})`);
    };
  });
}

/** One Chrome DevTools Protocol call over the Node inspector WebSocket (loopback). */
function inspectorCall(url, method) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`inspector ${method}: no answer`));
    }, 15000);
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method }));
    ws.onerror = () => reject(new Error(`inspector ${method}: connection failed`));
    ws.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      if (message.id !== 1) return;
      clearTimeout(timer);
      ws.close();
      resolve(message.result);
    };
  });
}

/** Full GC (twice: the second collects what the first's finalizers freed), then JS heap used. */
export async function collectGarbage(target) {
  if (!target.inspectorUrl) return undefined;
  await inspectorCall(target.inspectorUrl, 'HeapProfiler.collectGarbage');
  await inspectorCall(target.inspectorUrl, 'HeapProfiler.collectGarbage');
  const usage = await inspectorCall(target.inspectorUrl, 'Runtime.getHeapUsage');
  return usage.usedSize;
}
