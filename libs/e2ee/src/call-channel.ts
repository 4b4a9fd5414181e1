/**
 * A pairwise channel between two members taking part in one call, for the signalling that is
 * for one of them only: SDP offers and answers (with the DTLS fingerprint in them), ICE
 * candidates (with addresses in them), media state.
 *
 * Why not the group session? Everything in it is readable by every member of the room, and a
 * room member who is not in the call has no business seeing your ICE candidates (your addresses).
 * So each participant makes a fresh P-256 key pair per call and announces its public half inside
 * the group session, where it is signed and bound to the member's relay-stamped id — the call
 * layer's "join" message. Two participants derive a channel from each other's announced keys:
 *
 *   ikm     = ECDH(own, peer).x
 *   salt    = SHA-256(lower public key ‖ higher public key)
 *   key A→B = HKDF(ikm, salt, "nullroom/v1/call-key" ‖ room ‖ callId ‖ A ‖ B)     (one per direction)
 *   frame   = CA ‖ 01 ‖ callId₁₆ ‖ seq u32 ‖ AES-256-GCM(key A→B, nonce = seq, pad(plaintext))
 *   AAD     = "nullroom/v1/call-frame" ‖ room ‖ A ‖ B ‖ header
 *
 * So only A and B can read or write the channel; a frame replayed (seq not higher than the last
 * one), redirected to another member, into another call or another room, or altered in any bit,
 * fails to open. The relay sees a unicast frame of a padded size (PADMÉ), nothing more. The
 * private key is non-extractable and dropped with the call (forward secrecy per call).
 *
 * The first byte (0xCA) sets these frames apart from the session's own payloads so a client can
 * route them without trying to parse them as something else; they are only ever sent unicast.
 */
import { type Bytes, bytesEqual, concat, lp8, toBytes, utf8 } from './bytes';
import {
  DecryptError,
  E2eeErrorCode,
  InvalidKeyError,
  MalformedFrameError,
  ReplayError,
} from './errors';
import { pad, unpad } from './padding';
import {
  aesGcmOpen,
  aesGcmSeal,
  counterNonce,
  ecdhHkdfKey,
  type EphemeralKeyPair,
  generateEphemeral,
  hkdfAesKey,
  importEphemeralPublic,
  sha256,
} from './primitives';
import { fail, ok, type Result } from './wire';

export const CALL_FRAME_MAGIC = 0xca;
export const CALL_FRAME_VERSION = 1;
export const CALL_ID_BYTES = 16;
/** magic ‖ version ‖ callId ‖ seq */
export const CALL_FRAME_HEADER_BYTES = 2 + CALL_ID_BYTES + 4;
/** An SDP offer with three media sections is a few KiB; a channel frame is never near this. */
export const MAX_CALL_FRAME_BYTES = 64 * 1024;

const KEY_LABEL = utf8('nullroom/v1/call-key');
const AAD_LABEL = utf8('nullroom/v1/call-frame');

export interface CallChannelContext {
  readonly roomId: string;
  /** 16 random bytes chosen by whoever started the call. */
  readonly callId: Uint8Array;
  readonly selfId: string;
  readonly peerId: string;
}

/** True when a payload is a call channel frame (by its first byte; it may still be bad). */
export function isCallFrame(payload: Uint8Array): boolean {
  return payload.byteLength > 0 && payload[0] === CALL_FRAME_MAGIC;
}

/** A fresh key pair for one call: its public half goes into the call announcement. */
export function generateCallKey(): Promise<EphemeralKeyPair> {
  return generateEphemeral();
}

interface Header {
  readonly callId: Bytes;
  readonly seq: number;
}

/** Reads a frame's header after checking its size. Never throws. */
export function decodeCallFrameHeader(payload: Uint8Array): Result<Header> {
  if (payload.byteLength > MAX_CALL_FRAME_BYTES)
    return fail(new MalformedFrameError('call frame too large', E2eeErrorCode.TOO_LARGE));
  if (payload.byteLength < CALL_FRAME_HEADER_BYTES + 16)
    return fail(new MalformedFrameError('call frame shorter than its header'));
  if (payload[0] !== CALL_FRAME_MAGIC) return fail(new MalformedFrameError('not a call frame'));
  if (payload[1] !== CALL_FRAME_VERSION)
    return fail(
      new MalformedFrameError('unknown call frame version', E2eeErrorCode.UNSUPPORTED_VERSION),
    );
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return ok({
    callId: payload.slice(2, 2 + CALL_ID_BYTES),
    seq: view.getUint32(2 + CALL_ID_BYTES),
  });
}

