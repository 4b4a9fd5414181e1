// Local cluster harness: N relay pods on loopback + a real Redis + two real ingresses (nginx and
// haproxy, both hashing `roomId` consistently), driven from tests or from cli.mjs.
//
// One self-contained file on purpose: Node 24 runs it with native type stripping (cli.mjs imports
// it; no enums, no parameter properties, no relative .ts imports) and jest compiles it with SWC.
//
// Privacy: every temp file lives in one mkdtemp dir removed at down(); Redis runs with
// `--save '' --appendonly no` (RAM only); nginx has access_log off and logs only `crit` to
// stderr; haproxy has no `log` line at all. Process output is kept in a small in-memory tail for
// error messages, never written to disk.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// ---------------------------------------------------------------------------------------------
// Processes

const TAIL_BYTES = 8192;

/** Every child started by this module, so the exit hook can stop them all by pid. */
const liveChildren = new Set<ManagedProcess>();
/** Temp dirs to remove if the process exits without down(). */
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers can't wait, so this is a last resort; down() is the orderly path. nginx gets
  // SIGTERM (its fast shutdown also stops its workers, which SIGKILL on the master would orphan).
  process.on('exit', () => {
    for (const child of liveChildren) child.signalSync(child.gentleExit ? 'SIGTERM' : 'SIGKILL');
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  /** Send SIGTERM rather than SIGKILL from the exit hook (nginx). */
  gentleExit = false;
  exitInfo: ExitInfo | undefined;
  #tail = '';

  constructor(
    name: string,
    command: string,
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean },
  ) {
    installExitHook();
    this.name = name;
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) {
      // spawn reports ENOENT asynchronously; make it a clear synchronous error instead.
      throw new Error(`${name}: could not start ${command}`);
    }
    this.pid = this.child.pid;
    liveChildren.add(this);
    const keep = (chunk: Buffer) => {
      this.#tail = (this.#tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
      if (options.echo) process.stderr.write(`[${name}] ${chunk.toString('utf8')}`);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolveExit) => {
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        liveChildren.delete(this);
        resolveExit(this.exitInfo);
      });
      this.child.on('error', () => undefined);
    });
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Last few KB of the process's output (memory only), for error messages. */
  get tail(): string {
    return this.#tail;
  }

  signalSync(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /**
   * Sends `signal` (none for `null`: it was sent already), waits up to `timeoutMs`, then SIGKILL.
   * Resolves once the process is gone.
   */
  async stop(signal: NodeJS.Signals | null = 'SIGTERM', timeoutMs = 5000): Promise<ExitInfo> {
    if (!this.running) return this.exitInfo!;
    if (signal !== null) this.signalSync(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolveTimeout) => {
        timer = setTimeout(() => resolveTimeout(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) this.signalSync('SIGKILL');
    return this.exited;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}

/** A child process `waitFor` watches: it gives up (with the output) if the child exits first. */
export interface WatchedProcess {
  readonly name: string;
  readonly running: boolean;
  /** The last of its output, for the error message. */
  readonly tail?: string;
}

/**
 * Polls `probe` every 50 ms until it returns something other than undefined (a throw counts as
 * undefined), for at most `timeoutMs`. The one poll-until-ready helper of the harness, the bench
 * (bench/lib/proc.mjs) and the tests that start processes.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
  process?: WatchedProcess,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process !== undefined && !process.running) {
      throw new Error(`${what}: ${process.name} exited — output:\n${process.tail ?? ''}`);
    }
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not ready after ${timeoutMs} ms${process ? ` — output:\n${process.tail ?? ''}` : ''}`,
      );
    }
    await delay(50);
  }
}

// ---------------------------------------------------------------------------------------------
// Ports

const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 (asked from the kernel; never handed out twice by this process).
 * The one free-port helper: the relay's tests (test/support/relay-process.ts) and the bench
 * (bench/lib/proc.mjs) use this one.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolvePort, reject) => {
      const server = createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: no free port found');
}

async function httpText(url: string, timeoutMs = 1000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

// ---------------------------------------------------------------------------------------------
// Redis

/** Sends PING over a raw socket; resolves true on +PONG. No client library needed. */
export function redisPing(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolvePing) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePing(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString('latin1').startsWith('+PONG')));
  });
}

