import {
  CallChannel,
  type CallChannelContext,
  CALL_FRAME_MAGIC,
  decodeContent,
  DecryptError,
  encodeContent,
  generateCallKey,
  InvalidKeyError,
  isCallFrame,
  MalformedFrameError,
  randomBytes,
  ReplayError,
} from '../../src';
import { utf8, utf8Decode } from '../../src/bytes';
import { bytesEq, check, equal, isError, type TestCase } from '../harness';

const ROOM = '00000000-0000-4000-8000-0000000000ca';

async function pair(callId: Uint8Array = randomBytes(16), roomId = ROOM) {
  const [ka, kb] = [await generateCallKey(), await generateCallKey()];
  const ctx = (selfId: string, peerId: string): CallChannelContext => ({
    roomId,
    callId,
    selfId,
    peerId,
  });
  const open = async (c: CallChannelContext, own: typeof ka, peer: Uint8Array) => {
    const r = await CallChannel.open(c, own, peer);
    if (!r.ok) throw r.error;
    return r.value;
  };
  return {
    ka,
    kb,
    callId,
    alice: await open(ctx('alice', 'bob'), ka, kb.publicKey),
    bob: await open(ctx('bob', 'alice'), kb, ka.publicKey),
    open,
    ctx,
  };
}

async function opened(channel: CallChannel, frame: Uint8Array): Promise<string> {
  const r = await channel.open(frame);
  if (!r.ok) throw r.error;
  return utf8Decode(r.value)!;
}

async function refused(channel: CallChannel, frame: Uint8Array): Promise<unknown> {
  const r = await channel.open(frame);
  check(!r.ok, 'frame should have been refused');
  return (r as { error: unknown }).error;
}

const SDP = 'v=0\r\na=fingerprint:sha-256 AB:CD\r\n';

