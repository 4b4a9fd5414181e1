/**
 * Code rooms end to end through the real relay (apps/relay dist, a child process), with every
 * WebSocket frame recorded on the way by a capture proxy — the relay's-eye view:
 * - the right code (typed loosely) completes the PAKE both ways and the relay admits the guest;
 * - a wrong code is refused as exactly that, and counted; after CODE_MAX_FAILED_ATTEMPTS the
 *   relay closes the room;
 * - two rooms with different codes never mix;
 * - two runs with different codes look the same to the relay: the same frames, with the same
 *   lengths, in the same order (docs/e2ee.md explains why a recording can't test a code).
 */
import { existsSync } from 'node:fs';
import { type Code, Identity, makeCode, toHex } from '@nullroom/e2ee';
import { decodeClientFrame, decodeServerFrame } from '@nullroom/protocol';
import { CodeRoomError, CodeRoomErrorCode, CodeRoomLink, createCodeRoom } from '../src';
// The relay's own test helper starts the built relay as `npm start` would (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  RELAY_MAIN,
  startRelay,
  type RelayProcess,
} from '../../../apps/relay/test/support/relay-process';
import { CaptureProxy, type CapturedFrame } from './capture-proxy';
import { nextEvent } from './code-room-events';

const API_KEY = 'code-room-e2e-api-key-0123456789';

async function rejection(promise: Promise<unknown>): Promise<CodeRoomError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodeRoomError) return error;
    throw error;
  }
  throw new Error('expected a CodeRoomError');
}

/** A code with the same nameplate and other words. */
function otherWords(code: Code, words: string[]): Code {
  return makeCode(code.nameplate, words);
}

