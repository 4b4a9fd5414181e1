/**
 * The code-room PAKE: two members prove to each other that they typed the same code, over a relay
 * that sees every byte and may alter any of them, and come out with each other's identity key
 * authenticated by that code — so a code room needs no safety-number comparison.
 *
 * It is CPace (cpace.ts, draft-irtf-cfrg-cpace-21) in the initiator-responder setting, followed by
 * an explicit key confirmation (draft §9.4) that also carries each side's identity:
 *
 *   initiator I (the guest)                                   responder R (a member, the verifier)
 *   sid ← 16 random bytes; g = calculate_generator(PRS, CI, sid); Ya = ya·g
 *        ── HELLO   sid, Ya ──────────────────────────────────────────────▶
 *                                      g = calculate_generator(PRS, CI, sid); Yb = yb·g
 *                                      K = yb·Ya (abort on G.I); ISK; keys
 *        ◀──────────────────────────────────── REPLY   Yb, seal_r(id_R ‖ bind_R ‖ sig_R) ──
 *   K = ya·Yb (abort on G.I); ISK; keys; open seal_r — fails: wrong code (ABORT)
 *        ── CONFIRM seal_i(id_I ‖ bind_I ‖ sig_I) ───────────────────────────▶
 *                                      open seal_i — fails: wrong code
 *
 *   PRS  = the code's words (the nameplate is public and is not part of it)
 *   CI   = lv_cat("nullroom/v1/code-room", roomId, initiatorId, responderId)   (draft §9.1: party
 *          identifiers in CI, initiator first; CI is never sent)
 *   ADa, ADb = fixed labels naming the protocol version and the role (not sent: both know them)
 *   transcript = transcript_ir(Ya, ADa, Yb, ADb); ISK = H(lv_cat(DSI_ISK, sid, K) ‖ transcript)
 *   sidOut = sid_output(transcript)   — public, unique per run; the run's session id
 *   base = HKDF-SHA-256 key from ISK (ISK is zeroed); k_r, k_i = HKDF(base, salt = sidOut, label)
 *   sig_R = Ed25519_R("…/responder-sig" ‖ sidOut ‖ id_R ‖ bind_R)
 *   sig_I = Ed25519_I("…/initiator-sig" ‖ sidOut ‖ id_I ‖ bind_I ‖ id_R ‖ bind_R)
 *
 * Why the identities are sealed rather than put in ADa/ADb: AD travels in clear, and the relay
 * would learn every device's identity key (linking it across rooms). Sealed under keys only the
 * code's holders can derive, the identities are still bound to the run (the AEAD's additional
 * data is sidOut, which covers the whole transcript) and each side proves it holds its private
 * key (the signatures are over sidOut). `bind` is what a higher layer needs authenticated next to
 * the identity (phase 2: the MLS KeyPackage); only its SHA-256 travels.
 *
 * What a recording gives away (docs/e2ee.md §7): that a run happened, and whether it ended in a
 * CONFIRM or an ABORT. To test a candidate code against a recording one must compute K for that
 * code's generator, which is the CDH problem; a wrong guesser online learns one bit per run.
 */
import { concat, type Bytes, toBytes, utf8 } from '../bytes';
import {
  type E2eeError,
  InvalidKeyError,
  MalformedFrameError,
  SignatureError,
  WrongCodeError,
} from '../errors';
import { randomBytes } from '../platform';
import {
  aesGcmOpen,
  aesGcmSeal,
  ed25519Verify,
  GCM_NONCE_BYTES,
  hkdfAesKey,
  hkdfBits,
  importEd25519Public,
  importHkdfKey,
  sha256,
} from '../primitives';
import { fail, ok, type Result } from '../wire';
import {
  calculateGenerator,
  deriveIsk,
  isIdentity,
  sampleScalar,
  scalarMult,
  scalarMultVfy,
  sidOutput,
} from './cpace';
import { lvCat, transcriptIr } from './cpace-strings';
import {
  PAKE_SID_BYTES,
  decodePakeMessage,
  encodeConfirm,
  encodeHello,
  encodeReply,
} from './pake-messages';