export interface RedisServerOptions {
  port?: number;
  /** Working directory (nothing is written there: no RDB, no AOF). Default: a new mkdtemp dir. */
  dir?: string;
  echo?: boolean;
}

/** A real redis-server on loopback, RAM only. `stop()`/`start()` keep the port (restart tests). */
export class RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly #ownsDir: boolean;
  readonly #echo: boolean;
  #process: ManagedProcess | undefined;

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(
      options.port ?? (await freePort()),
      options.dir,
      options.echo ?? false,
    );
    await server.start();
    return server;
  }

  private constructor(port: number, dir: string | undefined, echo: boolean) {
    this.port = port;
    this.#ownsDir = dir === undefined;
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'nullroom-redis-'));
    this.#echo = echo;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.running ? this.#process.pid : undefined;
  }

  get running(): boolean {
    return this.#process?.running ?? false;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    if (this.running) return;
    mkdirSync(this.dir, { recursive: true });
    // RAM only (BRIEF non-negotiable 1): no RDB snapshots, no AOF, nothing under `dir`.
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      '--logfile',
      '',
    ];
    this.#process = new ManagedProcess(`redis:${this.port}`, 'redis-server', args, {
      echo: this.#echo,
    });
    await waitFor(
      'redis-server',
      timeoutMs,
      async () => ((await redisPing(this.port)) ? true : undefined),
      this.#process,
    );
  }

  /** SIGTERM, then SIGKILL after 5 s. Everything in it is gone (RAM only). */
  async stop(): Promise<void> {
    await this.#process?.stop('SIGTERM', 5000);
  }

  async kill(): Promise<void> {
    await this.#process?.stop('SIGKILL', 5000);
  }

  /** Stops it and removes its (empty) working dir if it made one. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.#ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Ingress configuration

export interface Upstream {
  name: string;
  /** 1-based, stable for the pod's lifetime: haproxy's `id` (its consistent-hash key). */
  id: number;
  port: number;
}

/** Path both ingresses answer themselves with the config generation, to know a reload is live. */
export const INGRESS_PROBE_PATH = '/__ingress';

export function renderNginxConfig(input: {
  port: number;
  prefix: string;
  upstreams: Upstream[];
  generation: number;
}): string {
  const servers = input.upstreams.length
    ? input.upstreams.map(
        (u) => `    server 127.0.0.1:${u.port} max_fails=1 fail_timeout=2s; # ${u.name}`,
      )
    : ['    server 127.0.0.1:9 down; # no pods'];
  return `# Generated by deploy/local-cluster/cluster.ts — generation ${input.generation}
worker_processes 1;
daemon off;
pid ${input.prefix}/nginx.pid;
# Privacy: crit only (request lines, which carry roomId, are logged at error/info levels).
error_log stderr crit;
# No worker_shutdown_timeout: after a reload the old worker keeps serving the WebSockets it has
# until they close, as a production ingress must (a scale event must not cut live members).
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${input.prefix}/tmp/body;
  proxy_temp_path ${input.prefix}/tmp/proxy;
  fastcgi_temp_path ${input.prefix}/tmp/fastcgi;
  uwsgi_temp_path ${input.prefix}/tmp/uwsgi;
  scgi_temp_path ${input.prefix}/tmp/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream relay {
    # Ketama: removing a server moves only the keys that hashed to it.
    hash $arg_roomId consistent;
${servers.join('\n')}
  }
  server {
    listen 127.0.0.1:${input.port};
    location = ${INGRESS_PROBE_PATH} { return 200 "nginx ${input.generation}"; }
    location / {
      proxy_pass http://relay;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_connect_timeout 2s;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
      proxy_next_upstream error timeout;
    }
  }
}
`;
}

