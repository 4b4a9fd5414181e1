/**
 * The code-room PAKE: CPace's published test vectors (draft-irtf-cfrg-cpace-21, ristretto255 and
 * SHA-512, copied into test/vectors/cpace.json with their source), then our protocol on top of
 * it — right code, wrong code, a relay that alters or splices messages, fixed message sizes.
 * Runs in Node and in Chromium.
 */
import {
  CodePakeInitiator,
  CodePakeResponder,
  encodeAbort,
  fromHex,
  Identity,
  InvalidKeyError,
  MalformedFrameError,
  PAKE_MESSAGE_BYTES,
  PakeKind,
  SignatureError,
  toHex,
  WrongCodeError,
  type CodePakeOptions,
  type PakeOutcome,
} from '../../src';
import {
  calculateGenerator,
  CPACE_IDENTITY,
  deriveIsk,
  isIdentity,
  scalarMult,
  scalarMultVfy,
  sidOutput,
} from '../../src/pake/cpace';
import {
  generatorString,
  lexicographicallyLarger,
  lvCat,
  oCat,
  prependLen,
  transcriptIr,
  transcriptOc,
} from '../../src/pake/cpace-strings';
import { sha512 } from '../../src/primitives';
import vectors from '../vectors/cpace.json';
import { bytesEq, check, equal, isError, notEqual, type TestCase } from '../harness';

const v = vectors.ristretto255_sha512;
const h = fromHex;

interface Party {
  readonly identity: Identity;
  readonly id: string;
}

async function party(id: string): Promise<Party> {
  return { identity: await Identity.generate(), id };
}

function options(
  self: Party,
  peer: Party,
  password: string,
  extra: Partial<CodePakeOptions> = {},
): CodePakeOptions {
  return {
    password,
    roomId: 'c0de1234-5678-8abc-9def-0123456789ab',
    selfId: self.id,
    peerId: peer.id,
    identity: self.identity,
    ...extra,
  };
}

/** Runs a whole exchange, with an optional hostile relay rewriting each message in flight. */
async function run(
  guestCode: string,
  hostCode: string,
  relay: { hello?: Rewrite; reply?: Rewrite; confirm?: Rewrite } = {},
  extra: { guest?: Partial<CodePakeOptions>; host?: Partial<CodePakeOptions> } = {},
): Promise<{
  readonly guest?: PakeOutcome;
  readonly host?: PakeOutcome;
  readonly guestError?: unknown;
  readonly hostError?: unknown;
  readonly wire: Uint8Array[];
  readonly parties: { guest: Party; host: Party };
}> {
  const guestParty = await party('guest-1');
  const hostParty = await party('host-1');
  const wire: Uint8Array[] = [];
  const initiator = await CodePakeInitiator.start(
    options(guestParty, hostParty, guestCode, extra.guest),
  );
  const responder = CodePakeResponder.create(options(hostParty, guestParty, hostCode, extra.host));
  const parties = { guest: guestParty, host: hostParty };
  const hello = (relay.hello ?? same)(initiator.hello);
  wire.push(hello);
  const reply = await responder.respond(hello);
  if (!reply.ok) return { hostError: reply.error, wire, parties };
  const replyBytes = (relay.reply ?? same)(reply.value);
  wire.push(replyBytes);
  const finished = await initiator.finish(replyBytes);
  if (!finished.ok) {
    const abort = encodeAbort();
    wire.push(abort);
    const hostResult = await responder.finish(abort);
    return {
      guestError: finished.error,
      ...(hostResult.ok ? {} : { hostError: hostResult.error }),
      wire,
      parties,
    };
  }
  const confirm = (relay.confirm ?? same)(finished.value.confirm);
  wire.push(confirm);
  const hostResult = await responder.finish(confirm);
  return hostResult.ok
    ? { guest: finished.value.outcome, host: hostResult.value, wire, parties }
    : { guest: finished.value.outcome, hostError: hostResult.error, wire, parties };
}

type Rewrite = (bytes: Uint8Array) => Uint8Array;
const same: Rewrite = (b) => b;

function flip(at: number): Rewrite {
  return (bytes) => {
    const out = bytes.slice();
    out[at]! ^= 0x01;
    return out;
  };
}

const CODE_A = 'zucchini-aardvark-ethics';
const CODE_B = 'zucchini-aardvark-ethnic';

