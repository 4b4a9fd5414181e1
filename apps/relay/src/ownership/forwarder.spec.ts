import { type AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCode, decodeRestartReason } from '@nullroom/protocol';
import { FakeHandlers } from '../../test/support/fake-handlers';
import { RelayStats } from '../common/stats';
import { ClusterMetrics } from '../metrics/cluster-metrics';
import { hashJoinToken } from '../rooms/join-token';
import { ClusterAuth } from './cluster-auth';
import { type ForwardedJoin } from './forwarded-join';
import { forward, PendingFrames } from './forwarder';
import { InternalServer } from './internal-server';

const SECRET = 'forward-secret-0123456789abcdef';
const ROOM = '2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/**
 * The forwarding hop on real sockets: a client → this pod's public side (a ws server that calls
 * forward()) → the owner's InternalServer, whose forwarded-member sink plays the owner's room.
 */
describe('forward', () => {
  let owner: InternalServer;
  let ownerAddress: string;
  let ring: WebSocketServer;
  let ringUrl: string;
  let onOwner: (ws: WebSocket, join: ForwardedJoin) => void;
  const metrics = new ClusterMetrics();
  const stats = new RelayStats();
  let maxBufferedBytes = 1 << 20;
  let target = () => ownerAddress;

  beforeAll(async () => {
    owner = new InternalServer(
      new ClusterAuth(SECRET),
      new FakeHandlers(),
      (ws, join) => onOwner(ws, join),
      1 << 22,
    );
    ownerAddress = `127.0.0.1:${await owner.listen(0, '127.0.0.1')}`;
    ring = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => ring.once('listening', () => r()));
    ringUrl = `ws://127.0.0.1:${(ring.address() as AddressInfo).port}`;
    ring.on('connection', (client) => {
      const pending = new PendingFrames(client, 1 << 20);
      const join = { roomId: ROOM, clientId: 'm', tokenHash: hashJoinToken('t'), apiKeyOk: true };
      // The route takes a moment: frames sent meanwhile must not be lost.
      setTimeout(
        () =>
          forward(client, target(), join, pending, {
            auth: new ClusterAuth(SECRET),
            stats,
            metrics,
            maxBufferedBytes,
            maxFrameBytes: 1 << 22,
            handshakeTimeoutMs: 500,
          }),
        30,
      );
    });
  });

  afterAll(async () => {
    await owner.close();
    await new Promise<void>((r) => ring.close(() => r()));
  });

  function client(): Promise<{
    ws: WebSocket;
    got: Array<[string, boolean]>;
    closed: Promise<[number, string]>;
  }> {
    const ws = new WebSocket(ringUrl);
    const got: Array<[string, boolean]> = [];
    ws.on('message', (data: Buffer, isBinary) => got.push([data.toString(), isBinary]));
    const closed = new Promise<[number, string]>((r) =>
      ws.on('close', (c, why) => r([c, why.toString()])),
    );
    return new Promise((resolve) => ws.on('open', () => resolve({ ws, got, closed })));
  }

  it('passes frames through untouched both ways, early ones included, with the reduced join', async () => {
    let seen: ForwardedJoin | undefined;
    onOwner = (ws, join) => {
      seen = join;
      ws.on('message', (data: Buffer, isBinary) => ws.send(data, { binary: isBinary }));
    };
    const c = await client();
    c.ws.send('early text');
    c.ws.send(Buffer.from([1, 2, 3]));
    await new Promise((r) => setTimeout(r, 150));
    expect(c.got).toEqual([
      ['early text', false],
      ['\u0001\u0002\u0003', true],
    ]);
    expect(seen).toEqual({
      roomId: ROOM,
      clientId: 'm',
      tokenHash: hashJoinToken('t'),
      apiKeyOk: true,
    });
    expect(metrics.forwardedOpen.out).toBe(1);
    c.ws.close();
    await c.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect(metrics.forwardedOpen.out).toBe(0);
  });

  it("propagates the owner's close code; an owner that vanishes sends the member back through the ring (1012)", async () => {
    onOwner = (ws) => ws.close(CloseCode.ROOM_FULL, 'room is full');
    expect(await (await client()).closed).toEqual([CloseCode.ROOM_FULL, 'room is full']);
    onOwner = (ws) => setTimeout(() => ws.terminate(), 20);
    const [code, reason] = await (await client()).closed;
    expect(code).toBe(CloseCode.SERVICE_RESTART);
    expect(decodeRestartReason(reason)).toBeGreaterThanOrEqual(0);
  });

  it('an owner that does not answer the upgrade: 1013, try again', async () => {
    target = () => '127.0.0.1:9';
    try {
      expect(await (await client()).closed).toEqual([
        CloseCode.TRY_AGAIN_LATER,
        'room owner unreachable, try again',
      ]);
    } finally {
      target = () => ownerAddress;
    }
  });

  it('a slow client of the forwarding pod is cut there with 4003', async () => {
    maxBufferedBytes = 1024;
    try {
      onOwner = (ws) => {
        for (let i = 0; i < 16; i++) ws.send(Buffer.alloc(1 << 20));
      };
      const c = await client();
      // The client stops reading: what the owner sends piles up on the forwarding pod.
      const socket = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      await new Promise((r) => setTimeout(r, 300));
      socket.resume();
      expect((await c.closed)[0]).toBe(CloseCode.SLOW_CONSUMER);
      expect(stats.slowConsumerDisconnects).toBe(1);
    } finally {
      maxBufferedBytes = 1 << 20;
    }
  });
});
