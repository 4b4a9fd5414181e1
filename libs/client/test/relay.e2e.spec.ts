/**
 * End to end through the real relay (apps/relay, built to dist/main.js and started as a child
 * process): three Node clients using Node 24's global WebSocket, every frame captured on the way.
 * - the capture contains none of the plaintexts (text, typing, file bytes, file name);
 * - one member leaves; a copy of its session that keeps every key it ever had (a malicious
 *   ex-member) is fed every later frame and decrypts none of them.
 */
import { type GroupSession, Identity, NullroomSession, type SessionOutput } from '@nullroom/e2ee';
import { decodeServerFrame } from '@nullroom/protocol';
import { existsSync } from 'node:fs';
import { createRoom, NullroomClient } from '../src';
// The relay's own test helper starts the built relay as `npm start` would (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  RELAY_MAIN,
  startRelay,
  type RelayProcess,
} from '../../../apps/relay/test/support/relay-process';
import { CaptureProxy } from './capture-proxy';
import { waitFor } from './wait-for';

const API_KEY = 'e2e-test-api-key-0123456789';

async function converge(clients: NullroomClient[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const fps = new Set(clients.map((c) => c.fingerprint()));
    const sizes = new Set(clients.map((c) => c.members().filter((m) => m.inEpoch).length));
    if (fps.size === 1 && !fps.has(undefined) && sizes.size === 1 && sizes.has(clients.length))
      return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('clients did not converge on one epoch');
}

/** A session whose close() keeps the keys: what a malicious member who left would do. */
class KeepKeysSession {
  constructor(readonly inner: NullroomSession) {}
  wrap(): GroupSession {
    return new Proxy(this.inner, {
      get: (target, prop, receiver) =>
        prop === 'close' ? () => undefined : (Reflect.get(target, prop, receiver) as unknown),
    });
  }
}

describe('three clients through the real relay', () => {
  let relay: RelayProcess;
  let proxy: CaptureProxy;
  let proxyUrl: string;
  const clients: NullroomClient[] = [];

  beforeAll(async () => {
    if (!existsSync(RELAY_MAIN))
      throw new Error(`build the relay first: ${RELAY_MAIN} is missing (nx run relay:build)`);
    relay = await startRelay({ ANOCHAT_API_KEY: API_KEY });
    proxy = new CaptureProxy(relay.wsUrl);
    proxyUrl = await proxy.start();
  }, 30_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await proxy?.stop();
    await relay?.stop();
  });

  it('relays only ciphertext, and a member who left cannot decrypt what follows', async () => {
    const { roomId, joinToken } = await createRoom(relay.baseUrl, API_KEY, 'p2p');
    const make = async (
      clientId: string,
      sessionFactory?: ConstructorParameters<typeof NullroomClient>[0]['sessionFactory'],
    ) => {
      const c = new NullroomClient({
        url: proxyUrl,
        roomId,
        clientId,
        ...(joinToken ? { joinToken } : {}),
        identity: await Identity.generate(),
        ...(sessionFactory ? { sessionFactory } : {}),
      });
      clients.push(c);
      return c;
    };
    let carolSession: KeepKeysSession | undefined;
    const alice = await make('alice');
    const bob = await make('bob');
    const carol = await make('carol', async (o) => {
      carolSession = new KeepKeysSession(await NullroomSession.create(o));
      return carolSession.wrap();
    });
    const refused: string[] = [];
    for (const c of [alice, bob, carol]) {
      c.on('security', (e) =>
        refused.push(`${c.clientId}: ${e.error.name} from ${e.from ?? '?'}: ${e.error.message}`),
      );
    }
    const t0 = performance.now();
    await Promise.all([alice.connect(), bob.connect(), carol.connect()]);
    await converge([alice, bob, carol]);
    const keyedMs = performance.now() - t0;

    // Everyone compares the same group fingerprint and symmetric safety numbers.
    expect(new Set([alice, bob, carol].map((c) => c.fingerprint())).size).toBe(1);
    expect(await alice.safetyNumber('carol')).toBe(await carol.safetyNumber('alice'));

    const plaintexts = [
      'hello from alice, the secret word is AARDVARK',
      'bob says the launch code is 0451',
      'carol: meet at the blue door',
    ];
    const carolGot: string[] = [];
    carol.on('message', (m) => carolGot.push(m.text));
    const aliceGot = new Promise<string[]>((resolve) => {
      const got: string[] = [];
      alice.on('message', (m) => {
        got.push(m.text);
        if (got.length === 2) resolve(got);
      });
    });
    await bob.setTyping(true);
    await alice.sendText(plaintexts[0]!);
    await bob.sendText(plaintexts[1]!);
    await carol.sendText(plaintexts[2]!);
    expect((await aliceGot).sort()).toEqual([plaintexts[1], plaintexts[2]].sort());

    const fileBytes = new TextEncoder().encode('FILE-CONTENT-MARKER '.repeat(2000));
    const fileAtBob = waitFor(bob, 'file');
    await alice.sendFile(fileBytes, {
      name: 'secret-plans.txt',
      mime: 'text/plain',
      chunkSize: 16 * 1024,
    });
    const file = await fileAtBob;
    expect(file.name).toBe('secret-plans.txt');
    expect(Buffer.from(file.data).equals(Buffer.from(fileBytes))).toBe(true);

    // Joining concurrently and talking refused nothing: no benign race looks like an attack.
    expect(refused).toEqual([]);

    // Carol leaves; alice (the committer) re-keys for alice and bob.
    const rekeyed = waitFor(bob, 'epoch', (e) => !e.members.includes('carol'));
    const framesBeforeLeave = proxy.frames.length;
    carol.close();
    await rekeyed;
    await converge([alice, bob]);
    const after = 'after carol left: the new code is 7777';
    const bobGot = waitFor(bob, 'message', (m) => m.text === after);
    await alice.sendText(after);
    await bobGot;
    plaintexts.push(after);

    // The ex-member kept every key and is handed every frame the relay sent after she left.
    const kept = carolSession!.inner;
    const outputs: SessionOutput[] = [];
    for (const f of proxy.frames.slice(framesBeforeLeave)) {
      if (f.direction !== 'from-relay') continue;
      const decoded = decodeServerFrame(new Uint8Array(f.data));
      if (decoded.ok && decoded.frame.type === 'message' && decoded.frame.from !== 'carol') {
        outputs.push(await kept.receive(decoded.frame.from, decoded.frame.payload));
      }
    }
    const delivered = outputs.flatMap((o) =>
      o.events.filter((e) => e.type === 'message' || e.type === 'epoch'),
    );
    expect(delivered).toEqual([]);
    expect(
      outputs.flatMap((o) => o.events.filter((e) => e.type === 'rejected')).length,
    ).toBeGreaterThan(0);
    expect(carolGot).not.toContain(after);

    // Nothing the relay saw, in either direction, contains any plaintext.
    const needles = [...plaintexts, 'FILE-CONTENT-MARKER', 'secret-plans.txt'].map((p) =>
      Buffer.from(p, 'utf8'),
    );
    expect(proxy.frames.length).toBeGreaterThan(20);
    for (const f of proxy.frames) {
      expect(f.binary).toBe(true);
      for (const n of needles) expect(f.data.includes(n)).toBe(false);
    }
    const bytes = proxy.frames.reduce((s, f) => s + f.data.byteLength, 0);
    process.stdout.write(
      `e2e: 3 clients keyed in ${keyedMs.toFixed(0)} ms; relay saw ${proxy.frames.length} frames, ${bytes} bytes, no plaintext\n`,
    );
  }, 60_000);
});