/** What the PAKE needs of a device identity: its Ed25519 public key and a way to sign. */
export interface PakeIdentity {
  readonly publicKey: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export interface CodePakeOptions {
  /** The code's words, canonical (`parseCode(...).password`). */
  readonly password: string;
  /** The code room's id (derived from the nameplate). */
  readonly roomId: string;
  /** Relay client ids: this side's and the other's. */
  readonly selfId: string;
  readonly peerId: string;
  readonly identity: PakeIdentity;
  /** Extra material to authenticate with the identity key (hashed with SHA-256). */
  readonly binding?: Uint8Array;
}

/** What a successful run establishes, for the layer above (phase 2: the MLS join). */
export interface PakeOutcome {
  readonly role: 'initiator' | 'responder';
  readonly peerId: string;
  /** The other side's Ed25519 identity key, authenticated by the code. */
  readonly peerIdentityKey: Bytes;
  /** SHA-256 of the material the other side bound (32 zero bytes' hash if none). */
  readonly peerBindingHash: Bytes;
  /** sid_output: public, the same on both sides, unique per run (64 bytes). */
  readonly sessionId: Bytes;
  /** A secret only the two sides have: HKDF over ISK with a label and a context. */
  exportSecret(label: string, context: Uint8Array, length: number): Promise<Bytes>;
}

const LABEL = {
  CI: utf8('nullroom/v1/code-room'),
  ADA: utf8('nullroom/v1/code-pake/initiator'),
  ADB: utf8('nullroom/v1/code-pake/responder'),
  SEAL_R: utf8('nullroom/v1/code-pake/responder-seal'),
  SEAL_I: utf8('nullroom/v1/code-pake/initiator-seal'),
  SIG_R: utf8('nullroom/v1/code-pake/responder-sig'),
  SIG_I: utf8('nullroom/v1/code-pake/initiator-sig'),
  EXPORT: utf8('nullroom/v1/code-pake/export'),
} as const;

/** Each seal key is used exactly once, so a zero nonce is safe. */
const ZERO_NONCE = new Uint8Array(GCM_NONCE_BYTES);
const MAX_EXPORT_BYTES = 255 * 32;

interface Keys {
  readonly base: CryptoKey;
  readonly sessionId: Bytes;
  readonly sealR: CryptoKey;
  readonly sealI: CryptoKey;
}

interface Sealed {
  readonly identityKey: Bytes;
  readonly bindingHash: Bytes;
  readonly signature: Bytes;
}

/** The guest's side: speaks first. */
export class CodePakeInitiator {
  private state: 'sent' | 'done' = 'sent';

  private constructor(
    private readonly options: CodePakeOptions,
    private readonly sid: Bytes,
    private readonly ya: Bytes,
    private readonly bindingHash: Bytes,
    /** The HELLO to send to the responder. */
    readonly hello: Bytes,
  ) {}

  static async start(options: CodePakeOptions): Promise<CodePakeInitiator> {
    checkOptions(options);
    const ci = channelId(options.roomId, options.selfId, options.peerId);
    const sid = randomBytes(PAKE_SID_BYTES);
    const g = await calculateGenerator(utf8(options.password), ci, sid);
    const ya = sampleScalar();
    const hello = encodeHello(sid, scalarMult(ya, g));
    const bindingHash = await sha256(options.binding ?? new Uint8Array(0));
    return new CodePakeInitiator(options, sid, ya, bindingHash, hello);
  }