export class CallChannel {
  private sendSeq = 0;
  private lastSeen = -1;

  private constructor(
    private readonly ctx: CallChannelContext,
    private readonly sendKey: CryptoKey,
    private readonly receiveKey: CryptoKey,
  ) {}

  /**
   * Derives the channel from our key pair and the peer's announced public key. The peer's key
   * is validated here (an off-curve or malformed point gives an InvalidKeyError result).
   */
  static async open(
    ctx: CallChannelContext,
    own: EphemeralKeyPair,
    peerPublicKey: Uint8Array,
  ): Promise<Result<CallChannel>> {
    if (ctx.callId.byteLength !== CALL_ID_BYTES) throw new RangeError('callId: must be 16 bytes');
    if (ctx.selfId === ctx.peerId) throw new RangeError('peerId: must differ from selfId');
    const peer = await importEphemeralPublic(peerPublicKey);
    if (peer instanceof InvalidKeyError) return fail(peer);
    const ikm = await ecdhHkdfKey(own.privateKey, peer);
    const [low, high] =
      compare(own.publicKey, peerPublicKey) < 0
        ? [own.publicKey, peerPublicKey]
        : [peerPublicKey, own.publicKey];
    const salt = await sha256(concat(low, high));
    const info = (from: string, to: string) =>
      concat(KEY_LABEL, lp8(ctx.roomId), ctx.callId, lp8(from), lp8(to));
    const sendKey = await hkdfAesKey(ikm, salt, info(ctx.selfId, ctx.peerId));
    const receiveKey = await hkdfAesKey(ikm, salt, info(ctx.peerId, ctx.selfId));
    return ok(
      new CallChannel({ ...ctx, callId: toBytes(ctx.callId.slice()) }, sendKey, receiveKey),
    );
  }

  /** Seals one message for the peer. Calls must not overlap (await each one). */
  async seal(plaintext: Uint8Array): Promise<Bytes> {
    if (this.sendSeq > 0xffffffff) throw new RangeError('channel exhausted; start a new call');
    const seq = this.sendSeq++;
    const header = new Uint8Array(CALL_FRAME_HEADER_BYTES);
    header[0] = CALL_FRAME_MAGIC;
    header[1] = CALL_FRAME_VERSION;
    header.set(this.ctx.callId, 2);
    new DataView(header.buffer).setUint32(2 + CALL_ID_BYTES, seq);
    const body = await aesGcmSeal(
      this.sendKey,
      counterNonce(seq),
      this.aad(this.ctx.selfId, this.ctx.peerId, header),
      pad(plaintext),
    );
    if (header.byteLength + body.byteLength > MAX_CALL_FRAME_BYTES)
      throw new RangeError('plaintext: too large for a call frame');
    return concat(header, body);
  }

  /**
   * Opens a frame the relay delivered from the peer. Frames must come in increasing order; a
   * lower or repeated sequence number is a replay. Gaps are allowed: frames sent while either
   * side was reconnecting to the relay are lost, and the call recovers from that by itself.
   */
  async open(payload: Uint8Array): Promise<Result<Bytes>> {
    const header = decodeCallFrameHeader(payload);
    if (!header.ok) return header;
    const { callId, seq } = header.value;
    if (!bytesEqual(callId, this.ctx.callId))
      return fail(new DecryptError('call frame belongs to another call'));
    if (seq <= this.lastSeen) return fail(new ReplayError('call frame replayed or reordered'));
    const opened = await aesGcmOpen(
      this.receiveKey,
      counterNonce(seq),
      this.aad(this.ctx.peerId, this.ctx.selfId, payload.subarray(0, CALL_FRAME_HEADER_BYTES)),
      payload.subarray(CALL_FRAME_HEADER_BYTES),
    );
    if (!(opened instanceof Uint8Array)) return fail(opened);
    const plaintext = unpad(opened);
    if (plaintext === undefined) return fail(new MalformedFrameError('bad padding'));
    this.lastSeen = seq;
    return ok(plaintext);
  }

  private aad(from: string, to: string, header: Uint8Array): Bytes {
    return concat(AAD_LABEL, lp8(this.ctx.roomId), lp8(from), lp8(to), header);
  }
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.byteLength, b.byteLength); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.byteLength - b.byteLength;
}
