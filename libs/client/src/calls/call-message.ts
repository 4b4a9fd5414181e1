/**
 * What call participants say to each other, in two envelopes:
 *
 * - **CallSignal**, to the whole room inside the group session (content kind CALL): join (with
 *   the call's public key and DTLS fingerprint, and whether to ring), leave, decline. The
 *   session signs it and binds it to the sender's relay-stamped id, so a fingerprint here is
 *   "the fingerprint of the member who sent it" and nobody else's.
 * - **PeerMessage**, to one participant over its CallChannel: SDP, ICE candidates, media state.
 *
 * Both are small JSON objects. Decoders check size first, validate every field and never throw.
 */
import { utf8Decode, utf8Encode } from '@nullroom/protocol';
import { isCanonicalFingerprint } from './sdp-fingerprint';

/** 16 random bytes, hex. */
export type CallId = string;

export type CallSignal =
  | {
      readonly t: 'join';
      readonly call: CallId;
      readonly video: boolean;
      /** Uncompressed P-256 public key of the call channel, hex (130 chars). */
      readonly key: string;
      /** Our DTLS certificate's fingerprint for this call, canonical ("sha-256 AB:…"). */
      readonly fp: string;
      /** True on the first announcement of a new call: the others' phones ring. */
      readonly ring: boolean;
    }
  | { readonly t: 'leave'; readonly call: CallId }
  | { readonly t: 'decline'; readonly call: CallId };

export type PeerMessage =
  | { readonly t: 'sdp'; readonly type: 'offer' | 'answer'; readonly sdp: string }
  | {
      readonly t: 'ice';
      readonly candidate: string;
      readonly mid: string | null;
      readonly index: number | null;
    }
  | {
      readonly t: 'media';
      readonly mic: boolean;
      readonly cam: boolean;
      readonly screen: boolean;
      readonly deaf: boolean;
    };

const CALL_ID = /^[0-9a-f]{32}$/;
const KEY = /^04[0-9a-f]{128}$/;
const MAX_SIGNAL_BYTES = 2048;
const MAX_SDP_CHARS = 32 * 1024;
const MAX_CANDIDATE_CHARS = 1024;
const MAX_MESSAGE_BYTES = 40 * 1024;

export function encodeCallSignal(signal: CallSignal): Uint8Array {
  return utf8Encode(JSON.stringify(signal));
}

export function encodePeerMessage(message: PeerMessage): Uint8Array {
  return utf8Encode(JSON.stringify(message));
}

export function decodeCallSignal(bytes: Uint8Array): CallSignal | undefined {
  const o = parse(bytes, MAX_SIGNAL_BYTES);
  if (o === undefined || typeof o.call !== 'string' || !CALL_ID.test(o.call)) return undefined;
  switch (o.t) {
    case 'join':
      if (typeof o.video !== 'boolean' || typeof o.ring !== 'boolean') return undefined;
      if (typeof o.key !== 'string' || !KEY.test(o.key) || !isCanonicalFingerprint(o.fp))
        return undefined;
      return { t: 'join', call: o.call, video: o.video, key: o.key, fp: o.fp, ring: o.ring };
    case 'leave':
    case 'decline':
      return { t: o.t, call: o.call };
    default:
      return undefined;
  }
}

export function decodePeerMessage(bytes: Uint8Array): PeerMessage | undefined {
  const o = parse(bytes, MAX_MESSAGE_BYTES);
  if (o === undefined) return undefined;
  switch (o.t) {
    case 'sdp':
      if ((o.type !== 'offer' && o.type !== 'answer') || typeof o.sdp !== 'string')
        return undefined;
      if (o.sdp.length === 0 || o.sdp.length > MAX_SDP_CHARS) return undefined;
      return { t: 'sdp', type: o.type, sdp: o.sdp };
    case 'ice': {
      const { candidate, mid, index } = o;
      if (typeof candidate !== 'string' || candidate.length > MAX_CANDIDATE_CHARS) return undefined;
      if (mid !== null && (typeof mid !== 'string' || mid.length > 32)) return undefined;
      if (index !== null && (!Number.isInteger(index) || (index as number) < 0)) return undefined;
      return { t: 'ice', candidate, mid, index: index as number | null };
    }
    case 'media': {
      const { mic, cam, screen, deaf } = o;
      if ([mic, cam, screen, deaf].some((v) => typeof v !== 'boolean')) return undefined;
      return {
        t: 'media',
        mic: mic as boolean,
        cam: cam as boolean,
        screen: screen as boolean,
        deaf: deaf as boolean,
      };
    }
    default:
      return undefined;
  }
}

function parse(bytes: Uint8Array, max: number): Record<string, unknown> | undefined {
  if (bytes.byteLength === 0 || bytes.byteLength > max) return undefined;
  const text = utf8Decode(bytes);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
