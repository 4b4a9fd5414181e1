/**
 * Seed 000's set-up, followed exactly, on a fresh clone of this repository's HEAD (commit first:
 * a clone has no uncommitted changes):
 *
 *   npm install
 *   cp .env.example .env   # edit API keys
 *   npm start
 *
 * The relay must come up with the settings of .env and refuse POST /rooms without the key set
 * there. npm install must print nothing but its summary (no `npm warn`). The clone borrows this
 * checkout's Nx cache, so `npm start`'s build restores outputs instead of compiling again (the
 * build itself is CI's build stage); npm's cache makes the install local.
 * NULLROOM_SKIP_FRESH_CLONE=1 leaves it out of a quick local run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/relay-process';

const ROOT = join(__dirname, '../../..');
const API_KEY = 'fresh-clone-api-key-0123456789';
/** The variables that say how this machine reaches the network: CA bundles and proxies. */
function machineNetworkEnv(): NodeJS.ProcessEnv {
  const keep =
    /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(https?|no)_proxy|(HTTPS?|NO)_PROXY)$/;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => keep.test(name)));
}

const suite = process.env.NULLROOM_SKIP_FRESH_CLONE === '1' ? describe.skip : describe;

/** Runs a command in the clone; resolves with its output, rejects with it on a non-zero exit. */
function run(
  cwd: string,
  env: NodeJS.ProcessEnv,
  command: string,
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) =>
      code === 0
        ? resolve({ stdout, stderr })
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stdout}\n${stderr}`)),
    );
  });
}

suite('seed-000 set-up on a fresh clone', () => {
  let dir: string;
  let relay: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nullroom-fresh-'));
    execFileSync('git', ['clone', '--quiet', ROOT, dir]);
  });

  afterAll(async () => {
    if (relay?.pid !== undefined && relay.exitCode === null) {
      // npm start runs in its own process group, which we created: stop all of it.
      const exited = new Promise((r) => relay!.once('exit', r));
      process.kill(-relay.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-relay!.pid!, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('npm install; cp .env.example .env (API key set); npm start → POST /rooms needs the key', async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // CI sets CI=true; a new user's shell does not. Nothing else from ours leaks in.
      // Speed only: the local npm cache first, no advisory or funding round trips.
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      NX_CACHE_DIRECTORY: join(ROOT, '.nx', 'cache'),
      // How this machine reaches the registry (a CA bundle, a proxy) is the machine's, not ours:
      // a user's shell has it too. Without it a cold npm cache cannot fetch anything.
      ...machineNetworkEnv(),
    };
    const install = await run(dir, env, 'npm', ['install']);
    expect(install.stderr).toBe('');
    expect(install.stdout.trim()).toMatch(/^(added|up to date)[^\n]*$/m);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/npm warn|ERESOLVE|allowScripts/i);

    const port = await freePort();
    const example = readFileSync(join(dir, '.env.example'), 'utf8');
    // "edit API keys": the one the seed asks for, plus where to listen and zero-log mode.
    const edited = example
      .replace(/^ANOCHAT_API_KEY=$/m, `ANOCHAT_API_KEY=${API_KEY}`)
      .replace(/^# PORT=8765$/m, `PORT=${port}`)
      .replace(/^# HOST=0\.0\.0\.0$/m, 'HOST=127.0.0.1')
      .replace(/^# LOGGING=1$/m, 'LOGGING=0')
      .replace(/^# DRAIN_GRACE_MS=3000$/m, 'DRAIN_GRACE_MS=0');
    expect(edited.match(/^(ANOCHAT_API_KEY|PORT|HOST|LOGGING|DRAIN_GRACE_MS)=/gm)).toHaveLength(5);
    writeFileSync(join(dir, '.env'), edited);

    // `--silent` keeps npm's own "> nullroom start" banner out; with LOGGING=0 the relay and the
    // build step print nothing either.
    const proc = spawn('npm', ['start', '--silent'], {
      cwd: dir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    relay = proc;
    let output = '';
    proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`npm start exited ${proc.exitCode}: ${output}`);
      const up = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) throw new Error(`the relay never answered: ${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    const refused = await fetch(`${base}/rooms`, { method: 'POST' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: 'unauthorized',
      message: 'missing or invalid API key',
    });
    const created = await fetch(`${base}/rooms`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY },
    });
    expect(created.status).toBe(201);
    // The build npm start ran serves the widget too.
    expect((await fetch(`${base}/widget/anochat-widget.js`)).status).toBe(200);
    expect(output).toBe('');
  }, 420_000);
});
