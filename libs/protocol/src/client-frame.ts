import { CodeClientFrameType } from './code-frames';
import { CLIENT_ID_PATTERN } from './limits';
import { asciiDecode } from './text';

/**
 * Frames a client sends to the relay.
 *
 * A WebSocket *text* message is a broadcast whose payload is the text itself: that keeps clients of
 * the seed-000 relay (which broadcast whatever they send) working unchanged.
 *
 * A WebSocket *binary* message starts with a one-byte type:
 *
 *   SEND     0x01 | payload…                       broadcast to every other member
 *   SEND_TO  0x02 | n:u8 | recipient:n bytes | payload…   unicast to one member
 *   CODE_ACCEPT / CODE_REJECT  0x08 / 0x09 | n:u8 | guestId   code rooms (code-frames.ts)
 *
 * The relay never looks past the header: the payload is opaque ciphertext.
 */
export const ClientFrameType = {
  SEND: 0x01,
  SEND_TO: 0x02,
} as const;
export type ClientFrameType = (typeof ClientFrameType)[keyof typeof ClientFrameType];

export type ClientFrame =
  | { readonly type: 'send'; readonly payloadOffset: number }
  | { readonly type: 'send-to'; readonly to: string; readonly payloadOffset: number }
  /** A code-room verdict on a guest (code-frames.ts). */
  | { readonly type: 'code-verdict'; readonly accept: boolean; readonly guest: string };

export type DecodeResult<T> =
  { readonly ok: true; readonly frame: T } | { readonly ok: false; readonly error: string };

const SEND_HEADER = Uint8Array.of(ClientFrameType.SEND);

export function encodeSend(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + payload.byteLength);
  out.set(SEND_HEADER, 0);
  out.set(payload, 1);
  return out;
}

export function encodeSendTo(recipient: string, payload: Uint8Array): Uint8Array {
  if (!CLIENT_ID_PATTERN.test(recipient)) {
    throw new RangeError(`recipient: not a valid client id`);
  }
  const out = new Uint8Array(2 + recipient.length + payload.byteLength);
  out[0] = ClientFrameType.SEND_TO;
  out[1] = recipient.length;
  for (let i = 0; i < recipient.length; i++) out[2 + i] = recipient.charCodeAt(i);
  out.set(payload, 2 + recipient.length);
  return out;
}

/**
 * Reads the header of a binary client frame. Never throws: malformed input gives `ok: false`
 * with a reason that is safe to send back (it never echoes the input).
 */
export function decodeClientFrame(data: Uint8Array): DecodeResult<ClientFrame> {
  if (data.byteLength < 1) return { ok: false, error: 'empty frame' };
  switch (data[0]) {
    case ClientFrameType.SEND:
      return { ok: true, frame: { type: 'send', payloadOffset: 1 } };
    case ClientFrameType.SEND_TO: {
      if (data.byteLength < 2) return { ok: false, error: 'truncated SEND_TO header' };
      const n = data[1]!;
      if (n === 0 || data.byteLength < 2 + n) {
        return { ok: false, error: 'truncated SEND_TO recipient' };
      }
      const to = asciiDecode(data, 2, 2 + n);
      if (!CLIENT_ID_PATTERN.test(to)) return { ok: false, error: 'invalid SEND_TO recipient' };
      return { ok: true, frame: { type: 'send-to', to, payloadOffset: 2 + n } };
    }
    case CodeClientFrameType.CODE_ACCEPT:
    case CodeClientFrameType.CODE_REJECT: {
      const n = data[1];
      if (n === undefined || n === 0 || data.byteLength !== 2 + n) {
        return { ok: false, error: 'invalid code verdict' };
      }
      const guest = asciiDecode(data, 2, 2 + n);
      if (!CLIENT_ID_PATTERN.test(guest)) return { ok: false, error: 'invalid code verdict' };
      const accept = data[0] === CodeClientFrameType.CODE_ACCEPT;
      return { ok: true, frame: { type: 'code-verdict', accept, guest } };
    }
    default:
      return { ok: false, error: 'unknown frame type' };
  }
}
