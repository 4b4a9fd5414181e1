/** The SDK's side of CALL_JOIN / CALL_LEAVE against the in-memory relay (no WebRTC needed). */
import { CallError, CallErrorCode, NullroomClient } from '../src';
import { FakeRelay } from './fake-relay';

const ROOM = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e40';

describe('calls at the relay, seen from the SDK', () => {
  let relay: FakeRelay;
  const clients: NullroomClient[] = [];
  beforeEach(() => {
    relay = new FakeRelay();
    relay.knownRooms.add(ROOM);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  const member = async (clientId: string): Promise<NullroomClient> => {
    const c = new NullroomClient({
      url: 'http://relay.test',
      roomId: ROOM,
      clientId,
      webSocket: relay.factory,
    });
    clients.push(c);
    await c.connect();
    return c;
  };

  it('resolves CALL_JOIN with the credentials, and rejects with a typed error when full', async () => {
    relay.callCredentials = {
      urls: ['turn:turn.test:3478'],
      username: '1764591000:abc',
      credential: 'c2VjcmV0',
      ttlS: 600,
      maxParticipants: 2,
    };
    const [a, b, c] = [await member('a'), await member('b'), await member('c')];
    await expect(a.joinCallAtRelay()).resolves.toEqual(relay.callCredentials);
    await expect(b.joinCallAtRelay()).resolves.toMatchObject({ maxParticipants: 2 });
    const full = c.joinCallAtRelay();
    await expect(full).rejects.toBeInstanceOf(CallError);
    await expect(full).rejects.toMatchObject({ code: CallErrorCode.FULL });
    a.leaveCallAtRelay();
    await expect(c.joinCallAtRelay()).resolves.toMatchObject({ ttlS: 600 });
    // A closed client can't join, and says so.
    c.close();
    await expect(c.joinCallAtRelay()).rejects.toMatchObject({ code: CallErrorCode.NOT_CONNECTED });
  });

  it('routes call channel frames to the call layer and nothing else to it', async () => {
    const [a, b] = [await member('a'), await member('b')];
    const frames: Array<{ from: string; payload: Uint8Array }> = [];
    b.on('call-frame', (f) => frames.push(f));
    const rejected: unknown[] = [];
    b.on('security', (e) => rejected.push(e));
    const frame = new Uint8Array(48).fill(7);
    frame[0] = 0xca;
    a.sendCallFrame('b', frame);
    expect(() => a.sendCallFrame('b', new Uint8Array(40))).toThrow(TypeError);
    for (let i = 0; i < 50 && frames.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(frames).toEqual([{ from: 'a', payload: frame }]);
    expect(rejected).toEqual([]);
  });
});
