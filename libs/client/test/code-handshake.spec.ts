/**
 * The code handshake against a relay that lies — what the real relay never does, so it is fed
 * frames directly here: it invents guests, drops verdict notices, sends PAKE messages in other
 * members' names, admits a guest before it confirmed. The verifier's own limit holds anyway.
 */
import {
  CodePakeInitiator,
  CodePakeResponder,
  Identity,
  makeCode,
  PakeKind,
  type Code,
} from '@nullroom/e2ee';
import { decodeClientFrame, type ServerFrame } from '@nullroom/protocol';
import { CodeHandshake, CodeRoomErrorCode, type CodeHandshakeEvents } from '../src';

const ROOM = 'c0dedfe0-c2df-86a2-8d29-36a351f9d067';
const CODE = makeCode('7', ['zucchini', 'aardvark', 'ethics']);
const WRONG = makeCode('7', ['zucchini', 'aardvark', 'etching']);

interface Sent {
  readonly type: string;
  readonly to?: string;
  readonly kind?: number;
  readonly accept?: boolean;
  readonly guest?: string;
  readonly payload?: Uint8Array;
}

async function handshake(selfId: string, code: Code = CODE, max?: number) {
  const sent: Sent[] = [];
  const events: Array<{ type: keyof CodeHandshakeEvents; payload: unknown }> = [];
  const h = new CodeHandshake({
    code,
    roomId: ROOM,
    selfId,
    identity: await Identity.generate(),
    ...(max === undefined ? {} : { maxFailedAttempts: max }),
    send: (bytes) => {
      const decoded = decodeClientFrame(bytes);
      if (!decoded.ok) throw new Error('sent an invalid frame');
      const f = decoded.frame;
      if (f.type === 'code-verdict')
        sent.push({ type: 'verdict', accept: f.accept, guest: f.guest });
      else if (f.type === 'send-to') {
        const payload = bytes.subarray(f.payloadOffset);
        sent.push({ type: 'send-to', to: f.to, kind: payload[1], payload });
      } else sent.push({ type: f.type });
    },
  });
  for (const type of ['verified', 'admitted', 'failed', 'guest-verified', 'exhausted'] as const)
    h.on(type, (payload) => events.push({ type, payload }));
  return { h, sent, events };
}

type Side = Awaited<ReturnType<typeof handshake>>;

function pake(from: string, payload: Uint8Array): ServerFrame {
  return { type: 'message', from, text: false, direct: true, payload };
}

async function guessHello(guestId: string, code: Code = WRONG): Promise<Uint8Array> {
  const guesser = await CodePakeInitiator.start({
    password: code.password,
    roomId: ROOM,
    selfId: guestId,
    peerId: 'host',
    identity: await Identity.generate(),
  });
  return guesser.hello;
}

describe('code handshake against a lying relay', () => {
  it('a verifier lets at most maxFailedAttempts codes be tested, whatever the relay reports', async () => {
    const { h, sent, events } = await handshake('host', CODE, 3);
    for (let i = 0; i < 5; i++) {
      const guest = `g${i}`;
      await h.handle({ type: 'code-guest', clientId: guest, attemptsLeft: 99, timeoutMs: 1000 });
      // The guesser takes the REPLY and vanishes; the relay "forgets" to count it.
      await h.handle(pake(guest, await guessHello(guest)));
    }
    const replies = sent.filter((s) => s.type === 'send-to' && s.kind === PakeKind.REPLY);
    expect(replies.map((s) => s.to)).toEqual(['g0', 'g1', 'g2']);
    expect(sent.filter((s) => s.type === 'verdict')).toEqual([
      { type: 'verdict', accept: false, guest: 'g3' },
      { type: 'verdict', accept: false, guest: 'g4' },
    ]);
    expect(events.filter((e) => e.type === 'exhausted')).toEqual([
      { type: 'exhausted', payload: { failedAttempts: 3 } },
    ]);
    expect(h.exhausted).toBe(true);
    // Even the right code is refused now: the code is spent, make a new one.
    await h.handle({ type: 'code-guest', clientId: 'honest', attemptsLeft: 1, timeoutMs: 1000 });
    expect(sent.at(-1)).toEqual({ type: 'verdict', accept: false, guest: 'honest' });
  });

  it('a confirmed guest does not count; PAKE messages from guests nobody announced are ignored', async () => {
    const host = await handshake('host', CODE, 1);
    const guest = await handshake('guest', CODE);
    await host.h.handle(pake('stranger', await guessHello('stranger', CODE)));
    expect(host.sent).toEqual([]);
    await host.h.handle({
      type: 'code-guest',
      clientId: 'guest',
      attemptsLeft: 3,
      timeoutMs: 1000,
    });
    await guest.h.handle({
      type: 'code-challenge',
      verifier: 'host',
      attemptsLeft: 3,
      timeoutMs: 1000,
    });
    const relay = async (from: Side, to: Side, id: string) => {
      const out = from.sent.shift()!;
      expect(out.type).toBe('send-to');
      await to.h.handle(pake(id, out.payload!));
    };
    await relay(guest, host, 'guest'); // HELLO
    // The relay admits the guest before the verifier proved the code: not believed.
    await guest.h.handle({ type: 'code-admitted', clientId: 'guest', joinToken: 't' });
    expect(guest.events).toEqual([]);
    await relay(host, guest, 'host'); // REPLY
    expect(guest.events.map((e) => e.type)).toEqual(['verified']);
    await relay(guest, host, 'guest'); // CONFIRM
    expect(host.sent).toEqual([{ type: 'verdict', accept: true, guest: 'guest' }]);
    expect(host.h.failedAttempts).toBe(0);
    expect(host.h.exhausted).toBe(false);
    await guest.h.handle({ type: 'code-admitted', clientId: 'guest', joinToken: 't' });
    expect(guest.events.map((e) => e.type)).toEqual(['verified', 'admitted']);
  });

  it('a guest takes its REPLY only from its verifier, and answers a bad one with ABORT', async () => {
    const { h, sent, events } = await handshake('guest', CODE);
    await h.handle({ type: 'code-challenge', verifier: 'host', attemptsLeft: 3, timeoutMs: 1000 });
    expect(sent.map((s) => [s.to, s.kind])).toEqual([['host', PakeKind.HELLO]]);
    // A REPLY made with another code (a relay posing as the verifier, guessing).
    const impostor = CodePakeResponder.create({
      password: WRONG.password,
      roomId: ROOM,
      selfId: 'host',
      peerId: 'guest',
      identity: await Identity.generate(),
    });
    const reply = await impostor.respond(sent[0]!.payload!);
    if (!reply.ok) throw reply.error;
    const bogus = reply.value;
    await h.handle(pake('mallory', bogus));
    expect(sent).toHaveLength(1);
    await h.handle(pake('host', bogus));
    expect(sent.map((s) => [s.to, s.kind])).toEqual([
      ['host', PakeKind.HELLO],
      ['host', PakeKind.ABORT],
    ]);
    const failed = events.find((e) => e.type === 'failed')!.payload as {
      error: { code: string };
    };
    expect(failed.error.code).toBe(CodeRoomErrorCode.WRONG_CODE);
  });
});
