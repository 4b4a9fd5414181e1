import {
  CloseCode,
  encodeSend,
  encodeSendTo,
  FrameErrorCode,
  type ServerFrame,
} from '@nullroom/protocol';
import { FakeClock } from '../../test/support/fakes';
import { FakeSocket } from '../../test/support/fake-socket';
import { RelayStats } from '../common/stats';
import { Room } from '../rooms/room';
import { CLOSE_TIMEOUT_MS, Connection, type ConnectionLimits } from './connection';

const LIMITS: ConnectionLimits = {
  maxBufferedBytes: 1000,
  maxFramesPerSec: 10,
  maxBytesPerSec: 100_000,
  maxFrameBytes: 65_536,
};

describe('Connection', () => {
  let clock: FakeClock;
  let stats: RelayStats;
  let room: Room;
  const gone: string[] = [];

  function member(clientId: string, limits = LIMITS): { c: Connection; ws: FakeSocket } {
    const ws = new FakeSocket();
    const c = new Connection(clientId, ws.asWs(), limits, stats, clock, (conn, r) => {
      gone.push(conn.clientId);
      if (r !== undefined) r.remove(conn);
    });
    room.add(c);
    c.attach(room);
    return { c, ws };
  }

  const messages = (ws: FakeSocket) =>
    ws.frames().filter((f): f is Extract<ServerFrame, { type: 'message' }> => f.type === 'message');

  beforeEach(() => {
    clock = new FakeClock();
    stats = new RelayStats();
    room = new Room('r', 'p2p', 8, undefined, clock.now());
    gone.length = 0;
  });

  it('fans a SEND out to every other member, stamped with the sender, payload untouched', () => {
    const a = member('alice');
    const b = member('bob');
    const c = member('carol');
    a.c.onMessage(Buffer.from(encodeSend(Uint8Array.of(1, 2, 3))), true, clock.now());
    for (const to of [b, c])
      expect(messages(to.ws)).toEqual([
        {
          type: 'message',
          from: 'alice',
          text: false,
          direct: false,
          payload: Uint8Array.of(1, 2, 3),
        },
      ]);
    expect(a.ws.sent).toHaveLength(0);
    expect(stats.framesIn).toBe(1);
    expect(stats.framesOut).toBe(2);
  });

  it('wraps text as a TEXT message and SEND_TO as a DIRECT message to one member', () => {
    const a = member('alice');
    const b = member('bob');
    const c = member('carol');
    a.c.onMessage(Buffer.from('hi'), false, clock.now());
    expect(messages(b.ws)[0]).toMatchObject({ from: 'alice', text: true });
    a.c.onMessage(Buffer.from(encodeSendTo('carol', Uint8Array.of(9))), true, clock.now());
    expect(messages(c.ws).at(-1)).toMatchObject({ from: 'alice', direct: true });
    expect(messages(b.ws)).toHaveLength(1);
  });

  it('answers a malformed header or an absent recipient with an ERROR frame, and stays open', () => {
    const a = member('alice');
    member('bob');
    a.c.onMessage(Buffer.from([0x81, 0]), true, clock.now());
    a.c.onMessage(Buffer.from(encodeSendTo('ghost', Uint8Array.of(1))), true, clock.now());
    expect(a.ws.frames().map((f) => f.type === 'error' && f.code)).toEqual([
      FrameErrorCode.MALFORMED_FRAME,
      FrameErrorCode.UNKNOWN_RECIPIENT,
    ]);
    expect(a.ws.closedWith).toBeUndefined();
    expect(stats.malformedFrames).toBe(1);
  });

  it('cuts a member over its frame rate with 4429, and it leaves the room at once', () => {
    const a = member('alice');
    member('bob');
    for (let i = 0; i < 21; i++)
      a.c.onMessage(Buffer.from(encodeSend(Uint8Array.of(i))), true, clock.now());
    expect(a.ws.closedWith?.code).toBe(CloseCode.RATE_LIMITED);
    expect(room.has('alice')).toBe(false);
    expect(stats.rateLimitedDisconnects).toBe(1);
  });

  it('a slow consumer is removed and closed with 4003, cut after CLOSE_TIMEOUT_MS if it never answers', async () => {
    const a = member('alice');
    const slow = member('slow');
    slow.ws.bufferedAmount = 5000;
    a.c.onMessage(Buffer.from(encodeSend(Uint8Array.of(1))), true, clock.now());
    expect(slow.ws.closedWith?.code).toBe(CloseCode.SLOW_CONSUMER);
    expect(room.has('slow')).toBe(false);
    expect(stats.slowConsumerDisconnects).toBe(1);
    // Nothing more is queued for it, and the room goes on.
    a.c.onMessage(Buffer.from(encodeSend(Uint8Array.of(2))), true, clock.now());
    expect(slow.ws.sent).toHaveLength(1);
    expect(slow.ws.terminated).toBe(false);
    await clock.elapse(CLOSE_TIMEOUT_MS);
    expect(slow.ws.terminated).toBe(true);
    expect(gone).toEqual(['slow']);
  });

  it('a member that answers the close in time is not cut', async () => {
    const a = member('alice');
    a.c.end(CloseCode.ROOM_CLOSED, 'room closed');
    a.ws.peerClose();
    await clock.elapse(CLOSE_TIMEOUT_MS);
    expect(a.ws.terminated).toBe(false);
  });
});
