/**
 * A real coturn (Debian's `turnserver`) for tests: loopback only, TURN REST API credentials
 * (`use-auth-secret` + `static-auth-secret`, exactly what the relay's TURN_SECRET signs for), a
 * small relay port range, nothing written outside its own temp folder, stopped by pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './relay-process';

export const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface CoturnOptions {
  readonly secret: string;
  readonly realm?: string;
}

export class Coturn {
  private constructor(
    readonly port: number,
    private readonly proc: ChildProcess,
    private readonly dir: string,
    private readonly output: () => string,
  ) {}

  /** `turn:127.0.0.1:<port>?transport=udp`: what TURN_URLS gets. */
  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  log(): string {
    return this.output();
  }

  static async start(options: CoturnOptions): Promise<Coturn> {
    const port = await freePort();
    // A random 64-port range per instance, so parallel runs rarely meet (coturn skips taken ports).
    const minPort = 40_000 + Math.floor(Math.random() * 300) * 64;
    const dir = mkdtempSync(join(tmpdir(), 'nullroom-coturn-'));
    const args = [
      '-n', // no config file: everything is on this command line
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--min-port=${minPort}`,
      `--max-port=${minPort + 63}`,
      '--use-auth-secret',
      `--static-auth-secret=${options.secret}`,
      `--realm=${options.realm ?? 'nullroom.test'}`,
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      // The peers of a loopback test are on loopback; production never sets this.
      '--allow-loopback-peers',
      '--no-multicast-peers',
      '--no-software-attribute',
      `--userdb=${join(dir, 'turndb')}`,
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--simple-log',
    ];
    const proc = spawn(TURNSERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const server = new Coturn(port, proc, dir, () => out);
    const deadline = Date.now() + 10_000;
    while (!(await stunAnswers(port))) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        await server.stop();
        throw new Error(`coturn did not start (exit ${proc.exitCode}): ${out.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return server;
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One STUN Binding request (RFC 5389 §6) over UDP: does the server answer yet? */
function stunAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    for (let i = 8; i < 20; i++) request[i] = Math.floor(Math.random() * 256);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 300);
    socket.on('message', (msg) => done(msg.length >= 20 && msg.readUInt16BE(0) === 0x0101));
    socket.on('error', () => done(false));
    socket.send(request, port, '127.0.0.1');
  });
}

/**
 * Allocates a relayed address with turnutils_uclient (coturn's own client) and the given
 * credential: true when the TURN server accepted it.
 */
export function turnAllocates(
  port: number,
  username: string,
  credential: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    const proc = spawn(
      '/usr/bin/turnutils_uclient',
      [
        '-y',
        '-n',
        '1',
        '-m',
        '1',
        '-c',
        '-X',
        '-u',
        username,
        '-w',
        credential,
        '-p',
        String(port),
        '127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}