export const pakeCases: TestCase[] = [
  {
    name: 'CPace vectors: prepend_len, lv_cat, o_cat, transcripts (draft-21 appendix A)',
    run() {
      const s = vectors.strings;
      for (const [input, out] of s.prepend_len)
        equal(toHex(prependLen(h(input!))), out, `prepend_len(${input!.slice(0, 8)}…)`);
      equal(toHex(lvCat(...s.lv_cat.args.map(h))), s.lv_cat.out, 'lv_cat');
      for (const [a, b, larger] of s.lexiographically_larger)
        equal(lexicographicallyLarger(h(a as string), h(b as string)), larger, `larger(${a},${b})`);
      for (const [a, b, out] of s.o_cat) equal(toHex(oCat(h(a!), h(b!))), out, 'o_cat');
      for (const [ya, ada, yb, adb, out] of s.transcript_ir)
        equal(toHex(transcriptIr(h(ya!), h(ada!), h(yb!), h(adb!))), out, 'transcript_ir');
      for (const [ya, ada, yb, adb, out] of s.transcript_oc)
        equal(toHex(transcriptOc(h(ya!), h(ada!), h(yb!), h(adb!))), out, 'transcript_oc');
      return Promise.resolve();
    },
  },
  {
    name: 'CPace vectors: ristretto255 generator from PRS, CI, sid (draft-21 B.3.1)',
    async run() {
      const dsi = new TextEncoder().encode('CPaceRistretto255');
      const gs = generatorString(dsi, h(v.PRS), h(v.CI), h(v.sid), 128);
      equal(toHex(gs), v.generator_string, 'generator_string');
      equal(toHex(await sha512(gs)), v.generator_hash, 'hash of the generator string');
      const g = await calculateGenerator(h(v.PRS), h(v.CI), h(v.sid));
      equal(toHex(g.toBytes()), v.g, 'encoded generator g');
    },
  },
  {
    name: 'CPace vectors: Ya, Yb, K, ISK (initiator-responder and symmetric), sid_output',
    async run() {
      const g = await calculateGenerator(h(v.PRS), h(v.CI), h(v.sid));
      const ya = scalarMult(h(v.ya), g);
      const yb = scalarMult(h(v.yb), g);
      equal(toHex(ya), v.Ya, 'Ya');
      equal(toHex(yb), v.Yb, 'Yb');
      const ka = scalarMultVfy(h(v.ya), yb);
      const kb = scalarMultVfy(h(v.yb), ya);
      equal(toHex(ka), v.K, 'K = scalar_mult_vfy(ya, Yb)');
      equal(toHex(kb), v.K, 'K = scalar_mult_vfy(yb, Ya)');
      const ir = transcriptIr(ya, h(v.ADa), yb, h(v.ADb));
      const oc = transcriptOc(ya, h(v.ADa), yb, h(v.ADb));
      equal(toHex(ir), v.transcript_ir, 'transcript_ir');
      equal(toHex(oc), v.transcript_oc, 'transcript_oc');
      equal(toHex(await deriveIsk(h(v.sid), ka, ir)), v.ISK_IR, 'ISK_IR');
      equal(toHex(await deriveIsk(h(v.sid), ka, oc)), v.ISK_SY, 'ISK_SY');
      equal(toHex(await sidOutput(ir)), v.sid_output_ir, 'sid_output_ir');
      equal(toHex(await sidOutput(oc)), v.sid_output_oc, 'sid_output_oc');
    },
  },
  {
    name: 'CPace vectors: scalar_mult_vfy valid input, invalid encodings and the identity → G.I',
    run() {
      const p = vectors.ristretto255_points;
      equal(toHex(scalarMultVfy(h(p.valid.s), h(p.valid.X))), p.valid.scalar_mult_vfy, 'valid');
      for (const bad of p.invalid) {
        const out = scalarMultVfy(h(p.valid.s), h(bad));
        bytesEq(out, CPACE_IDENTITY, `scalar_mult_vfy(s, ${bad.slice(0, 8)}…) = G.I`);
        check(isIdentity(out), 'isIdentity');
      }
      // Non-canonical and wrong-length encodings never throw either.
      bytesEq(scalarMultVfy(h(p.valid.s), new Uint8Array(31)), CPACE_IDENTITY, 'short encoding');
      bytesEq(scalarMultVfy(h(p.valid.s), new Uint8Array(32).fill(0xff)), CPACE_IDENTITY, 'ff…');
      return Promise.resolve();
    },
  },
  {
    name: 'code PAKE: the same code confirms both ways and authenticates both identity keys',
    async run() {
      const bindGuest = new TextEncoder().encode('guest key package');
      const bindHost = new TextEncoder().encode('host key package');
      const r = await run(
        CODE_A,
        CODE_A,
        {},
        { guest: { binding: bindGuest }, host: { binding: bindHost } },
      );
      check(r.guest && r.host, `completes (${String(r.guestError ?? r.hostError)})`);
      bytesEq(r.guest.peerIdentityKey, r.parties.host.identity.publicKey, 'guest sees host key');
      bytesEq(r.host.peerIdentityKey, r.parties.guest.identity.publicKey, 'host sees guest key');
      bytesEq(r.guest.sessionId, r.host.sessionId, 'same session id');
      equal(r.guest.sessionId.byteLength, 64, 'session id is sid_output (64 bytes)');
      bytesEq(
        r.host.peerBindingHash,
        new Uint8Array(await crypto.subtle.digest('SHA-256', bindGuest)),
        'guest binding hash',
      );
      bytesEq(
        r.guest.peerBindingHash,
        new Uint8Array(await crypto.subtle.digest('SHA-256', bindHost)),
        'host binding hash',
      );
      equal(r.guest.role, 'initiator', 'guest role');
      equal(r.host.peerId, 'guest-1', 'host peer id');
      const ctx = new Uint8Array([1, 2, 3]);
      const a = await r.guest.exportSecret('mls-psk', ctx, 32);
      const b = await r.host.exportSecret('mls-psk', ctx, 32);
      bytesEq(a, b, 'exported secrets agree');
      notEqual(toHex(a), toHex(await r.host.exportSecret('other', ctx, 32)), 'labels separate');
      equal(r.wire.length, 3, 'HELLO, REPLY, CONFIRM');
    },
  },
  {
    name: 'code PAKE: a wrong code fails on both sides as wrong_code, nothing leaks',
    async run() {
      const r = await run(CODE_B, CODE_A);
      isError(r.guestError, WrongCodeError, 'wrong_code', 'guest');
      isError(r.hostError, WrongCodeError, 'wrong_code', 'host (ABORT)');
      check(r.guest === undefined && r.host === undefined, 'no outcome');
      // A guesser that sends a CONFIRM anyway (made of random bytes) is refused the same way.
      const guesser = await party('guest-2');
      const host = await party('host-1');
      const initiator = await CodePakeInitiator.start(options(guesser, host, CODE_B));
      const responder = CodePakeResponder.create(options(host, guesser, CODE_A));
      const reply = await responder.respond(initiator.hello);
      check(reply.ok, 'reply');
      const fake = new Uint8Array(PAKE_MESSAGE_BYTES[PakeKind.CONFIRM]);
      crypto.getRandomValues(fake);
      fake.set([1, PakeKind.CONFIRM]);
      const result = await responder.finish(fake);
      check(!result.ok, 'refused');
      isError(result.error, WrongCodeError, 'wrong_code', 'forged confirm');
    },
  },
  {
    name: 'code PAKE: a relay that alters HELLO, REPLY or CONFIRM makes it fail, never accept',
    async run() {
      for (const [what, relay] of [
        ['sid in HELLO', { hello: flip(3) }],
        ['Ya in HELLO', { hello: flip(20) }],
        ['Yb in REPLY', { reply: flip(5) }],
        ['sealed identity in REPLY', { reply: flip(60) }],
        ['sealed identity in CONFIRM', { confirm: flip(40) }],
      ] as const) {
        const r = await run(CODE_A, CODE_A, relay);
        check(r.guest === undefined || r.host === undefined, `${what}: no success on both sides`);
        check(r.host === undefined, `${what}: the host never accepts`);
        const e = r.hostError ?? r.guestError;
        check(
          e instanceof WrongCodeError || e instanceof InvalidKeyError,
          `${what}: wrong code or invalid element, got ${String(e)}`,
        );
      }
    },
  },
  {
    name: 'code PAKE: identities cannot be spliced; the run is bound to room and client ids',
    async run() {
      // The relay replays a REPLY from another run (another host, same code) into this one.
      const guest = await party('guest-1');
      const host = await party('host-1');
      const mallory = await party('host-1');
      const initiator = await CodePakeInitiator.start(options(guest, host, CODE_A));
      const other = await CodePakeInitiator.start(options(guest, host, CODE_A));
      const malloryReply = await CodePakeResponder.create(options(mallory, guest, CODE_A)).respond(
        other.hello,
      );
      check(malloryReply.ok, 'other reply');
      const spliced = await initiator.finish(malloryReply.value);
      check(!spliced.ok, 'spliced REPLY refused');
      isError(spliced.error, WrongCodeError, 'wrong_code', 'spliced reply');
      // Same code, but the relay told the two sides different room ids or client ids: CI differs.
      for (const [what, extra] of [
        ['room id', { host: { roomId: 'c0de9999-5678-8abc-9def-0123456789ab' } }],
        ['guest id', { host: { peerId: 'guest-2' } }],
      ] as const) {
        const r = await run(CODE_A, CODE_A, {}, extra);
        isError(r.guestError, WrongCodeError, 'wrong_code', what);
      }
    },
  },
  {
    name: 'code PAKE: knowing the code is not enough to claim an identity one cannot sign for',
    async run() {
      // Both sides typed the code, but each names someone else's identity key.
      const someoneElse = await Identity.generate();
      const liar = (own: Identity) => ({
        publicKey: someoneElse.publicKey,
        sign: (data: Uint8Array) => own.sign(data),
      });
      const host = await party('host-1');
      const guest = await party('guest-1');
      const lyingHost = await run(CODE_A, CODE_A, {}, { host: { identity: liar(host.identity) } });
      isError(lyingHost.guestError, SignatureError, 'bad_signature', 'host claims a foreign key');
      check(lyingHost.host === undefined, 'no outcome for the lying host');
      const lyingGuest = await run(
        CODE_A,
        CODE_A,
        {},
        { guest: { identity: liar(guest.identity) } },
      );
      isError(lyingGuest.hostError, SignatureError, 'bad_signature', 'guest claims a foreign key');
    },
  },
  {
    name: 'code PAKE: invalid group elements abort (G.I, bad encodings) with invalid_key',
    async run() {
      const guest = await party('guest-1');
      const host = await party('host-1');
      const responder = CodePakeResponder.create(options(host, guest, CODE_A));
      const hello = new Uint8Array(PAKE_MESSAGE_BYTES[PakeKind.HELLO]);
      hello.set([1, PakeKind.HELLO]); // sid and Ya all zero: Ya is the identity
      const r = await responder.respond(hello);
      check(!r.ok, 'identity Ya refused');
      isError(r.error, InvalidKeyError, 'invalid_key', 'identity Ya');
      const initiator = await CodePakeInitiator.start(options(guest, host, CODE_A));
      const reply = new Uint8Array(PAKE_MESSAGE_BYTES[PakeKind.REPLY]);
      reply.set([1, PakeKind.REPLY]);
      reply.set(h(vectors.ristretto255_points.invalid[0]!), 2);
      const f = await initiator.finish(reply);
      check(!f.ok, 'invalid Yb refused');
      isError(f.error, InvalidKeyError, 'invalid_key', 'invalid Yb');
    },
  },
  {
    name: 'code PAKE: malformed, truncated, oversized and out-of-order messages are refused',
    async run() {
      const guest = await party('guest-1');
      const host = await party('host-1');
      const initiator = await CodePakeInitiator.start(options(guest, host, CODE_A));
      for (let n = 0; n < initiator.hello.byteLength; n++) {
        const r = await CodePakeResponder.create(options(host, guest, CODE_A)).respond(
          initiator.hello.subarray(0, n),
        );
        check(!r.ok, `prefix ${n} refused`);
        isError(r.error, MalformedFrameError, undefined, `prefix ${n}`);
      }
      const long = new Uint8Array(initiator.hello.byteLength + 1);
      long.set(initiator.hello);
      const tooLong = await CodePakeResponder.create(options(host, guest, CODE_A)).respond(long);
      check(!tooLong.ok, 'oversized refused');
      isError(tooLong.error, MalformedFrameError, 'too_large', 'oversized');
      const responder = CodePakeResponder.create(options(host, guest, CODE_A));
      const early = await responder.finish(initiator.hello);
      check(!early.ok, 'CONFIRM before HELLO refused');
      check((await responder.respond(initiator.hello)).ok, 'then HELLO works');
      const twice = await responder.respond(initiator.hello);
      check(!twice.ok, 'a second HELLO in one run is refused');
    },
  },
  {
    name: 'code PAKE: every message has the same length whatever the code and the identities',
    async run() {
      const a = await run(CODE_A, CODE_A);
      const b = await run(
        'abyss-zombie-cup-yoyo',
        'abyss-zombie-cup-yoyo',
        {},
        {
          guest: { binding: new Uint8Array(500) },
        },
      );
      equal(
        a.wire.map((m) => m.byteLength).join(','),
        b.wire.map((m) => m.byteLength).join(','),
        'lengths',
      );
      equal(a.wire.map((m) => m[1]).join(','), b.wire.map((m) => m[1]).join(','), 'kinds');
      equal(
        a.wire.map((m) => m.byteLength).join(','),
        [PakeKind.HELLO, PakeKind.REPLY, PakeKind.CONFIRM]
          .map((k) => PAKE_MESSAGE_BYTES[k])
          .join(','),
        'documented sizes',
      );
      // Two runs with the same code share no byte pattern either: everything is fresh per run.
      notEqual(toHex(a.wire[0]!.subarray(2)), toHex(b.wire[0]!.subarray(2)), 'fresh HELLO');
    },
  },
];
