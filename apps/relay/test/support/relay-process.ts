import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
// The one free-port helper of the repository lives with the cluster harness (a deploy tool).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { freePort } from '../../../../deploy/local-cluster/cluster';

export { freePort };

/** The built relay entry point: tests run the real artifact, as `npm start` does. */
export const RELAY_MAIN = join(__dirname, '../../dist/main.js');

export interface RelayProcess {
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly proc: ChildProcess;
  /** Everything the process printed so far. */
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM and waits for exit; SIGKILL after `timeoutMs`. Returns the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Resolves with the exit code when the process ends by itself. */
  exited: Promise<number | null>;
}

/**
 * Starts `node apps/relay/dist/main.js` on a free loopback port with the given environment
 * (on top of quick test defaults) and waits until /health answers.
 */
export async function startRelay(env: Record<string, string> = {}): Promise<RelayProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, [RELAY_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOGGING: '0',
      DRAIN_GRACE_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) {
      throw new Error(`relay exited with ${proc.exitCode} during start: ${err || out}`);
    }
    try {
      const res = await fetch(`${baseUrl}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`relay did not become healthy: ${err || out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async (timeoutMs = 15_000) => {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