export function renderHaproxyConfig(input: {
  port: number;
  upstreams: Upstream[];
  generation: number;
  checkPath: string;
}): string {
  const servers = input.upstreams.map((u) => `  server ${u.name} 127.0.0.1:${u.port} id ${u.id}`);
  return `# Generated by deploy/local-cluster/cluster.ts — generation ${input.generation}
# No 'log' lines anywhere: nothing about requests is logged (privacy).
global
  maxconn 4096
  # A reload (-sf) lets the old process finish its connections, but not for the tunnel timeout.
  hard-stop-after 5s
defaults
  mode http
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  # WebSockets become tunnels after the upgrade.
  timeout tunnel 1h
  timeout client-fin 5s
frontend ingress
  bind 127.0.0.1:${input.port}
  http-request return status 200 content-type text/plain string "haproxy ${input.generation}" if { path ${INGRESS_PROBE_PATH} }
  default_backend relay
backend relay
  # The server 'id' is the consistent-hash key, so a pod keeps its place on the ring when others
  # come and go; ids are pinned per pod for that reason.
  balance url_param roomId
  hash-type consistent
  option httpchk GET ${input.checkPath}
  default-server check inter 500ms fall 2 rise 1
${servers.join('\n')}
`;
}

// ---------------------------------------------------------------------------------------------
// The cluster

export type PodState = 'starting' | 'running' | 'draining' | 'stopped' | 'killed' | 'crashed';

export interface PodInfo {
  name: string;
  id: number;
  /** Public (client-facing) port. */
  port: number;
  /** Internal (forwarding, metrics) port. */
  internalPort: number;
  /** What the pod publishes in the directory. */
  address: string;
  pid: number | undefined;
  state: PodState;
  url: string;
}

export interface LocalClusterOptions {
  /** Repository root; relative paths in `podCommand` resolve against it. Default: process.cwd(). */
  repoRoot?: string;
  /** Default: the real relay, `node apps/relay/dist/main.js` (node = this process's binary). */
  podCommand?: string[];
  /** Extra environment for every pod. */
  env?: Record<string, string>;
  /** Default: 32 random bytes, hex. */
  clusterSecret?: string;
  nginx?: boolean;
  haproxy?: boolean;
  /** Polled on a pod until 200 before it counts as started. Default `/health`. */
  healthPath?: string;
  /** haproxy's active check (unready pods leave its ring). Default `/ready`. */
  readyPath?: string;
  /** LOGGING for pods; default '0' (zero bytes). */
  logging?: string;
  /** Copy every child's output to this process's stderr (debugging). */
  echo?: boolean;
  startTimeoutMs?: number;
  /** How long a SIGTERMed pod may drain before SIGKILL. */
  drainTimeoutMs?: number;
  /**
   * The internal address a pod publishes (`POD_ADDRESS`), given its name and internal port.
   * Default `127.0.0.1:<internalPort>`. Tests put a recording proxy in front of a pod this way.
   */
  advertise?: (pod: { name: string; internalPort: number }) => string | Promise<string>;
}

interface PodRecord extends Upstream {
  internalPort: number;
  /** What the pod publishes in the directory (POD_ADDRESS). */
  address: string;
  state: PodState;
  process: ManagedProcess | undefined;
  env: Record<string, string>;
  /** Counted in the ingress configs (false once removed). */
  member: boolean;
}

interface Ingress {
  kind: 'nginx' | 'haproxy';
  port: number;
  process: ManagedProcess | undefined;
  /** haproxy: the config file the running process was started with. */
  conf?: string;
}