describe('a real relay draining (SIGTERM)', () => {
  it('closes with 1012 and a retryMs the client honours before reconnecting', async () => {
    const relay = await startRelay({ ANOCHAT_API_KEY: API_KEY, DRAIN_RECONNECT_JITTER_MS: '300' });
    const clients: NullroomClient[] = [];
    try {
      const { roomId, joinToken } = await createRoom(relay.baseUrl, API_KEY, 'p2p');
      for (const clientId of ['alice', 'bob']) {
        const c = new NullroomClient({
          url: relay.baseUrl,
          roomId,
          clientId,
          ...(joinToken ? { joinToken } : {}),
          reconnect: { initialMs: 50, maxMs: 200, maxAttempts: 3 },
        });
        clients.push(c);
        await c.connect();
      }
      await converge(clients);
      const drained = clients.map((c) =>
        waitFor(c, 'state', (s) => s.state === 'reconnecting' && s.closeCode === 1012),
      );
      const gaveUp = clients.map((c) => waitFor(c, 'closed', () => true, 20_000));
      await relay.stop();
      for (const s of await Promise.all(drained)) {
        // The relay spreads its clients over [0, DRAIN_RECONNECT_JITTER_MS]; we add ≤ 250 ms.
        expect(s.retryInMs).toBeGreaterThanOrEqual(0);
        expect(s.retryInMs).toBeLessThanOrEqual(300 + 250);
      }
      // This relay is gone for good (nothing else serves the room), so after the allowed attempts
      // the clients stop, and say so.
      for (const closed of await Promise.all(gaveUp)) expect(closed.code).not.toBe(1000);
    } finally {
      for (const c of clients) c.close();
      await relay.stop();
    }
  }, 60_000);
});