describe('code rooms through the real relay', () => {
  let relay: RelayProcess;
  let proxy: CaptureProxy;
  let url: string;
  const links: CodeRoomLink[] = [];

  beforeAll(async () => {
    if (!existsSync(RELAY_MAIN))
      throw new Error(`build the relay first: ${RELAY_MAIN} is missing (nx run relay:build)`);
    relay = await startRelay({
      ANOCHAT_API_KEY: API_KEY,
      CODE_MAX_FAILED_ATTEMPTS: '3',
      // Guesses per address are limited; this suite makes a dozen from one address on purpose.
      RATE_LIMIT_CODE_ATTEMPTS_MAX: '0',
    });
    proxy = new CaptureProxy(relay.wsUrl);
    url = (await proxy.start()).replace(/^ws/, 'http').replace(/\/ws$/, '');
  }, 30_000);

  afterEach(() => {
    for (const link of links.splice(0)) link.close();
  });

  afterAll(async () => {
    await proxy?.stop();
    await relay?.stop();
  });

  /** The REST call goes to the relay itself (the proxy only carries WebSockets). */
  async function host(
    options: { clientId?: string; identity?: Identity; words?: string[]; size?: number } = {},
  ) {
    const created = await createCodeRoom(relay.baseUrl, {
      apiKey: API_KEY,
      ...(options.size === undefined ? {} : { maxParticipants: options.size }),
    });
    const code = makeCode(created.nameplate, options.words ?? ['zucchini', 'aardvark', 'ethics']);
    const link = await CodeRoomLink.host({
      url,
      code,
      joinToken: created.joinToken,
      ...(options.identity === undefined ? {} : { identity: options.identity }),
    });
    links.push(link);
    return { link, code, created };
  }

  it('the right code: both sides authenticate each other, the relay admits the guest', async () => {
    const hostIdentity = await Identity.generate();
    const guestIdentity = await Identity.generate();
    const { link: hostLink, code } = await host({ identity: hostIdentity });
    const verified = nextEvent(hostLink, 'guest-verified');
    // Typed by a person: other case, spaces, a prefix, a typo.
    const typed = `${code.nameplate} Zucchini aard ethigs`;
    const joined = await CodeRoomLink.join({ url, code: typed, identity: guestIdentity });
    links.push(joined.link);
    const { peerId, outcome: hostOutcome } = await verified;
    expect(peerId).toBe(joined.link.clientId);
    expect(toHex(joined.outcome.peerIdentityKey)).toBe(toHex(hostIdentity.publicKey));
    expect(toHex(hostOutcome.peerIdentityKey)).toBe(toHex(guestIdentity.publicKey));
    expect(toHex(joined.outcome.sessionId)).toBe(toHex(hostOutcome.sessionId));
    const context = new TextEncoder().encode(joined.link.roomId);
    expect(toHex(await joined.outcome.exportSecret('mls', context, 32))).toBe(
      toHex(await hostOutcome.exportSecret('mls', context, 32)),
    );
    expect(typeof joined.joinToken).toBe('string');
    // Now an ordinary member: payloads flow both ways.
    const atHost = nextEvent(hostLink, 'message');
    joined.link.send(Uint8Array.of(1, 2, 3));
    expect((await atHost).payload).toEqual(Uint8Array.of(1, 2, 3));
    const atGuest = nextEvent(joined.link, 'message');
    hostLink.send(Uint8Array.of(4));
    expect((await atGuest).from).toBe(hostLink.clientId);
  });

  it('a wrong code is refused as "wrong code", and the relay counts it', async () => {
    const { link: hostLink, code } = await host();
    const failed = nextEvent(hostLink, 'attempt-failed');
    const error = await rejection(
      CodeRoomLink.join({ url, code: otherWords(code, ['zucchini', 'aardvark', 'etching']) }),
    );
    expect(error.code).toBe(CodeRoomErrorCode.WRONG_CODE);
    expect(error.message).toBe('wrong code');
    expect(await failed).toMatchObject({ reason: 'wrong_code', attemptsLeft: 2 });
    expect(hostLink.failedAttempts).toBe(1);
    // The right code still works afterwards (the budget is not spent).
    const joined = await CodeRoomLink.join({ url, code });
    links.push(joined.link);
  });

  it('after CODE_MAX_FAILED_ATTEMPTS wrong codes the relay closes the room', async () => {
    // The host's own limit is set higher here, so that it is the relay's count that closes.
    const created = await createCodeRoom(relay.baseUrl, { apiKey: API_KEY });
    const code = makeCode(created.nameplate, ['zucchini', 'aardvark', 'ethics']);
    const hostLink = await CodeRoomLink.host({
      url,
      code,
      joinToken: created.joinToken,
      maxFailedAttempts: 10,
    });
    links.push(hostLink);
    const closed = nextEvent(hostLink, 'closed', 20_000);
    for (const last of ['etching', 'evacuation', 'evolution']) {
      const error = await rejection(
        CodeRoomLink.join({ url, code: otherWords(code, ['zucchini', 'aardvark', last]) }),
      );
      expect(error.code).toBe(CodeRoomErrorCode.WRONG_CODE);
    }
    const end = await closed;
    expect(end.error.code).toBe(CodeRoomErrorCode.ROOM_LOCKED);
    expect(end.code).toBe(4442);
    // The room is gone: even the right code finds nothing now.
    const late = await rejection(CodeRoomLink.join({ url, code, retries: 0 }));
    expect(late.code).toBe(CodeRoomErrorCode.NOT_FOUND);
  }, 30_000);

  it('two rooms with different codes never mix', async () => {
    const a = await host();
    const b = await host({ words: ['abyss', 'zombie', 'cup'], size: 3 });
    const aVerified = nextEvent(a.link, 'guest-verified');
    const bVerified = nextEvent(b.link, 'guest-verified');
    const aIdentity = await Identity.generate();
    const bIdentity = await Identity.generate();
    const [ja, jb] = await Promise.all([
      CodeRoomLink.join({ url, code: a.code, identity: aIdentity }),
      CodeRoomLink.join({ url, code: b.code, identity: bIdentity }),
    ]);
    links.push(ja.link, jb.link);
    expect(ja.link.roomId).not.toBe(jb.link.roomId);
    expect(toHex((await aVerified).outcome.peerIdentityKey)).toBe(toHex(aIdentity.publicKey));
    expect(toHex((await bVerified).outcome.peerIdentityKey)).toBe(toHex(bIdentity.publicKey));
    expect(toHex(ja.outcome.sessionId)).not.toBe(toHex(jb.outcome.sessionId));
    // A's words with B's nameplate: B's verifier refuses.
    const crossed = await rejection(
      CodeRoomLink.join({ url, code: makeCode(b.code.nameplate, [...a.code.words]) }),
    );
    expect([crossed.code, crossed.message]).toEqual([CodeRoomErrorCode.WRONG_CODE, 'wrong code']);
    // Traffic stays in its room.
    const inA = nextEvent(a.link, 'message');
    jb.link.send(Uint8Array.of(0xbb));
    ja.link.send(Uint8Array.of(0xaa));
    expect((await inA).payload).toEqual(Uint8Array.of(0xaa));
  });

  it('the relay sees the same frames, lengths and order for two runs with different codes', async () => {
    const runs: Array<{ host: string[]; guest: string[] }> = [];
    for (const words of [
      ['zucchini', 'aardvark', 'ethics'],
      ['yo-yo', 'cup', 'wrongdoing'],
    ]) {
      const created = await createCodeRoom(relay.baseUrl, { apiKey: API_KEY });
      const code = makeCode(created.nameplate, words);
      const hostLink = await CodeRoomLink.host({
        url,
        code,
        joinToken: created.joinToken,
        clientId: 'host-000000000001',
      });
      links.push(hostLink);
      const verified = nextEvent(hostLink, 'guest-verified');
      const joined = await CodeRoomLink.join({ url, code, clientId: 'guest-00000000001' });
      links.push(joined.link);
      await verified;
      const of = (clientId: string) =>
        proxy.frames.filter(
          (f) => f.query.includes(created.roomId) && f.query.includes(`clientId=${clientId}`),
        );
      // The host's last frame of the handshake is CODE_ADMITTED (after JOINED): wait until the
      // proxy has passed it on.
      const admittedAtHost = () =>
        of('host-000000000001').some((f) =>
          describeFrame(f).startsWith('from-relay code-admitted'),
        );
      for (let i = 0; i < 500 && !admittedAtHost(); i++)
        await new Promise((r) => setTimeout(r, 10));
      const frames = [...of('host-000000000001'), ...of('guest-00000000001')];
      // None of the words crossed the relay, in any form it could read.
      for (const f of frames) for (const w of words) expect(f.data.includes(w)).toBe(false);
      runs.push({
        host: of('host-000000000001').map(describeFrame),
        guest: of('guest-00000000001').map(describeFrame),
      });
      hostLink.close();
      joined.link.close();
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0]!.guest).toEqual([
      'from-relay welcome 105',
      'from-relay code-challenge 68',
      'to-relay send-to pake-40 50',
      'from-relay message pake-41 178',
      'to-relay send-to pake-42 146',
      'from-relay code-admitted 91',
    ]);
    expect(runs[0]!.host).toEqual([
      'from-relay welcome 86',
      'from-relay code-guest 68',
      'from-relay message pake-40 50',
      'to-relay send-to pake-41 178',
      'from-relay message pake-42 146',
      'to-relay verdict true 19',
      'from-relay joined 19',
      'from-relay code-admitted 33',
    ]);
  });
});

/** direction, frame type, for PAKE payloads their kind, and the payload length. */
function describeFrame(frame: CapturedFrame): string {
  const bytes = new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
  if (frame.direction === 'to-relay') {
    const decoded = decodeClientFrame(bytes);
    if (!decoded.ok) return `to-relay invalid ${bytes.byteLength}`;
    const f = decoded.frame;
    if (f.type === 'code-verdict') return `to-relay verdict ${f.accept} ${bytes.byteLength}`;
    const payload = bytes.subarray(f.payloadOffset);
    return `to-relay ${f.type} ${kind(payload)} ${payload.byteLength}`;
  }
  const decoded = decodeServerFrame(bytes);
  if (!decoded.ok) return `from-relay invalid ${bytes.byteLength}`;
  const f = decoded.frame;
  if (f.type === 'message') return `from-relay message ${kind(f.payload)} ${f.payload.byteLength}`;
  return `from-relay ${f.type} ${bytes.byteLength}`;
}

function kind(payload: Uint8Array): string {
  return payload[0] === 1 && payload[1]! >= 0x40 && payload[1]! <= 0x43
    ? `pake-${payload[1]!.toString(16)}`
    : 'other';
}