export const callChannelCases: TestCase[] = [
  {
    name: 'call channel: both directions open, frames are padded and marked as call frames',
    run: async () => {
      const { alice, bob } = await pair();
      const f1 = await alice.seal(utf8(SDP));
      const f2 = await bob.seal(utf8('answer'));
      equal(await opened(bob, f1), SDP, 'alice → bob');
      equal(await opened(alice, f2), 'answer', 'bob → alice');
      check(isCallFrame(f1) && f1[0] === CALL_FRAME_MAGIC, 'call frame magic');
      // Short and somewhat longer plaintexts share a padded size: lengths don't show.
      const short = await alice.seal(utf8('x'));
      const longer = await alice.seal(utf8('x'.repeat(40)));
      equal(short.byteLength, longer.byteLength, 'padded length');
      check(!new TextDecoder().decode(f1).includes('fingerprint'), 'no plaintext on the wire');
    },
  },
  {
    name: 'call channel: a replayed or reordered frame is refused, a gap is not',
    run: async () => {
      const { alice, bob } = await pair();
      const [f0, f1, f2, f3] = [
        await alice.seal(utf8('0')),
        await alice.seal(utf8('1')),
        await alice.seal(utf8('2')),
        await alice.seal(utf8('3')),
      ];
      equal(await opened(bob, f0), '0', 'first');
      isError(await refused(bob, f0), ReplayError, 'replay', 'replay');
      equal(await opened(bob, f2), '2', 'after a gap (a frame lost in a reconnect)');
      isError(await refused(bob, f1), ReplayError, 'replay', 'reordered');
      equal(await opened(bob, f3), '3', 'next');
    },
  },
  {
    name: 'call channel: a frame redirected to another member, call or room does not open',
    run: async () => {
      const callId = randomBytes(16);
      const { ka, kb, alice, open, ctx } = await pair(callId);
      const frame = await alice.seal(utf8(SDP));
      // Carol is in the call too, with her own channel to Alice.
      const kc = await generateCallKey();
      const carol = await open(ctx('carol', 'alice'), kc, ka.publicKey);
      isError(await refused(carol, frame), DecryptError, 'decrypt_failed', 'to carol');
      // Bob with the same keys, but in another call or another room.
      const otherCall = await open(
        { roomId: ROOM, callId: randomBytes(16), selfId: 'bob', peerId: 'alice' },
        kb,
        ka.publicKey,
      );
      isError(await refused(otherCall, frame), DecryptError, 'decrypt_failed', 'other call');
      const otherRoom = await open(
        { roomId: '00000000-0000-4000-8000-0000000000cb', callId, selfId: 'bob', peerId: 'alice' },
        kb,
        ka.publicKey,
      );
      isError(await refused(otherRoom, frame), DecryptError, 'decrypt_failed', 'other room');
      // The relay re-stamps the frame as coming from someone else: the names are in the AAD.
      const carolToBob = await open(ctx('bob', 'carol'), kb, kc.publicKey);
      isError(await refused(carolToBob, frame), DecryptError, 'decrypt_failed', 're-stamped');
      // Reflected back to its sender as if the peer had sent it: each direction has its own key.
      isError(await refused(alice, frame), DecryptError, 'decrypt_failed', 'reflected');
    },
  },
  {
    name: 'call channel: any changed byte fails, so the relay cannot rewrite an SDP fingerprint',
    run: async () => {
      const { alice, bob } = await pair();
      const frame = await alice.seal(utf8(SDP));
      for (let i = 2; i < frame.byteLength; i++) {
        const bad = frame.slice();
        bad[i] = bad[i]! ^ 0x04;
        const r = await bob.open(bad);
        check(!r.ok, `byte ${i} changed and still opened`);
      }
      equal(await opened(bob, frame), SDP, 'the untouched frame still opens');
    },
  },
  {
    name: 'call channel: bad peer keys and malformed frames are typed errors, never throws',
    run: async () => {
      const own = await generateCallKey();
      const offCurve = new Uint8Array(65);
      offCurve[0] = 0x04;
      offCurve[64] = 7;
      const ctx = { roomId: ROOM, callId: randomBytes(16), selfId: 'a', peerId: 'b' };
      const r1 = await CallChannel.open(ctx, own, offCurve);
      check(!r1.ok, 'off-curve key accepted');
      isError((r1 as { error: unknown }).error, InvalidKeyError, 'invalid_key', 'off curve');
      const r2 = await CallChannel.open(ctx, own, own.publicKey.subarray(1));
      isError((r2 as { error: unknown }).error, InvalidKeyError, 'invalid_key', 'compressed');
      const { alice, bob } = await pair();
      const frame = await alice.seal(utf8('hello'));
      for (let n = 0; n < frame.byteLength; n += 7) {
        const r = await bob.open(frame.subarray(0, n));
        check(!r.ok, `prefix of ${n} bytes opened`);
      }
      isError(
        await refused(bob, new Uint8Array(64 * 1024 + 1).fill(CALL_FRAME_MAGIC)),
        MalformedFrameError,
        'too_large',
        'oversized',
      );
      for (let i = 0; i < 200; i++) {
        const junk = randomBytes(1 + (i % 90));
        junk[0] = CALL_FRAME_MAGIC;
        const r = await bob.open(junk);
        check(!r.ok, 'random bytes opened');
      }
    },
  },
  {
    name: 'call content: round-trips inside a message, empty or oversized is refused',
    run: () => {
      const data = utf8('{"t":"join"}');
      const back = decodeContent(encodeContent({ type: 'call', data }));
      check(back?.type === 'call', 'call content');
      bytesEq((back as { data: Uint8Array }).data, data, 'call data');
      equal(decodeContent(Uint8Array.of(0x0c)), undefined, 'empty call content');
      equal(
        decodeContent(new Uint8Array(8 * 1024 + 2).fill(0x0c)),
        undefined,
        'oversized call content',
      );
      return Promise.resolve();
    },
  },
];
