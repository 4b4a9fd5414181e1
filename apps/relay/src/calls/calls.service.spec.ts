import { createHmac } from 'node:crypto';
import { type CallCredentials, decodeServerFrame, type ServerFrame } from '@nullroom/protocol';
import { Clock } from '../common/clock';
import { type Member } from '../rooms/member';
import { Room } from '../rooms/room';
import { CallsService } from './calls.service';
import { TurnCredentials } from './turn-credentials';

class FakeClock extends Clock {
  constructor(public at: number) {
    super();
  }
  override now(): number {
    return this.at;
  }
}

function member(clientId: string): Member & { frames: ServerFrame[] } {
  const frames: ServerFrame[] = [];
  return {
    clientId,
    frames,
    deliver: (frame) => {
      const decoded = decodeServerFrame(new Uint8Array(frame));
      if (decoded.ok) frames.push(decoded.frame);
    },
    end: () => undefined,
  };
}

const SECRET = 'turn-shared-secret-0123456789';
const turn = { urls: ['turn:127.0.0.1:3478'], secret: SECRET, ttlS: 600 };

function setup(maxParticipants = 2, secret = SECRET) {
  const clock = new FakeClock(1_764_590_400_000);
  const credentials = new TurnCredentials(
    { maxParticipants, turn: { ...turn, secret } },
    clock,
    (n) => Buffer.alloc(n, 7),
  );
  return { clock, calls: new CallsService(maxParticipants, credentials) };
}

const room = () => new Room('00000000-0000-4000-8000-000000000000', 'p2p', 16, 't', 0);
const last = (m: { frames: ServerFrame[] }) => m.frames[m.frames.length - 1];

describe('TurnCredentials', () => {
  it('issues TURN REST API credentials coturn can check: expiry:random, base64 HMAC-SHA1', () => {
    const { clock } = setup();
    const issued = new TurnCredentials({ maxParticipants: 8, turn }, clock, (n) =>
      Buffer.alloc(n, 7),
    ).issue();
    expect(issued).toEqual({
      urls: ['turn:127.0.0.1:3478'],
      username: '1764591000:BwcHBwcHBwcHBwcH',
      credential: createHmac('sha1', SECRET).update('1764591000:BwcHBwcHBwcHBwcH').digest('base64'),
      ttlS: 600,
      maxParticipants: 8,
    });
    // Golden value from `openssl dgst -sha1 -hmac`: a change of algorithm or encoding fails here.
    expect(issued.credential).toBe('IdptnaGkrMXL75iamKYv/jOxDws=');
  });

  it('uses fresh randomness for every credential, so usernames never repeat', () => {
    const t = new TurnCredentials({ maxParticipants: 8, turn }, new Clock());
    const names = new Set(Array.from({ length: 50 }, () => t.issue().username));
    expect(names.size).toBe(50);
  });

  it('hands out only the URLs when there is no secret (STUN only, or nothing at all)', () => {
    const t = new TurnCredentials(
      { maxParticipants: 8, turn: { urls: [], secret: '', ttlS: 600 } },
      new Clock(),
    );
    expect(t.issue()).toEqual({ urls: [], ttlS: 0, maxParticipants: 8 });
  });
});

describe('CallsService', () => {
  it('counts a call from its first member to its last and holds CALL_MAX_PARTICIPANTS', () => {
    const { calls } = setup(2);
    const r = room();
    const [alice, bob, carol] = [member('alice'), member('bob'), member('carol')];
    calls.join(r, alice);
    expect(last(alice)).toMatchObject({ type: 'call-credentials', ttlS: 600, maxParticipants: 2 });
    expect(calls).toMatchObject({ started: 1, active: 1, participants: 1, ended: 0 });
    calls.join(r, bob);
    calls.join(r, carol);
    expect(last(carol)).toEqual({ type: 'error', code: 'call_full', message: 'the call is full' });
    expect(calls.refused.full).toBe(1);
    expect(calls.size(r)).toBe(2);
    // A refresh of someone already in the call is not a second seat.
    calls.join(r, alice);
    expect(calls).toMatchObject({ participants: 2, credentialsIssued: 3 });
    calls.leave(r, bob);
    calls.join(r, carol);
    expect(last(carol)?.type).toBe('call-credentials');
    calls.leave(r, alice);
    calls.leave(r, alice);
    calls.leave(r, carol);
    expect(calls).toMatchObject({ started: 1, ended: 1, active: 0, participants: 0 });
  });

  it('keeps rooms apart: one room’s call does not fill another’s', () => {
    const { calls } = setup(2);
    const [r1, r2] = [room(), room()];
    calls.join(r1, member('a'));
    calls.join(r1, member('b'));
    const c = member('c');
    calls.join(r2, c);
    expect(last(c)?.type).toBe('call-credentials');
    expect(calls).toMatchObject({ started: 2, active: 2, participants: 3 });
  });

  it('ends the call with its room', () => {
    const { calls } = setup(4);
    const r = room();
    calls.join(r, member('a'));
    calls.join(r, member('b'));
    calls.roomEnded(r);
    expect(calls).toMatchObject({ active: 0, participants: 0, ended: 1 });
    calls.roomEnded(r);
    expect(calls.ended).toBe(1);
  });

  it('refuses every CALL_JOIN when calls are off', () => {
    const { calls } = setup(0);
    const a = member('a');
    calls.join(room(), a);
    expect(last(a)).toEqual({
      type: 'error',
      code: 'calls_disabled',
      message: 'calls are off on this relay',
    });
    expect(calls).toMatchObject({ started: 0, credentialsIssued: 0, refused: { disabled: 1 } });
  });

  it('never puts a room id or client id in what it hands out', () => {
    const { calls } = setup(8);
    const a = member('alice-7f3c');
    const r = room();
    calls.join(r, a);
    const credentials = last(a) as CallCredentials;
    expect(JSON.stringify(credentials)).not.toContain('alice');
    expect(JSON.stringify(credentials)).not.toContain(r.id);
  });
});
