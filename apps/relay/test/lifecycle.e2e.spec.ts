import { spawn } from 'node:child_process';
import { CloseCode, decodeRestartReason, encodeSend } from '@nullroom/protocol';
import { RELAY_MAIN, type RelayProcess, startRelay } from './support/relay-process';
import { TestClient, createRoom } from './support/ws-client';

async function runMain(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [RELAY_MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe('boot: configuration is validated as a whole', () => {
  it('stops with one clear message naming the bad variable', async () => {
    const result = await runMain({ PORT: 'eighty' });
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/PORT must be an integer from 0 to 65535 \(got "eighty"\)/);
  });

  it('reports every problem at once and never echoes a secret', async () => {
    const result = await runMain({
      LOGGING: 'maybe',
      MAX_ROOMS: '-1',
      TURNSTILE: '1',
      ANOCHAT_API_KEY: ' secret-with-space ',
    });
    expect(result.code).toBe(78);
    for (const name of ['LOGGING', 'MAX_ROOMS', 'TURNSTILE_SECRET_KEY', 'ANOCHAT_API_KEY']) {
      expect(result.stderr).toContain(name);
    }
    expect(result.stderr).not.toContain('secret-with-space');
  });
});

describe('graceful shutdown on SIGTERM', () => {
  it('turns unready, refuses new work, closes members with 1012 + jittered retry, exits 0', async () => {
    const relay = await startRelay({ DRAIN_GRACE_MS: '1500', DRAIN_RECONNECT_JITTER_MS: '800' });
    const room = await createRoom(relay.baseUrl);
    const members = await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        TestClient.member(relay.wsUrl, {
          roomId: room.roomId,
          clientId: id,
          joinToken: room.joinToken!,
        }),
      ),
    );
    relay.proc.kill('SIGTERM');
    // During the grace period: unready, no new rooms, no new members, but the room still works.
    await waitFor(async () => (await fetch(`${relay.baseUrl}/ready`)).status === 503);
    expect(await (await fetch(`${relay.baseUrl}/ready`)).json()).toEqual({
      ready: false,
      draining: true,
      directory: 'up',
    });
    expect((await fetch(`${relay.baseUrl}/health`)).status).toBe(200);
    const create = await fetch(`${relay.baseUrl}/rooms`, { method: 'POST' });
    expect(create.status).toBe(503);
    expect(await create.json()).toMatchObject({ error: 'draining' });
    const late = new TestClient(
      `${relay.wsUrl}?roomId=${room.roomId}&clientId=late&joinToken=${room.joinToken}`,
    );
    expect((await late.waitClosed()).code).toBe(CloseCode.SERVICE_RESTART);
    members[0]!.send(encodeSend(Uint8Array.of(1)));
    await members[1]!.waitFor((f) => f.type === 'message');

    const closes = await Promise.all(members.map((m) => m.waitClosed(5000)));
    for (const close of closes) {
      expect(close.code).toBe(CloseCode.SERVICE_RESTART);
      const retryMs = decodeRestartReason(close.reason);
      expect(retryMs).toBeGreaterThanOrEqual(0);
      expect(retryMs).toBeLessThan(800);
    }
    expect(await relay.exited).toBe(0);
  });
});

describe('zero-log mode and log privacy', () => {
  async function scenario(relay: RelayProcess): Promise<string[]> {
    const room = await createRoom(relay.baseUrl, { mode: 'p2p' }, 'log-key-0123456789');
    const secrets = [
      room.roomId,
      room.joinToken!,
      'client-alpha',
      'client-beta',
      'PLAINTEXT-MARKER',
      '127.0.0.1',
    ];
    const a = await TestClient.member(relay.wsUrl, {
      roomId: room.roomId,
      clientId: 'client-alpha',
      joinToken: room.joinToken!,
    });
    const b = await TestClient.member(relay.wsUrl, {
      roomId: room.roomId,
      clientId: 'client-beta',
      joinToken: room.joinToken!,
    });
    a.send('PLAINTEXT-MARKER');
    a.send(Uint8Array.of(0x42, 1)); // malformed: answered with ERROR
    await b.waitFor((f) => f.type === 'message');
    // bad input of every kind
    await fetch(`${relay.baseUrl}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, { headers: { 'x-api-key': 'wrong' } });
    const bad = new TestClient(
      `${relay.wsUrl}?roomId=${room.roomId}&clientId=client-gamma&joinToken=wrong`,
    );
    await bad.waitClosed();
    b.send(encodeSend(new Uint8Array(70_000))); // oversized: 1009
    await b.waitClosed();
    await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, {
      method: 'DELETE',
      headers: { 'x-api-key': 'log-key-0123456789' },
    });
    await a.waitClosed();
    expect(await relay.stop()).toBe(0);
    return secrets;
  }

  it('LOGGING=0 prints nothing at all, on stdout or stderr, through a whole scenario and shutdown', async () => {
    const relay = await startRelay({
      LOGGING: '0',
      ANOCHAT_API_KEY: 'log-key-0123456789',
      WS_MAX_FRAME_BYTES: '65536',
    });
    await scenario(relay);
    expect(relay.stdout()).toBe('');
    expect(relay.stderr()).toBe('');
  });

  it('LOGGING=1 logs lifecycle events but never a room id, token, client id, IP or payload', async () => {
    const relay = await startRelay({
      LOGGING: '1',
      ANOCHAT_API_KEY: 'log-key-0123456789',
      WS_MAX_FRAME_BYTES: '65536',
    });
    const secrets = await scenario(relay);
    const output = relay.stdout() + relay.stderr();
    expect(output).toMatch(/listening/);
    expect(output).toMatch(/drain/);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).not.toContain('log-key-0123456789');
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
