/**
 * Two `nullroom chat` processes talk through the real relay, the way two terminals would
 * (stdin/stdout piped instead of a TTY).
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
// The relay's own test helper starts the built relay as `npm start` would (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { RELAY_MAIN, startRelay, type RelayProcess } from '../../relay/test/support/relay-process';

const CLI = join(__dirname, '..', 'bin', 'nullroom.cjs');
const API_KEY = 'cli-e2e-api-key-0123456789';

class Terminal {
  output = '';
  readonly proc: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    this.proc.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  type(line: string): void {
    this.proc.stdin.write(`${line}\n`);
  }

  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; output:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('nullroom CLI through the real relay', () => {
  let relay: RelayProcess;
  const terminals: Terminal[] = [];

  beforeAll(async () => {
    if (!existsSync(RELAY_MAIN)) throw new Error(`build the relay first: ${RELAY_MAIN} is missing`);
    relay = await startRelay({ ANOCHAT_API_KEY: API_KEY });
  }, 30_000);

  afterAll(async () => {
    for (const t of terminals) t.proc.kill();
    await relay?.stop();
  });

  it('creates a room and lets two terminals chat', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'create',
      '--url',
      relay.baseUrl,
      '--api-key',
      API_KEY,
    ]);
    const roomId = /roomId:\s+(\S+)/.exec(stdout)?.[1];
    const token = /joinToken:\s+(\S+)/.exec(stdout)?.[1];
    expect(roomId).toBeDefined();
    expect(stdout).toContain('join with: npx nullroom chat');
    const join = (name: string) =>
      new Terminal([
        'chat',
        '--url',
        relay.baseUrl,
        '--room',
        roomId!,
        // Tokens are base64url and may start with '-': always pass them as --token=….
        `--token=${token!}`,
        '--name',
        name,
        '--receipts',
      ]);
    const alice = join('alice');
    terminals.push(alice);
    await alice.waitFor(/connected; end-to-end encrypted/);
    const bob = join('bob');
    terminals.push(bob);
    await bob.waitFor(/connected; end-to-end encrypted/);
    await alice.waitFor(/new group key \(epoch \d+\) for alice, bob/);
    const fpAlice = (await alice.waitFor(/for alice, bob\n {2}fingerprint: ([\d ]+)/))[1];
    const fpBob = (await bob.waitFor(/for alice, bob\n {2}fingerprint: ([\d ]+)/))[1];
    expect(fpAlice).toBe(fpBob);
    alice.type('hello bob, this is alice');
    await bob.waitFor(/\[alice\] hello bob, this is alice/);
    await alice.waitFor(/read by bob/);
    bob.type('hi alice!');
    await alice.waitFor(/\[bob\] hi alice!/);
    bob.type('/who');
    await bob.waitFor(/alice {2}\d{5} \d{5}/);
    bob.type('/quit');
    expect(await bob.exited).toBe(0);
    await alice.waitFor(/bob left/);
    alice.proc.stdin.end();
    expect(await alice.exited).toBe(0);
  }, 60_000);
});
