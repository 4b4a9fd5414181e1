import {
  ContextMismatchError,
  decodeHandshake,
  decodeWrap,
  E2eeErrorCode,
  encodeHandshake,
  Identity,
  InvalidKeyError,
  MembershipError,
  NullroomSession,
  ReplayError,
  SequenceError,
  SignatureError,
  DecryptError,
  concat,
  FrameKind,
  deriveSenderKey,
  sealMessage,
  importEd25519Public,
  importEphemeralPublic,
} from '../../src';
import { keyPackageSignedPart, keyPackageSigningInput } from '../../src/handshake';
import { bytesEq, check, equal, isError, notEqual, type TestCase } from '../harness';
import { clearEvents, type Frame, lastRejection, rejections, RoomSim, texts } from '../room-sim';

async function room(...ids: string[]): Promise<RoomSim> {
  const sim = new RoomSim();
  for (const id of ids) await sim.join(id);
  return sim;
}

function epochOf(sim: RoomSim, id: string): number {
  return sim.members.get(id)!.session.epoch;
}

export const sessionCases: TestCase[] = [
  {
    name: 'three members agree on one epoch and fingerprint, and exchange text',
    async run() {
      const sim = await room('alice', 'bob', 'carol');
      const [a, b, c] = ['alice', 'bob', 'carol'].map((id) => sim.members.get(id)!);
      equal(a!.session.epoch, b!.session.epoch, 'epoch a/b');
      equal(b!.session.epoch, c!.session.epoch, 'epoch b/c');
      check(a!.session.fingerprint() !== undefined, 'fingerprint exists');
      equal(a!.session.fingerprint(), c!.session.fingerprint(), 'fingerprint a/c');
      equal(a!.session.fingerprint()!.split(' ').length, 12, 'fingerprint groups');
      await sim.send('bob', 'hello from bob');
      await sim.send('carol', 'hi from carol');
      equal(texts(a!).join('|'), 'hello from bob|hi from carol', 'alice received');
      equal(texts(c!).join('|'), 'hello from bob', 'carol received');
      equal(
        rejections(a!).length + rejections(b!).length + rejections(c!).length,
        0,
        'no rejections',
      );
    },
  },
  {
    name: 'pairwise safety numbers are symmetric and 60 digits',
    async run() {
      const sim = await room('alice', 'bob');
      const ab = await sim.members.get('alice')!.session.safetyNumber('bob');
      const ba = await sim.members.get('bob')!.session.safetyNumber('alice');
      check(ab !== undefined, 'safety number exists');
      equal(ab, ba, 'symmetric');
      equal(ab.replace(/ /g, '').length, 60, 'digits');
    },
  },
  {
    name: 'typing indicators and read receipts travel as encrypted control messages',
    async run() {
      const sim = await room('alice', 'bob');
      const a = sim.members.get('alice')!;
      const b = sim.members.get('bob')!;
      const typing = await a.session.encrypt({ type: 'typing', active: true });
      sim.broadcast('alice', typing.payload);
      const hello = await sim.send('alice', 'hello');
      const read = await b.session.encrypt({ type: 'read', messageId: hello.id });
      sim.broadcast('bob', read.payload);
      await sim.flush();
      const kinds = b.events.flatMap((e) => (e.type === 'message' ? [e.content.type] : []));
      equal(kinds.join(','), 'typing,text', 'bob got typing then text');
      const receipt = a.events.find((e) => e.type === 'message' && e.content.type === 'read');
      check(
        receipt?.type === 'message' &&
          receipt.content.type === 'read' &&
          receipt.content.messageId === hello.id,
        'receipt',
      );
      // The relay saw only ciphertext of identical, padded length for both control messages.
      equal(
        typing.payload.byteLength,
        read.payload.byteLength,
        'control messages share a padding bucket',
      );
    },
  },
  {
    name: 're-keys on every join: a newcomer cannot read messages from before it joined',
    async run() {
      const sim = await room('alice', 'bob');
      const before = epochOf(sim, 'alice');
      const old = await sim.send('alice', 'before carol');
      await sim.join('carol');
      check(epochOf(sim, 'alice') > before, 'epoch advanced on join');
      const events = await sim.inject('carol', 'alice', old.payload);
      const error = lastRejection(events);
      isError(error, MembershipError, E2eeErrorCode.STALE_EPOCH, 'old message at newcomer');
      equal(texts(sim.members.get('carol')!).length, 0, 'nothing delivered');
    },
  },
  {
    name: 'negative: a removed member cannot decrypt after the re-key',
    async run() {
      const sim = await room('alice', 'bob', 'dave');
      const dave = await sim.leave('dave');
      const epochAfter = epochOf(sim, 'alice');
      check(epochAfter > dave.session.epoch, 're-keyed on leave');
      const msg = await sim.send('bob', 'after dave left');
      // A colluding relay still forwards everything to dave: the commit and the message.
      const commit = sim.log
        .filter((f) => f.to === 'bob' && f.payload[1] === FrameKind.WRAP)
        .pop()!;
      const d1 = await dave.session.receive('alice', commit.payload);
      isError(
        lastRejection(d1.events),
        MembershipError,
        E2eeErrorCode.NOT_A_MEMBER,
        'commit at removed member',
      );
      const d2 = await dave.session.receive('bob', msg.payload);
      isError(
        lastRejection(d2.events),
        MembershipError,
        E2eeErrorCode.NOT_A_MEMBER,
        'message at removed member',
      );
      check(!d2.events.some((e) => e.type === 'message'), 'nothing delivered to dave');
      equal(texts(sim.members.get('alice')!).pop(), 'after dave left', 'alice still reads');
    },
  },
  {
    name: 'negative: relay swaps the ephemeral key in a handshake',
    async run() {
      const sim = await room('alice');
      const attacker = await NullroomSession.create({
        roomId: sim.roomId,
        selfId: 'bob',
        identity: await Identity.generate(),
      });
      const attackerKp = decodeHandshake((await attacker.start([])).outbound[0]!.payload);
      check(attackerKp.ok, 'attacker key package');
      sim.intercept = (f: Frame) => {
        if (f.from !== 'bob' || f.payload[1] !== FrameKind.HANDSHAKE) return [f];
        const hs = decodeHandshake(f.payload);
        if (!hs.ok) return [f];
        const kp = new Uint8Array(hs.value.keyPackage.bytes);
        // Overwrite bob's ephemeral key (65 bytes before the signature) with the relay's own.
        kp.set(attackerKp.value.keyPackage.ephemeralKey, kp.byteLength - 64 - 65);
        return [{ ...f, payload: encodeHandshake(kp, hs.value.reply) }];
      };
      await sim.join('bob');
      isError(
        rejections(sim.members.get('alice')!)[0],
        SignatureError,
        E2eeErrorCode.BAD_SIGNATURE,
        'swapped key',
      );
      equal(
        sim.members
          .get('alice')!
          .session.members()
          .find((m) => m.id === 'bob')?.verified,
        false,
        'bob not verified',
      );
    },
  },
  {
    name: 'negative: relay substitutes a whole identity (MITM) — safety numbers differ',
    async run() {
      const roomId = new RoomSim().roomId;
      const make = async (selfId: string) =>
        NullroomSession.create({ roomId, selfId, identity: await Identity.generate() });
      const [alice, bob, fakeAlice, fakeBob] = await Promise.all([
        make('alice'),
        make('bob'),
        make('alice'),
        make('bob'),
      ]);
      await alice.start([]);
      await fakeAlice.start([]);
      const bobHs = (await bob.start(['alice'])).outbound[0]!.payload;
      const fakeBobHs = (await fakeBob.start(['alice'])).outbound[0]!.payload;
      // The relay shows alice its own "bob", and answers bob with its own "alice".
      await alice.memberJoined('bob');
      await alice.receive('bob', fakeBobHs);
      await fakeAlice.memberJoined('bob');
      const reply = (await fakeAlice.receive('bob', bobHs)).outbound.find((o) => o.to === 'bob')!;
      const accepted = await bob.receive('alice', reply.payload);
      check(
        !accepted.events.some((e) => e.type === 'rejected'),
        'the substitution itself verifies',
      );
      const aliceSees = await alice.safetyNumber('bob');
      const bobSees = await bob.safetyNumber('alice');
      check(aliceSees !== undefined && bobSees !== undefined, 'both have numbers');
      notEqual(aliceSees, bobSees, 'safety numbers');
    },
  },
  {
    name: 'concurrent newcomers: duplicate key packages and early commits raise no alarms',
    async run() {
      const sim = await room('alice');
      const make = async (id: string) => {
        const identity = await Identity.generate();
        const session = await NullroomSession.create({ roomId: sim.roomId, selfId: id, identity });
        const member = { id, identity, session, events: [] };
        sim.members.set(id, member);
        return member;
      };
      // bob and carol join before either announcement went out: each gets the other's key
      // package twice (broadcast and reply), and carol may see a commit made before her.
      const bob = await make('bob');
      sim.order.push('bob');
      sim.apply('alice', await sim.members.get('alice')!.session.memberJoined('bob'));
      const bobStart = await bob.session.start(['alice']);
      const carol = await make('carol');
      sim.order.push('carol');
      sim.apply('alice', await sim.members.get('alice')!.session.memberJoined('carol'));
      sim.apply('bob', await bob.session.memberJoined('carol'));
      const carolStart = await carol.session.start(['alice', 'bob']);
      sim.apply('bob', bobStart);
      sim.apply('carol', carolStart);
      await sim.flush();
      for (const id of ['alice', 'bob', 'carol'])
        equal(rejections(sim.members.get(id)!).length, 0, `${id} rejections`);
      const fps = new Set(
        ['alice', 'bob', 'carol'].map((id) => sim.members.get(id)!.session.fingerprint()),
      );
      check(fps.size === 1 && !fps.has(undefined), 'one epoch for all three');
    },
  },
  {
    name: 'negative: handshake replayed from an earlier connection of the same member',
    async run() {
      const sim = await room('alice', 'bob');
      const old = sim.log.find(
        (f) => f.from === 'bob' && f.to === 'alice' && f.payload[1] === FrameKind.HANDSHAKE,
      )!;
      await sim.leave('bob');
      await sim.join('bob');
      const events = await sim.inject('alice', 'bob', old.payload);
      isError(lastRejection(events), ReplayError, E2eeErrorCode.REPLAY, 'old key package');
      const again = sim.log
        .filter((f) => f.from === 'bob' && f.to === 'alice' && f.payload[1] === FrameKind.HANDSHAKE)
        .pop()!;
      const quiet = await sim.inject('alice', 'bob', again.payload);
      equal(quiet.length, 0, 'the current key package again is ignored quietly');
    },
  },
  {
    name: 'negative: replayed wrap (commit) frame',
    async run() {
      const sim = await room('alice', 'bob');
      const commit = sim.log
        .filter((f) => f.to === 'bob' && f.payload[1] === FrameKind.WRAP)
        .pop()!;
      const events = await sim.inject('bob', 'alice', commit.payload);
      isError(lastRejection(events), ReplayError, E2eeErrorCode.REPLAY, 'replayed commit');
    },
  },
  {
    name: 'negative: wrap frame replayed from an earlier connection (same identities, same room)',
    async run() {
      const alice = await Identity.generate();
      const bob = await Identity.generate();
      const earlier = new RoomSim();
      await earlier.join('alice', alice);
      await earlier.join('bob', bob);
      await earlier.join('carol');
      await earlier.leave('carol');
      const old = earlier.log
        .filter((f) => f.to === 'bob' && f.payload[1] === FrameKind.WRAP)
        .pop()!;
      const now = new RoomSim(earlier.roomId);
      await now.join('alice', alice);
      await now.join('bob', bob);
      const before = now.members.get('bob')!.session.epoch;
      const decoded = decodeWrap(old.payload);
      check(decoded.ok && decoded.value.epoch > before, 'the replayed commit has a higher epoch');
      const error = lastRejection(await now.inject('bob', 'alice', old.payload));
      isError(
        error,
        MembershipError,
        E2eeErrorCode.KEY_MISMATCH,
        'commit pinned to old key packages',
      );
      equal(now.members.get('bob')!.session.epoch, before, 'no key installed');
    },
  },
  {
    name: 'negative: replayed application message',
    async run() {
      const sim = await room('alice', 'bob');
      const msg = await sim.send('alice', 'once');
      const events = await sim.inject('bob', 'alice', msg.payload);
      isError(lastRejection(events), ReplayError, E2eeErrorCode.REPLAY, 'replayed message');
      equal(texts(sim.members.get('bob')!).length, 1, 'delivered once');
    },
  },
  {
    name: 'negative: reordered and dropped frames',
    async run() {
      const sim = await room('alice', 'bob');
      const a = sim.members.get('alice')!.session;
      const m0 = await a.encrypt({ type: 'text', text: 'm0' });
      const m1 = await a.encrypt({ type: 'text', text: 'm1' });
      const m2 = await a.encrypt({ type: 'text', text: 'm2' });
      const m3 = await a.encrypt({ type: 'text', text: 'm3' });
      // Reorder: m1 before m0.
      isError(
        lastRejection(await sim.inject('bob', 'alice', m1.payload)),
        SequenceError,
        E2eeErrorCode.OUT_OF_ORDER,
        'reordered',
      );
      check(
        lastRejection(await sim.inject('bob', 'alice', m0.payload)) === undefined,
        'm0 accepted',
      );
      // Drop: m2 never arrives.
      isError(
        lastRejection(await sim.inject('bob', 'alice', m3.payload)),
        SequenceError,
        E2eeErrorCode.OUT_OF_ORDER,
        'dropped',
      );
      equal(texts(sim.members.get('bob')!).join(','), 'm0', 'only in-order frames delivered');
      void m2;
    },
  },
  {
    name: 'negative: cross-room redirect of messages, handshakes and commits',
    async run() {
      const roomA = new RoomSim('11111111-1111-4111-8111-111111111111');
      const roomB = new RoomSim('22222222-2222-4222-8222-222222222222');
      const alice = await Identity.generate();
      const bob = await Identity.generate();
      await roomA.join('alice', alice);
      await roomA.join('bob', bob);
      await roomB.join('alice', alice);
      await roomB.join('bob', bob);
      const msg = await roomA.send('alice', 'for room A only');
      isError(
        lastRejection(await roomB.inject('bob', 'alice', msg.payload)),
        ContextMismatchError,
        E2eeErrorCode.ROOM_MISMATCH,
        'message',
      );
      const commit = roomA.log.filter((f) => f.payload[1] === FrameKind.WRAP).pop()!;
      isError(
        lastRejection(await roomB.inject('bob', 'alice', commit.payload)),
        ContextMismatchError,
        E2eeErrorCode.ROOM_MISMATCH,
        'commit',
      );
      const hs = roomA.log
        .filter((f) => f.from === 'alice' && f.payload[1] === FrameKind.HANDSHAKE)
        .pop()!;
      isError(
        lastRejection(await roomB.inject('bob', 'alice', hs.payload)),
        ContextMismatchError,
        E2eeErrorCode.ROOM_MISMATCH,
        'handshake',
      );
      equal(texts(roomB.members.get('bob')!).length, 0, 'nothing delivered in room B');
    },
  },
  {
    name: 'negative: forged sender (relay re-stamps, or a member encrypts as another)',
    async run() {
      const sim = await room('alice', 'bob', 'mallory');
      const mallory = sim.members.get('mallory')!;
      const own = await mallory.session.encrypt({ type: 'text', text: 'I am alice' });
      // 1. The relay stamps mallory's frame with alice's id.
      isError(
        lastRejection(await sim.inject('bob', 'alice', own.payload)),
        SignatureError,
        E2eeErrorCode.BAD_SIGNATURE,
        're-stamped',
      );
      // 2. Mallory knows the group secret, derives alice's sender key and encrypts as alice; the
      //    AEAD opens, but she cannot produce alice's signature.
      const internals = mallory.session as unknown as {
        current: { epoch: number; groupKey: CryptoKey; members: Map<string, Uint8Array> };
        ctx: { roomTag: Uint8Array };
      };
      const ep = internals.current;
      const aliceKey = await deriveSenderKey(
        ep.groupKey,
        sim.roomId,
        ep.epoch,
        'alice',
        ep.members.get('alice')!,
      );
      const forged = await sealMessage(
        { roomId: sim.roomId, roomTag: internals.ctx.roomTag, sender: 'alice' },
        aliceKey,
        mallory.identity,
        ep.epoch,
        0,
        { type: 'text', text: 'I am alice' },
      );
      isError(
        lastRejection(await sim.inject('bob', 'alice', forged)),
        SignatureError,
        E2eeErrorCode.BAD_SIGNATURE,
        'member forgery',
      );
      equal(texts(sim.members.get('bob')!).length, 0, 'nothing delivered');
    },
  },
  {
    name: 'negative: committer hands different keys to different members — fingerprints differ',
    async run() {
      const sim = await room('alice', 'bob', 'carol');
      const alice = sim.members.get('alice')!.session;
      const next = alice.epoch + 1;
      const members = ['alice', 'bob', 'carol'];
      const build = (
        alice as unknown as {
          buildCommit(e: number, m: string[], s: Uint8Array): Promise<{ payload: Uint8Array }>;
        }
      ).buildCommit.bind(alice);
      const forBob = await build(next, members, new Uint8Array(32).fill(1));
      const forCarol = await build(next, members, new Uint8Array(32).fill(2));
      await sim.inject('bob', 'alice', forBob.payload);
      await sim.inject('carol', 'alice', forCarol.payload);
      const bob = sim.members.get('bob')!.session;
      const carol = sim.members.get('carol')!.session;
      equal(bob.epoch, next, 'bob installed');
      equal(carol.epoch, next, 'carol installed');
      notEqual(bob.fingerprint(), carol.fingerprint(), 'fingerprints');
      clearEvents(sim.members.get('carol')!);
      const msg = await bob.encrypt({ type: 'text', text: 'split' });
      isError(
        lastRejection(await sim.inject('carol', 'bob', msg.payload)),
        DecryptError,
        E2eeErrorCode.DECRYPT_FAILED,
        'split key message',
      );
    },
  },
  {
    name: 'negative: a commit from a member who is not the committer',
    async run() {
      const sim = await room('alice', 'bob', 'carol');
      const bob = sim.members.get('bob')!.session;
      const build = (
        bob as unknown as {
          buildCommit(e: number, m: string[], s: Uint8Array): Promise<{ payload: Uint8Array }>;
        }
      ).buildCommit.bind(bob);
      const rogue = await build(
        bob.epoch + 1,
        ['alice', 'bob', 'carol'],
        new Uint8Array(32).fill(7),
      );
      isError(
        lastRejection(await sim.inject('carol', 'bob', rogue.payload)),
        MembershipError,
        E2eeErrorCode.NOT_LEADER,
        'rogue commit',
      );
    },
  },
  {
    name: 'negative: invalid curve points and malformed identity keys in a signed handshake',
    async run() {
      const sim = await room('alice');
      const identity = await Identity.generate();
      const offCurve = new Uint8Array(65);
      offCurve[0] = 4;
      offCurve[64] = 1;
      sim.order.push('bob');
      await sim.members.get('alice')!.session.memberJoined('bob');
      for (const [label, point] of [
        ['off-curve', offCurve],
        ['not uncompressed', concat(Uint8Array.of(2), new Uint8Array(64))],
      ] as const) {
        const unsigned = keyPackageSignedPart(
          sim.roomId,
          'bob',
          new Uint8Array(16).fill(label.length),
          identity.publicKey,
          point,
        );
        const signature = await identity.sign(keyPackageSigningInput(unsigned));
        const events = await sim.inject(
          'alice',
          'bob',
          encodeHandshake(concat(unsigned, signature)),
        );
        isError(lastRejection(events), InvalidKeyError, E2eeErrorCode.INVALID_KEY, label);
      }
      const identityPoint = await importEd25519Public(new Uint8Array(31));
      isError(identityPoint, InvalidKeyError, E2eeErrorCode.INVALID_KEY, 'short identity key');
      isError(
        await importEphemeralPublic(new Uint8Array(65)),
        InvalidKeyError,
        E2eeErrorCode.INVALID_KEY,
        'point at infinity',
      );
    },
  },
  {
    name: 'a message that arrives before its commit waits, then decrypts in order',
    async run() {
      const sim = await room('alice', 'bob');
      const held: Frame[] = [];
      sim.intercept = (f) =>
        f.to === 'bob' && f.payload[1] === FrameKind.WRAP ? (held.push(f), []) : [f];
      await sim.join('carol');
      const msg = await sim.members
        .get('alice')!
        .session.encrypt({ type: 'text', text: 'new epoch' });
      await sim.inject('bob', 'alice', msg.payload);
      equal(texts(sim.members.get('bob')!).length, 0, 'waits');
      sim.intercept = (f) => [f];
      for (const f of held) await sim.inject('bob', f.from, f.payload);
      equal(texts(sim.members.get('bob')!).join(), 'new epoch', 'delivered after the commit');
      const bobCommit = held[0]!;
      const decoded = decodeWrap(bobCommit.payload);
      check(decoded.ok && decoded.value.entries.length === 3, 'commit covers three members');
    },
  },
  {
    name: 'messages in flight from the previous epoch still decrypt after a re-key',
    async run() {
      const sim = await room('alice', 'bob', 'carol');
      const inFlight = await sim.members
        .get('bob')!
        .session.encrypt({ type: 'text', text: 'sent before the re-key' });
      await sim.leave('carol');
      await sim.inject('alice', 'bob', inFlight.payload);
      equal(
        texts(sim.members.get('alice')!).pop(),
        'sent before the re-key',
        'previous epoch readable',
      );
      bytesEq(inFlight.payload.subarray(0, 2), Uint8Array.of(1, FrameKind.MESSAGE), 'header');
    },
  },
];