  /**
   * Reads the responder's REPLY. `wrong_code` when the codes differ; then send `encodeAbort()`.
   * On success, send `confirm` and use `outcome`.
   */
  async finish(
    reply: Uint8Array,
  ): Promise<Result<{ readonly confirm: Bytes; readonly outcome: PakeOutcome }>> {
    if (this.state !== 'sent') return fail(new MalformedFrameError('unexpected PAKE message'));
    this.state = 'done';
    const decoded = decodePakeMessage(reply);
    if (!decoded.ok) return decoded;
    const message = decoded.value;
    if (message.kind !== 'reply') return fail(new MalformedFrameError('expected a PAKE REPLY'));
    const ya = this.ya;
    const helloYa = this.hello.subarray(2 + PAKE_SID_BYTES);
    const k = scalarMultVfy(ya, message.yb);
    ya.fill(0);
    if (isIdentity(k)) return fail(new InvalidKeyError('PAKE: invalid group element'));
    const transcript = transcriptIr(helloYa, LABEL.ADA, message.yb, LABEL.ADB);
    const keys = await deriveKeys(this.sid, k, transcript);
    const peer = await openSeal(keys.sealR, LABEL.SEAL_R, keys.sessionId, message.sealed);
    if (!peer.ok) return peer;
    const peerSigned = concat(
      LABEL.SIG_R,
      keys.sessionId,
      peer.value.identityKey,
      peer.value.bindingHash,
    );
    const verified = await verify(peer.value, peerSigned);
    if (verified !== undefined) return fail(verified);
    const own = this.options.identity.publicKey;
    const signature = await this.options.identity.sign(
      concat(
        LABEL.SIG_I,
        keys.sessionId,
        own,
        this.bindingHash,
        peer.value.identityKey,
        peer.value.bindingHash,
      ),
    );
    const sealed = await aesGcmSeal(
      keys.sealI,
      ZERO_NONCE,
      concat(LABEL.SEAL_I, keys.sessionId),
      concat(own, this.bindingHash, signature),
    );
    return ok({
      confirm: encodeConfirm(sealed),
      outcome: outcome('initiator', this.options.peerId, peer.value, keys),
    });
  }
}

/** A member's side: answers a guest's HELLO, then checks its CONFIRM. */
export class CodePakeResponder {
  private state: 'waiting' | 'replied' | 'done' = 'waiting';
  private keys: Keys | undefined;
  private bindingHash: Bytes | undefined;

  private constructor(private readonly options: CodePakeOptions) {}

  static create(options: CodePakeOptions): CodePakeResponder {
    checkOptions(options);
    return new CodePakeResponder(options);
  }

  /** Reads the guest's HELLO and returns the REPLY to send. */
  async respond(hello: Uint8Array): Promise<Result<Bytes>> {
    if (this.state !== 'waiting') return fail(new MalformedFrameError('unexpected PAKE message'));
    this.state = 'replied';
    const decoded = decodePakeMessage(hello);
    if (!decoded.ok) return decoded;
    const message = decoded.value;
    if (message.kind !== 'hello') return fail(new MalformedFrameError('expected a PAKE HELLO'));
    const ci = channelId(this.options.roomId, this.options.peerId, this.options.selfId);
    const g = await calculateGenerator(utf8(this.options.password), ci, message.sid);
    const yb = sampleScalar();
    const ybPublic = scalarMult(yb, g);
    const k = scalarMultVfy(yb, message.ya);
    yb.fill(0);
    if (isIdentity(k)) return fail(new InvalidKeyError('PAKE: invalid group element'));
    const transcript = transcriptIr(message.ya, LABEL.ADA, ybPublic, LABEL.ADB);
    const keys = await deriveKeys(message.sid, k, transcript);
    this.keys = keys;
    const own = this.options.identity.publicKey;
    const bindingHash = await sha256(this.options.binding ?? new Uint8Array(0));
    this.bindingHash = bindingHash;
    const signature = await this.options.identity.sign(
      concat(LABEL.SIG_R, keys.sessionId, own, bindingHash),
    );
    const sealed = await aesGcmSeal(
      keys.sealR,
      ZERO_NONCE,
      concat(LABEL.SEAL_R, keys.sessionId),
      concat(own, bindingHash, signature),
    );
    return ok(encodeReply(ybPublic, sealed));
  }