export class LocalCluster {
  readonly dir: string;
  readonly clusterSecret: string;
  readonly redis: RedisServer;
  readonly #options: Required<Omit<LocalClusterOptions, 'env' | 'clusterSecret' | 'advertise'>> & {
    env: Record<string, string>;
    advertise: LocalClusterOptions['advertise'];
  };
  readonly #pods = new Map<string, PodRecord>();
  readonly #ingresses: Ingress[] = [];
  #nextId = 1;
  #generation = 0;
  #down = false;

  /** Starts Redis, `pods` pods and the ingresses; resolves when everything answers. */
  static async up(pods: number, options: LocalClusterOptions = {}): Promise<LocalCluster> {
    if (!Number.isInteger(pods) || pods < 0 || pods > 32)
      throw new RangeError('pods: expected 0..32');
    const dir = mkdtempSync(join(tmpdir(), 'nullroom-cluster-'));
    const redis = await RedisServer.start({
      dir: join(dir, 'redis'),
      echo: options.echo ?? false,
    }).catch((error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    const cluster = new LocalCluster(dir, redis, options);
    try {
      await Promise.all(Array.from({ length: pods }, () => cluster.#startNewPod()));
      await cluster.#startIngresses();
      return cluster;
    } catch (error) {
      await cluster.down();
      throw error;
    }
  }

  private constructor(dir: string, redis: RedisServer, options: LocalClusterOptions) {
    this.dir = dir;
    liveDirs.add(dir);
    this.redis = redis;
    this.clusterSecret = options.clusterSecret ?? randomBytes(32).toString('hex');
    const repoRoot = resolve(options.repoRoot ?? process.cwd());
    this.#options = {
      repoRoot,
      podCommand: options.podCommand ?? [process.execPath, 'apps/relay/dist/main.js'],
      env: options.env ?? {},
      nginx: options.nginx ?? true,
      haproxy: options.haproxy ?? true,
      healthPath: options.healthPath ?? '/health',
      readyPath: options.readyPath ?? '/ready',
      logging: options.logging ?? '0',
      echo: options.echo ?? false,
      startTimeoutMs: options.startTimeoutMs ?? 15_000,
      drainTimeoutMs: options.drainTimeoutMs ?? 15_000,
      advertise: options.advertise,
    };
  }

  // -- views ----------------------------------------------------------------------------------

  get nginxUrl(): string | undefined {
    const ingress = this.#ingresses.find((i) => i.kind === 'nginx');
    return ingress ? `http://127.0.0.1:${ingress.port}` : undefined;
  }

  get haproxyUrl(): string | undefined {
    const ingress = this.#ingresses.find((i) => i.kind === 'haproxy');
    return ingress ? `http://127.0.0.1:${ingress.port}` : undefined;
  }

  /** Every pod ever started and not removed, plus removed ones (state 'stopped'). */
  pods(): PodInfo[] {
    return [...this.#pods.values()].map((pod) => this.#info(pod));
  }

  pod(name: string): PodInfo {
    return this.#info(this.#record(name));
  }

  /** Pods currently in the ingress configs. */
  members(): PodInfo[] {
    return this.pods().filter((pod) => this.#pods.get(pod.name)!.member);
  }

  // -- lifecycle ------------------------------------------------------------------------------

  /** Starts one more pod, adds it to both ingresses and reloads them. */
  async addPod(env: Record<string, string> = {}): Promise<PodInfo> {
    const pod = await this.#startNewPod(env);
    await this.reloadIngress();
    return this.#info(pod);
  }

  /**
   * Scale-down: SIGTERM (the pod drains), take it out of both ingresses and reload them while it
   * drains (as Kubernetes removes a terminating pod's endpoint), then wait for it to exit.
   */
  async removePod(name: string): Promise<ExitInfo | undefined> {
    const pod = this.#record(name);
    if (!pod.member) throw new Error(`removePod: ${name} was already removed`);
    pod.member = false;
    const child = pod.process;
    if (child?.running) {
      pod.state = 'draining';
      child.signalSync('SIGTERM');
    }
    await this.reloadIngress();
    // No second SIGTERM: to the relay a second signal means "exit now", which would cut the
    // members it is draining (1006 instead of 1012) whenever the reload is quicker than the grace.
    const exit = child ? await child.stop(null, this.#options.drainTimeoutMs) : undefined;
    pod.state = 'stopped';
    return exit;
  }

  /** kill -9: no drain, no release. The pod stays in the ingresses (as until Kubernetes notices). */
  async killPod(name: string): Promise<void> {
    const pod = this.#record(name);
    pod.state = 'killed';
    await pod.process?.stop('SIGKILL', 5000);
  }

  /**
   * SIGSTOP: the pod is frozen (a stalled event loop, a stop-the-world pause) but alive: its
   * sockets stay open and its directory entries live on until their TTL. `resumePod` is SIGCONT.
   */
  pausePod(name: string): void {
    this.#record(name).process?.signalSync('SIGSTOP');
  }

  resumePod(name: string): void {
    this.#record(name).process?.signalSync('SIGCONT');
  }

  /** Stops the pod if it runs (drain), then starts it again with the same name and ports. */
  async restartPod(name: string): Promise<PodInfo> {
    const pod = this.#record(name);
    if (pod.process?.running) {
      pod.state = 'draining';
      await pod.process.stop('SIGTERM', this.#options.drainTimeoutMs);
    }
    await this.#startPod(pod);
    if (!pod.member) {
      pod.member = true;
      await this.reloadIngress();
    }
    return this.#info(pod);
  }

  stopRedis(): Promise<void> {
    return this.redis.stop();
  }

  startRedis(): Promise<void> {
    return this.redis.start();
  }

  /**
   * Rewrites both configs from the current members and reloads: nginx with `nginx -s reload`
   * (its own prefix and pid file), haproxy by starting a new process with `-sf <old pid>`.
   * Resolves once each ingress answers the probe path with the new generation.
   */
  async reloadIngress(): Promise<void> {
    if (this.#ingresses.length === 0) return;
    const generation = ++this.#generation;
    await Promise.all(this.#ingresses.map((ingress) => this.#reload(ingress, generation)));
  }

  /** Stops everything by pid (pods drain first, in parallel) and removes the temp dir. */
  async down(): Promise<void> {
    if (this.#down) return;
    this.#down = true;
    await Promise.all(
      [...this.#pods.values()].map(async (pod) => {
        if (pod.process?.running)
          await pod.process.stop('SIGTERM', Math.min(this.#options.drainTimeoutMs, 5000));
        pod.state = 'stopped';
      }),
    );
    await Promise.all(this.#ingresses.map((ingress) => ingress.process?.stop('SIGTERM', 5000)));
    await this.redis.stop();
    rmSync(this.dir, { recursive: true, force: true });
    liveDirs.delete(this.dir);
  }

  /** Every pid this cluster started that is still alive (tests assert it is empty after down()). */
  livePids(): number[] {
    const pids: number[] = [];
    for (const pod of this.#pods.values()) if (pod.process?.running) pids.push(pod.process.pid);
    for (const ingress of this.#ingresses)
      if (ingress.process?.running) pids.push(ingress.process.pid);
    if (this.redis.pid !== undefined) pids.push(this.redis.pid);
    return pids;
  }

  // -- internals ------------------------------------------------------------------------------

  #record(name: string): PodRecord {
    const pod = this.#pods.get(name);
    if (pod === undefined) throw new RangeError(`pod: no pod named ${name}`);
    return pod;
  }

  #info(pod: PodRecord): PodInfo {
    return {
      name: pod.name,
      id: pod.id,
      port: pod.port,
      internalPort: pod.internalPort,
      address: pod.address,
      pid: pod.process?.running ? pod.process.pid : undefined,
      state: pod.state,
      url: `http://127.0.0.1:${pod.port}`,
    };
  }

  async #startNewPod(env: Record<string, string> = {}): Promise<PodRecord> {
    if (this.#down) throw new Error('cluster is down');
    const id = this.#nextId++;
    const [port, internalPort] = [await freePort(), await freePort()];
    const pod: PodRecord = {
      name: `pod-${id}`,
      id,
      port,
      internalPort,
      address: `127.0.0.1:${internalPort}`,
      state: 'starting',
      process: undefined,
      env,
      member: true,
    };
    this.#pods.set(pod.name, pod);
    await this.#startPod(pod);
    return pod;
  }

  async #startPod(pod: PodRecord): Promise<void> {
    const [command, ...args] = this.#options.podCommand;
    if (command === undefined) throw new RangeError('podCommand: empty');
    const { advertise } = this.#options;
    if (advertise !== undefined)
      pod.address = await advertise({ name: pod.name, internalPort: pod.internalPort });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOGGING: this.#options.logging,
      ...this.#options.env,
      ...pod.env,
      PORT: String(pod.port),
      INTERNAL_PORT: String(pod.internalPort),
      POD_NAME: pod.name,
      POD_ADDRESS: pod.address,
      REDIS_URL: this.redis.url,
      CLUSTER_SECRET: this.clusterSecret,
    };
    pod.state = 'starting';
    const child = new ManagedProcess(pod.name, command, args, {
      cwd: this.#options.repoRoot,
      env,
      echo: this.#options.echo,
    });
    pod.process = child;
    void child.exited.then(() => {
      // Only an exit nobody asked for is a crash; the harness itself survives it either way.
      if (pod.process === child && (pod.state === 'running' || pod.state === 'starting'))
        pod.state = 'crashed';
    });
    await waitFor(
      `${pod.name} ${this.#options.healthPath}`,
      this.#options.startTimeoutMs,
      async () =>
        (await httpText(`http://127.0.0.1:${pod.port}${this.#options.healthPath}`)).status === 200
          ? true
          : undefined,
      child,
    );
    pod.state = 'running';
  }

  #upstreams(): Upstream[] {
    return [...this.#pods.values()]
      .filter((p) => p.member)
      .map(({ name, id, port }) => ({ name, id, port }));
  }

  async #startIngresses(): Promise<void> {
    const kinds = (['nginx', 'haproxy'] as const).filter((kind) => this.#options[kind]);
    for (const kind of kinds)
      this.#ingresses.push({ kind, port: await freePort(), process: undefined });
    this.#generation++;
    await Promise.all(this.#ingresses.map((ingress) => this.#reload(ingress, this.#generation)));
  }

  async #reload(ingress: Ingress, generation: number): Promise<void> {
    if (ingress.kind === 'nginx') await this.#reloadNginx(ingress, generation);
    else await this.#reloadHaproxy(ingress, generation);
    const expected = `${ingress.kind} ${generation}`;
    // haproxy's old and new processes share the port (SO_REUSEPORT) for a moment: require a few
    // consecutive answers from the new generation.
    let streak = 0;
    await waitFor(
      `${ingress.kind} generation ${generation}`,
      10_000,
      async () => {
        const { body } = await httpText(`http://127.0.0.1:${ingress.port}${INGRESS_PROBE_PATH}`);
        streak = body === expected ? streak + 1 : 0;
        return streak >= 3 ? true : undefined;
      },
      ingress.process,
    );
  }

  async #reloadNginx(ingress: Ingress, generation: number): Promise<void> {
    const prefix = join(this.dir, 'nginx');
    const conf = join(prefix, 'nginx.conf');
    mkdirSync(join(prefix, 'tmp'), { recursive: true });
    // Workers drop to an unprivileged user when nginx starts as root; they need the temp paths.
    chmodSync(this.dir, 0o711);
    chmodSync(prefix, 0o711);
    chmodSync(join(prefix, 'tmp'), 0o777);
    writeFileSync(
      conf,
      renderNginxConfig({ port: ingress.port, prefix, upstreams: this.#upstreams(), generation }),
    );
    // -e: the error log used before the config is read (else the compiled-in /var/log path).
    const base = ['-p', prefix, '-c', conf, '-e', 'stderr'];
    const test = spawnSync('nginx', [...base, '-t', '-q'], { encoding: 'utf8' });
    if (test.status !== 0) throw new Error(`nginx -t failed:\n${test.stderr}`);
    if (ingress.process?.running) {
      const reload = spawnSync('nginx', [...base, '-s', 'reload'], { encoding: 'utf8' });
      if (reload.status !== 0) throw new Error(`nginx -s reload failed:\n${reload.stderr}`);
      return;
    }
    ingress.process = new ManagedProcess('nginx', 'nginx', base, { echo: this.#options.echo });
    ingress.process.gentleExit = true;
  }

  async #reloadHaproxy(ingress: Ingress, generation: number): Promise<void> {
    const conf = join(this.dir, `haproxy-${generation}.cfg`);
    writeFileSync(
      conf,
      renderHaproxyConfig({
        port: ingress.port,
        upstreams: this.#upstreams(),
        generation,
        checkPath: this.#options.readyPath,
      }),
    );
    const check = spawnSync('haproxy', ['-c', '-q', '-f', conf], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy -c failed:\n${check.stderr}${check.stdout}`);
    const old = ingress.process;
    // -db: foreground, so the pid we hold is haproxy itself. -sf: the old process stops listening
    // once the new one is up and finishes its connections (bounded by hard-stop-after).
    const args = ['-db', '-q', '-f', conf, ...(old?.running ? ['-sf', String(old.pid)] : [])];
    ingress.process = new ManagedProcess('haproxy', 'haproxy', args, { echo: this.#options.echo });
    const oldConf = ingress.conf;
    ingress.conf = conf;
    if (old && oldConf) void old.exited.then(() => rmSync(oldConf, { force: true }));
  }
}

/** Shorthand for tests: `const cluster = await up(3, { podCommand: [...] })`. */
export function up(pods: number, options: LocalClusterOptions = {}): Promise<LocalCluster> {
  return LocalCluster.up(pods, options);
}

/** The stand-in pod (HTTP + WebSocket echo of POD_NAME) for harness tests without the relay. */
export const FAKE_POD_SCRIPT = 'deploy/local-cluster/fake-pod.mjs';
