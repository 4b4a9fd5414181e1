import { CallsService } from '../calls/calls.service';
import { TurnCredentials } from '../calls/turn-credentials';
import { type IncomingMessage } from 'node:http';
import { CloseCode, decodeRestartReason } from '@nullroom/protocol';
import { FakeClock } from '../../test/support/fakes';
import { FakeSocket } from '../../test/support/fake-socket';
import { AddressBuckets } from '../abuse/address-buckets';
import { WindowLimiter } from '../abuse/window-limiter';
import { type CodeRoomsService } from '../code-rooms/code-rooms.service';
import { AppLogger } from '../common/logger';
import { RelayStats } from '../common/stats';
import { loadConfig, type RelayConfig } from '../config/config';
import { ClusterMetrics } from '../metrics/cluster-metrics';
import { ClusterAuth } from '../ownership/cluster-auth';
import { type OwnershipService, type Route } from '../ownership/ownership.service';
import { hashJoinToken } from '../rooms/join-token';
import { RoomsService } from '../rooms/rooms.service';
import { RelayGateway } from './relay.gateway';

function config(env: Record<string, string>): RelayConfig {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.errors.join());
  return loaded.config;
}

describe('RelayGateway', () => {
  let clock: FakeClock;
  let rooms: RoomsService;
  let route: Route | undefined;
  let gateway: RelayGateway;
  let metrics: ClusterMetrics;

  function build(env: Record<string, string> = {}, clustered = false): void {
    clock = new FakeClock();
    const cfg = config({
      WS_PING_INTERVAL_MS: '1000',
      RATE_LIMIT_WS_CONNECT_MAX: '5',
      RATE_LIMIT_WS_CONNECT_BURST: '5',
      ...env,
    });
    const stats = new RelayStats();
    rooms = new RoomsService(cfg, clock, stats, new AppLogger(false));
    metrics = new ClusterMetrics();
    route = undefined;
    const ownership = {
      clustered,
      locate: (roomId: string) =>
        Promise.resolve(
          route ??
            (rooms.get(roomId) ? { kind: 'local', room: rooms.get(roomId)! } : { kind: 'missing' }),
        ),
    } as unknown as OwnershipService;
    gateway = new RelayGateway(
      cfg,
      rooms,
      stats,
      clock,
      new AppLogger(false),
      new AddressBuckets(
        cfg.rateLimit.wsConnectMax,
        cfg.rateLimit.windowMs,
        cfg.rateLimit.wsConnectBurst,
      ),
      new WindowLimiter(cfg.rateLimit.windowMs),
      ownership,
      new ClusterAuth('gateway-secret-0123456789abcdef'),
      metrics,
      {} as CodeRoomsService,
      new CallsService(cfg.calls.maxParticipants, new TurnCredentials(cfg.calls, clock)),
    );
    gateway.afterInit();
  }

  function connect(query: Record<string, string>, address = '10.0.0.1'): FakeSocket {
    const ws = new FakeSocket();
    const req = {
      url: `/ws?${new URLSearchParams(query).toString()}`,
      headers: {},
      socket: { remoteAddress: address },
    } as unknown as IncomingMessage;
    gateway.handleConnection(ws.asWs(), req);
    return ws;
  }

  afterEach(() => gateway.stop());

  it('admits a member with the right token; the token never reaches the room, only its hash', () => {
    build();
    const { room, joinToken } = rooms.create({ mode: 'p2p' });
    const ws = connect({ roomId: room.id, clientId: 'a', joinToken: joinToken });
    expect(ws.frames()[0]).toMatchObject({ type: 'welcome', clientId: 'a' });
    expect(room.tokenHash).toBe(hashJoinToken(joinToken));
    expect(gateway.size).toBe(1);
  });

  it('refuses with the documented close codes, in admission order', () => {
    build({ MAX_CONNECTIONS: '1' });
    const { room, joinToken } = rooms.create({ mode: 'p2p' });
    expect(connect({ roomId: 'nope', clientId: 'a' }).closedWith?.code).toBe(CloseCode.BAD_REQUEST);
    const wrong = connect({ roomId: room.id, clientId: 'a', joinToken: 'wrong' });
    expect(wrong.closedWith?.code).toBe(CloseCode.FORBIDDEN);
    connect({ roomId: room.id, clientId: 'a', joinToken: joinToken });
    const over = connect({ roomId: room.id, clientId: 'b', joinToken: joinToken });
    expect(over.closedWith).toEqual({
      code: CloseCode.TRY_AGAIN_LATER,
      reason: 'relay is at its connection limit',
    });
    // Six attempts from one address inside the window: the sixth is rate limited first.
    for (let i = 0; i < 2; i++) connect({ roomId: 'x', clientId: 'y' });
    expect(connect({ roomId: 'x', clientId: 'y' }).closedWith?.code).toBe(CloseCode.RATE_LIMITED);
  });

  it('while draining, refuses with 1012 and a jittered retry delay', () => {
    build({ DRAIN_RECONNECT_JITTER_MS: '800' });
    gateway.stopAccepting();
    const ws = connect({ roomId: '2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', clientId: 'a' });
    expect(ws.closedWith?.code).toBe(CloseCode.SERVICE_RESTART);
    const retry = decodeRestartReason(ws.closedWith!.reason);
    expect(retry).toBeGreaterThanOrEqual(0);
    expect(retry).toBeLessThan(800);
  });

  it('cluster: a room whose owner is alive but silent is "try again" (1013), never "not found"', async () => {
    build({}, true);
    route = { kind: 'unavailable' };
    const ws = connect({ roomId: '2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', clientId: 'a' });
    await clock.elapse(0);
    expect(ws.closedWith).toEqual({
      code: CloseCode.TRY_AGAIN_LATER,
      reason: 'room owner unreachable, try again',
    });
    route = { kind: 'missing' };
    const gone = connect({ roomId: '2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', clientId: 'b' });
    await clock.elapse(0);
    expect(gone.closedWith?.code).toBe(CloseCode.ROOM_NOT_FOUND);
  });

  it('cluster: frames sent before the route is known are delivered once the member is in', async () => {
    build({}, true);
    const { room, joinToken } = rooms.create({ mode: 'p2p' });
    const bob = connect({ roomId: room.id, clientId: 'bob', joinToken: joinToken });
    await clock.elapse(0);
    const alice = connect({ roomId: room.id, clientId: 'alice', joinToken: joinToken });
    alice.message('early');
    await clock.elapse(0);
    expect(bob.frames().filter((f) => f.type === 'message')).toHaveLength(1);
  });

  it('admits a forwarded member with the credentials the ring pod reduced', () => {
    build();
    const { room, joinToken } = rooms.create({ mode: 'p2p' });
    const ws = new FakeSocket();
    gateway.handleForwarded(ws.asWs(), {
      roomId: room.id,
      clientId: 'f',
      tokenHash: hashJoinToken(joinToken),
      apiKeyOk: false,
    });
    expect(ws.frames()[0]).toMatchObject({ type: 'welcome' });
    expect(metrics.forwardedOpen.in).toBe(1);
    ws.peerClose();
    expect(metrics.forwardedOpen.in).toBe(0);
  });

  it('heartbeat: a member that did not answer the last ping is cut', async () => {
    build();
    const { room, joinToken } = rooms.create({ mode: 'p2p' });
    const live = connect({ roomId: room.id, clientId: 'a', joinToken: joinToken });
    const dead = connect({ roomId: room.id, clientId: 'b', joinToken: joinToken });
    await clock.elapse(1000);
    live.pong();
    await clock.elapse(1000);
    expect(dead.terminated).toBe(true);
    expect(live.terminated).toBe(false);
    expect(room.has('b')).toBe(false);
  });

  it('drain: every member gets 1012; those that never close are cut after the timeout', async () => {
    build();
    const { room, joinToken } = rooms.create({ mode: 'p2p' });
    const quick = connect({ roomId: room.id, clientId: 'a', joinToken: joinToken });
    const stuck = connect({ roomId: room.id, clientId: 'b', joinToken: joinToken });
    gateway.closeAllForRestart();
    expect([quick.closedWith?.code, stuck.closedWith?.code]).toEqual([1012, 1012]);
    quick.peerClose();
    const waiting = gateway.waitForClosed(200);
    await clock.elapse(250);
    await waiting;
    expect(stuck.terminated).toBe(true);
    expect(gateway.size).toBe(0);
  });
});
