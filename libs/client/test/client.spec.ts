import { CloseCode, encodeMessage } from '@nullroom/protocol';
import {
  backoffDelay,
  buildWsUrl,
  type ClientEvents,
  ConnectionClosedError,
  NullroomClient,
} from '../src';
import { FakeRelay } from './fake-relay';
import { waitFor } from './wait-for';

const ROOM = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

describe('NullroomClient against an in-memory relay', () => {
  let relay: FakeRelay;
  const clients: NullroomClient[] = [];

  function client(
    clientId: string,
    extra: Partial<ConstructorParameters<typeof NullroomClient>[0]> = {},
  ): NullroomClient {
    const c = new NullroomClient({
      url: 'http://relay.test',
      roomId: ROOM,
      clientId,
      webSocket: relay.factory,
      ...extra,
    });
    clients.push(c);
    return c;
  }

  async function settle(...cs: NullroomClient[]): Promise<void> {
    // Everyone on the same epoch, i.e. the re-key reached all members.
    for (let i = 0; i < 200; i++) {
      const fps = new Set(cs.map((c) => c.fingerprint()));
      if (fps.size === 1 && !fps.has(undefined) && cs.every((c) => c.state === 'ready')) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('clients did not converge on one epoch');
  }

  beforeEach(() => {
    relay = new FakeRelay();
    relay.knownRooms.add(ROOM);
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  it('connects three clients, exchanges text, typing and read receipts, and agrees on numbers', async () => {
    const [a, b, c] = [client('alice'), client('bob'), client('carol')];
    await a.connect();
    await b.connect();
    await c.connect();
    await settle(a, b, c);
    const got = waitFor(c, 'message');
    const typing = waitFor(c, 'typing');
    await b.setTyping(true);
    const id = await b.sendText('hello, carol');
    expect(await typing).toEqual({ from: 'bob', active: true });
    expect(await got).toEqual({ id, from: 'bob', text: 'hello, carol' });
    const read = waitFor(b, 'read');
    await c.markRead(id);
    expect(await read).toEqual({ from: 'carol', messageId: id });
    expect(await a.safetyNumber('bob')).toBe(await b.safetyNumber('alice'));
    expect(a.members().map((m) => [m.id, m.verified, m.inEpoch])).toEqual([
      ['alice', true, true],
      ['bob', true, true],
      ['carol', true, true],
    ]);
    for (const p of relay.seen)
      expect(Buffer.from(p).includes(Buffer.from('hello, carol'))).toBe(false);
  });

  it('sends a file with progress on both sides', async () => {
    const [a, b] = [client('alice'), client('bob')];
    await a.connect();
    await b.connect();
    await settle(a, b);
    const data = new Uint8Array(5000).map((_, i) => i % 251);
    const progressIn: number[] = [];
    b.on('file-progress', (p) => progressIn.push(p.bytes));
    const offer = waitFor(b, 'file-offer');
    const done = waitFor(b, 'file');
    const progressOut: number[] = [];
    await a.sendFile(data, {
      name: 'notes.bin',
      chunkSize: 2048,
      onProgress: (sent) => progressOut.push(sent),
    });
    expect((await offer).offer).toMatchObject({ name: 'notes.bin', size: 5000, chunkCount: 3 });
    const file = await done;
    expect(file.name).toBe('notes.bin');
    expect(Buffer.from(file.data).equals(Buffer.from(data))).toBe(true);
    expect(progressOut).toEqual([2048, 4096, 5000]);
    expect(progressIn).toEqual([2048, 4096, 5000]);
  });

  it('re-keys when a member leaves and keeps talking', async () => {
    const [a, b, c] = [client('alice'), client('bob'), client('carol')];
    await a.connect();
    await b.connect();
    await c.connect();
    await settle(a, b, c);
    const before = a.fingerprint();
    const epoch = waitFor(b, 'epoch', (e) => !e.members.includes('carol'));
    c.close();
    await epoch;
    await settle(a, b);
    expect(a.fingerprint()).not.toBe(before);
    const got = waitFor(b, 'message');
    await a.sendText('carol is gone');
    expect((await got).text).toBe('carol is gone');
  });

  it('resumes after a drain (close 1012 with retryMs) by reconnecting and re-keying', async () => {
    const random = () => 0.5;
    const [a, b] = [client('alice', { random }), client('bob', { random })];
    await a.connect();
    await b.connect();
    await settle(a, b);
    const states: ClientEvents['state'][] = [];
    a.on('state', (s) => states.push(s));
    const oldFingerprint = a.fingerprint();
    relay.drain(40);
    await waitFor(a, 'state', (s) => s.state === 'reconnecting');
    await waitFor(a, 'state', (s) => s.state === 'ready');
    await settle(a, b);
    expect(states[0]).toMatchObject({
      state: 'reconnecting',
      closeCode: CloseCode.SERVICE_RESTART,
      retryInMs: 40 + 125,
    });
    expect(a.fingerprint()).not.toBe(oldFingerprint);
    const got = waitFor(a, 'message');
    await b.sendText('after the drain');
    expect((await got).text).toBe('after the drain');
  });

  it('queues a send issued during the re-key and delivers it in the new epoch', async () => {
    const [a, b] = [client('alice'), client('bob')];
    await a.connect();
    await b.connect();
    await settle(a, b);
    relay.drain(20);
    await waitFor(b, 'state', (s) => s.state === 'reconnecting');
    const got = waitFor(a, 'message', () => true, 5_000);
    const sent = b.sendText('sent while reconnecting');
    await sent;
    expect((await got).text).toBe('sent while reconnecting');
  });

  it('retries retryable closes with jittered exponential backoff', async () => {
    const a = client('alice', { random: () => 0, reconnect: { initialMs: 10, maxMs: 40 } });
    await a.connect();
    relay.refuse = true;
    const delays: number[] = [];
    a.on('state', (s) => {
      if (s.state === 'reconnecting' && s.retryInMs !== undefined) delays.push(s.retryInMs);
    });
    relay.kick('alice', 1006);
    await new Promise((r) => setTimeout(r, 200));
    relay.refuse = false;
    await waitFor(a, 'state', (s) => s.state === 'ready', 2_000);
    expect(delays.slice(0, 4)).toEqual([5, 10, 20, 20]);
  });

  it('gives up on a close that reconnecting cannot fix', async () => {
    const a = client('alice');
    relay.knownRooms.clear();
    await expect(a.connect()).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(a.state).toBe('closed');
    await expect(a.sendText('x')).rejects.toMatchObject({
      name: 'ConnectionClosedError',
      closeCode: CloseCode.ROOM_NOT_FOUND,
    });
  });

  it('reports frames the E2EE layer refuses as security events, never as messages', async () => {
    const [a, b] = [client('alice'), client('bob')];
    await a.connect();
    await b.connect();
    await settle(a, b);
    const got = waitFor(b, 'message');
    await a.sendText('once');
    await got;
    const security = waitFor(b, 'security');
    const messages: string[] = [];
    b.on('message', (m) => messages.push(m.text));
    // The relay replays alice's last frame to bob.
    const socketB = relay.rooms.get(ROOM)!.find((s) => s.clientId === 'bob')!;
    socketB.deliver(encodeMessage('alice', 0, relay.seen[relay.seen.length - 1]!));
    expect((await security).error).toMatchObject({ name: 'ReplayError' });
    expect(messages).toEqual([]);
  });
});

describe('backoff and URLs', () => {
  it('grows exponentially with equal jitter and caps', () => {
    const opts = { initialMs: 100, maxMs: 1000, factor: 2 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, opts, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, opts, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(() => backoffDelay(-1)).toThrow(RangeError);
  });

  it('builds the seed-000 WebSocket URL from an http or ws base', () => {
    expect(
      buildWsUrl('https://relay.example', { roomId: 'r', clientId: 'c', joinToken: 't' }),
    ).toBe('wss://relay.example/ws?roomId=r&clientId=c&joinToken=t');
    expect(buildWsUrl('ws://127.0.0.1:8765/ws', { roomId: 'r', clientId: 'c' })).toBe(
      'ws://127.0.0.1:8765/ws?roomId=r&clientId=c',
    );
    expect(() => buildWsUrl('ftp://x', { roomId: 'r', clientId: 'c' })).toThrow(RangeError);
  });
});