  /** Reads the guest's CONFIRM (or ABORT, which is a wrong code). */
  async finish(confirm: Uint8Array): Promise<Result<PakeOutcome>> {
    const keys = this.keys;
    if (this.state !== 'replied' || keys === undefined)
      return fail(new MalformedFrameError('unexpected PAKE message'));
    this.state = 'done';
    const decoded = decodePakeMessage(confirm);
    if (!decoded.ok) return decoded;
    const message = decoded.value;
    if (message.kind === 'abort') return fail(new WrongCodeError());
    if (message.kind !== 'confirm') return fail(new MalformedFrameError('expected a PAKE CONFIRM'));
    const peer = await openSeal(keys.sealI, LABEL.SEAL_I, keys.sessionId, message.sealed);
    if (!peer.ok) return peer;
    const verified = await verify(
      peer.value,
      concat(
        LABEL.SIG_I,
        keys.sessionId,
        peer.value.identityKey,
        peer.value.bindingHash,
        this.options.identity.publicKey,
        this.bindingHash!,
      ),
    );
    if (verified !== undefined) return fail(verified);
    return ok(outcome('responder', this.options.peerId, peer.value, keys));
  }
}

function channelId(roomId: string, initiatorId: string, responderId: string): Bytes {
  return lvCat(LABEL.CI, utf8(roomId), utf8(initiatorId), utf8(responderId));
}

async function deriveKeys(sid: Uint8Array, k: Uint8Array, transcript: Uint8Array): Promise<Keys> {
  const isk = await deriveIsk(sid, k, transcript);
  k.fill(0);
  let base: CryptoKey;
  try {
    base = await importHkdfKey(isk);
  } finally {
    isk.fill(0);
  }
  const sessionId = await sidOutput(transcript);
  const [sealR, sealI] = await Promise.all([
    hkdfAesKey(base, sessionId, LABEL.SEAL_R),
    hkdfAesKey(base, sessionId, LABEL.SEAL_I),
  ]);
  return { base, sessionId, sealR, sealI };
}

async function openSeal(
  key: CryptoKey,
  label: Uint8Array,
  sessionId: Uint8Array,
  sealed: Uint8Array,
): Promise<Result<Sealed>> {
  const opened = await aesGcmOpen(key, ZERO_NONCE, concat(label, sessionId), sealed);
  // The only way a seal fails to open is a different ISK: another code (or an altered message).
  if (!(opened instanceof Uint8Array)) return fail(new WrongCodeError());
  return ok({
    identityKey: opened.slice(0, 32),
    bindingHash: opened.slice(32, 64),
    signature: opened.slice(64, 128),
  });
}

/** undefined when the signature verifies. */
async function verify(peer: Sealed, signed: Uint8Array): Promise<E2eeError | undefined> {
  const key = await importEd25519Public(peer.identityKey);
  if (key instanceof InvalidKeyError) return key;
  const valid = await ed25519Verify(key, peer.signature, signed);
  return valid ? undefined : new SignatureError('PAKE: identity signature does not verify');
}

function outcome(role: PakeOutcome['role'], peerId: string, peer: Sealed, keys: Keys): PakeOutcome {
  return {
    role,
    peerId,
    peerIdentityKey: peer.identityKey,
    peerBindingHash: peer.bindingHash,
    sessionId: keys.sessionId,
    exportSecret(label: string, context: Uint8Array, length: number): Promise<Bytes> {
      if (typeof label !== 'string' || label.length === 0)
        throw new TypeError('label: a non-empty string');
      if (!(context instanceof Uint8Array)) throw new TypeError('context: must be a Uint8Array');
      if (!Number.isInteger(length) || length < 1 || length > MAX_EXPORT_BYTES)
        throw new RangeError(`length: 1..${MAX_EXPORT_BYTES}`);
      return hkdfBits(
        keys.base,
        keys.sessionId,
        concat(LABEL.EXPORT, lvCat(utf8(label), toBytes(context))),
        length,
      );
    },
  };
}

function checkOptions(options: CodePakeOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: required');
  if (typeof options.password !== 'string' || options.password.length === 0)
    throw new TypeError('password: a non-empty string');
  for (const name of ['roomId', 'selfId', 'peerId'] as const) {
    if (typeof options[name] !== 'string' || options[name].length === 0)
      throw new TypeError(`${name}: a non-empty string`);
  }
  if (options.selfId === options.peerId) throw new RangeError('peerId: must differ from selfId');
  const identity = options.identity;
  if (
    identity === undefined ||
    !(identity.publicKey instanceof Uint8Array) ||
    typeof identity.sign !== 'function'
  )
    throw new TypeError('identity: needs publicKey and sign()');
  if (identity.publicKey.byteLength !== 32)
    throw new RangeError('identity: Ed25519 public keys are 32 bytes');
  if (options.binding !== undefined && !(options.binding instanceof Uint8Array))
    throw new TypeError('binding: must be a Uint8Array');
}
