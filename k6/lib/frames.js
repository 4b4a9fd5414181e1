// Wire frames the load tests need, written inline (k6 runs offline: no remote jslib imports, and
// it cannot import the TypeScript of libs/protocol). Mirrors libs/protocol/src/*-frame.ts:
//
//   client SEND   0x01 | payload
//   relay MESSAGE 0x81 | flags:u8 | n:u8 | sender:n bytes | payload
//   relay WELCOME 0x82 | JSON, JOINED 0x83 | n | id, LEFT 0x84 | n | id, ERROR 0x85, ROOM_CLOSED 0x86
//
// The bare-ws baseline (bench/bare-ws-relay.mjs) sends MESSAGE frames of the same shape, so one
// receiver works for both targets.
//
// Probe payload (opaque to the relay, which never parses it):
//   0  f64  sender's Date.now() when it called send (ms; k6 has no sub-millisecond clock)
//   8  u16  sender index (global across the test)
//   10 u32  sequence number, from 0, per sender
//   14 u8   sender generation: 0 on its first connection, +1 per reconnect
//   15 u8   sender class: 0 = stable member, 1 = churning member
//   16 …    zero padding up to PAYLOAD_BYTES

export const SEND = 0x01;
export const MESSAGE = 0x81;
export const WELCOME = 0x82;
export const JOINED = 0x83;
export const LEFT = 0x84;
export const ERROR = 0x85;
export const ROOM_CLOSED = 0x86;

export const PROBE_BYTES = 16;

/** A SEND frame carrying a probe payload, padded to `payloadBytes` (at least PROBE_BYTES). */
export function encodeProbe(sender, seq, gen, cls, payloadBytes) {
  const size = 1 + Math.max(PROBE_BYTES, payloadBytes);
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  view.setUint8(0, SEND);
  view.setFloat64(1, Date.now());
  view.setUint16(9, sender);
  view.setUint32(11, seq);
  view.setUint8(15, gen);
  view.setUint8(16, cls);
  return buffer;
}

/**
 * Reads a relay frame. Returns `{ type, ... }`; for MESSAGE with a probe payload also
 * `{ sentAt, sender, seq, gen, cls }`. Never throws on short input (returns `{ type: -1 }`).
 */
export function decodeFrame(buffer) {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 1) return { type: -1 };
  const view = new DataView(buffer);
  const type = view.getUint8(0);
  if (type === MESSAGE) {
    if (buffer.byteLength < 3) return { type: -1 };
    const at = 3 + view.getUint8(2);
    if (buffer.byteLength < at + PROBE_BYTES) return { type, probe: false };
    return {
      type,
      probe: true,
      sentAt: view.getFloat64(at),
      sender: view.getUint16(at + 8),
      seq: view.getUint32(at + 10),
      gen: view.getUint8(at + 14),
      cls: view.getUint8(at + 15),
    };
  }
  if (type === JOINED || type === LEFT) {
    if (buffer.byteLength < 2) return { type: -1 };
    return { type, clientId: ascii(view, 2, 2 + view.getUint8(1)) };
  }
  return { type };
}

function ascii(view, from, to) {
  let out = '';
  for (let i = from; i < Math.min(to, view.byteLength); i++)
    out += String.fromCharCode(view.getUint8(i));
  return out;
}
