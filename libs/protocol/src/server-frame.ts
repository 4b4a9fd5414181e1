import { type CodeServerFrame, decodeCodeServerFrame, isCodeServerFrameType } from './code-frames';
import { CLIENT_ID_PATTERN } from './limits';
import { asciiDecode, utf8Decode, utf8Encode } from './text';
import type { DecodeResult } from './client-frame';

/**
 * Frames the relay sends to clients. Always WebSocket *binary* messages; the first byte is the
 * type. MESSAGE carries a peer's payload untouched; the others are relay control frames.
 *
 *   MESSAGE     0x81 | flags:u8 | n:u8 | sender:n bytes | payload…
 *   WELCOME     0x82 | JSON {v, clientId, mode, maxParticipants, members}
 *   JOINED      0x83 | n:u8 | clientId:n bytes
 *   LEFT        0x84 | n:u8 | clientId:n bytes
 *   ERROR       0x85 | JSON {code, message}           (non-fatal; the connection stays open)
 *   ROOM_CLOSED 0x86 | JSON {reason}                  (followed by a 4000-range close)
 *   CODE_*      0x90–0x93                             code rooms (code-frames.ts)
 *
 * The sender id in MESSAGE is stamped by the relay from the authenticated connection; a client
 * cannot choose it.
 */
export const ServerFrameType = {
  MESSAGE: 0x81,
  WELCOME: 0x82,
  JOINED: 0x83,
  LEFT: 0x84,
  ERROR: 0x85,
  ROOM_CLOSED: 0x86,
} as const;
export type ServerFrameType = (typeof ServerFrameType)[keyof typeof ServerFrameType];

/** MESSAGE flags. */
export const MessageFlag = {
  /** The sender sent a WebSocket text message; the payload is its UTF-8 bytes. */
  TEXT: 0x01,
  /** The sender addressed this frame to you alone (SEND_TO). */
  DIRECT: 0x02,
} as const;

export const PROTOCOL_VERSION = 1;

/** p2p and support rooms are seed 000's; code rooms are seed 001's (code-room.ts). */
export type RoomMode = 'p2p' | 'support' | 'code';

export interface Welcome {
  readonly v: number;
  readonly clientId: string;
  readonly mode: RoomMode;
  readonly maxParticipants: number;
  /** The other members present when you joined, in join order. */
  readonly members: readonly string[];
}

/** Non-fatal error codes carried by ERROR frames. */
export const FrameErrorCode = {
  MALFORMED_FRAME: 'malformed_frame',
  UNKNOWN_RECIPIENT: 'unknown_recipient',
  /** A code-room guest not yet admitted may only SEND_TO its verifier. */
  NOT_ADMITTED: 'not_admitted',
  /** A code verdict from someone who is not that guest's verifier, or for no pending guest. */
  NOT_VERIFIER: 'not_verifier',
} as const;
export type FrameErrorCode = (typeof FrameErrorCode)[keyof typeof FrameErrorCode];

export type ServerFrame =
  | {
      readonly type: 'message';
      readonly from: string;
      readonly text: boolean;
      readonly direct: boolean;
      readonly payload: Uint8Array;
    }
  | ({ readonly type: 'welcome' } & Welcome)
  | { readonly type: 'joined'; readonly clientId: string }
  | { readonly type: 'left'; readonly clientId: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string }
  | { readonly type: 'room-closed'; readonly reason: string }
  | CodeServerFrame;

/**
 * The MESSAGE header for one sender: the relay builds it once per connection and per flag set,
 * then prepends it to each payload that connection sends.
 */
export function encodeMessageHeader(senderId: string, flags: number): Uint8Array {
  const out = new Uint8Array(3 + senderId.length);
  out[0] = ServerFrameType.MESSAGE;
  out[1] = flags;
  writeId(out, 2, senderId);
  return out;
}

export function encodeMessage(senderId: string, flags: number, payload: Uint8Array): Uint8Array {
  const header = encodeMessageHeader(senderId, flags);
  const out = new Uint8Array(header.byteLength + payload.byteLength);
  out.set(header, 0);
  out.set(payload, header.byteLength);
  return out;
}

export function encodeWelcome(welcome: Welcome): Uint8Array {
  return withJson(ServerFrameType.WELCOME, welcome);
}

export function encodeJoined(clientId: string): Uint8Array {
  return idFrame(ServerFrameType.JOINED, clientId);
}

export function encodeLeft(clientId: string): Uint8Array {
  return idFrame(ServerFrameType.LEFT, clientId);
}

export function encodeError(code: FrameErrorCode, message: string): Uint8Array {
  return withJson(ServerFrameType.ERROR, { code, message });
}

export function encodeRoomClosed(reason: string): Uint8Array {
  return withJson(ServerFrameType.ROOM_CLOSED, { reason });
}

/** Decodes any relay frame. Never throws; returns `ok: false` for anything malformed. */
export function decodeServerFrame(data: Uint8Array): DecodeResult<ServerFrame> {
  if (data.byteLength < 1) return { ok: false, error: 'empty frame' };
  switch (data[0]) {
    case ServerFrameType.MESSAGE: {
      if (data.byteLength < 3) return { ok: false, error: 'truncated MESSAGE header' };
      const flags = data[1]!;
      const id = readId(data, 2);
      if (id === undefined) return { ok: false, error: 'invalid MESSAGE sender' };
      return {
        ok: true,
        frame: {
          type: 'message',
          from: id.value,
          text: (flags & MessageFlag.TEXT) !== 0,
          direct: (flags & MessageFlag.DIRECT) !== 0,
          payload: data.subarray(id.end),
        },
      };
    }
    case ServerFrameType.JOINED:
    case ServerFrameType.LEFT: {
      const id = readId(data, 1);
      if (id === undefined || id.end !== data.byteLength) {
        return { ok: false, error: 'invalid presence frame' };
      }
      const type = data[0] === ServerFrameType.JOINED ? 'joined' : 'left';
      return { ok: true, frame: { type, clientId: id.value } };
    }
    case ServerFrameType.WELCOME: {
      const body = readJson(data);
      if (!isWelcome(body)) return { ok: false, error: 'invalid WELCOME' };
      const { v, clientId, mode, maxParticipants, members } = body;
      return {
        ok: true,
        frame: { type: 'welcome', v, clientId, mode, maxParticipants, members: [...members] },
      };
    }
    case ServerFrameType.ERROR: {
      const body = readJson(data);
      if (!isRecord(body) || typeof body.code !== 'string' || typeof body.message !== 'string') {
        return { ok: false, error: 'invalid ERROR' };
      }
      return { ok: true, frame: { type: 'error', code: body.code, message: body.message } };
    }
    case ServerFrameType.ROOM_CLOSED: {
      const body = readJson(data);
      if (!isRecord(body) || typeof body.reason !== 'string') {
        return { ok: false, error: 'invalid ROOM_CLOSED' };
      }
      return { ok: true, frame: { type: 'room-closed', reason: body.reason } };
    }
    default: {
      if (isCodeServerFrameType(data[0]!)) {
        const frame = decodeCodeServerFrame(data[0]!, readJson(data));
        return frame === undefined
          ? { ok: false, error: 'invalid code frame' }
          : { ok: true, frame };
      }
      return { ok: false, error: 'unknown frame type' };
    }
  }
}

function writeId(out: Uint8Array, at: number, id: string): void {
  if (!CLIENT_ID_PATTERN.test(id)) throw new RangeError('clientId: not a valid client id');
  out[at] = id.length;
  for (let i = 0; i < id.length; i++) out[at + 1 + i] = id.charCodeAt(i);
}

function readId(data: Uint8Array, at: number): { value: string; end: number } | undefined {
  if (data.byteLength < at + 1) return undefined;
  const n = data[at]!;
  const end = at + 1 + n;
  if (n === 0 || data.byteLength < end) return undefined;
  const value = asciiDecode(data, at + 1, end);
  return CLIENT_ID_PATTERN.test(value) ? { value, end } : undefined;
}

function idFrame(type: number, clientId: string): Uint8Array {
  const out = new Uint8Array(2 + clientId.length);
  out[0] = type;
  writeId(out, 1, clientId);
  return out;
}

function withJson(type: number, body: unknown): Uint8Array {
  const json = utf8Encode(JSON.stringify(body));
  const out = new Uint8Array(1 + json.byteLength);
  out[0] = type;
  out.set(json, 1);
  return out;
}

function readJson(data: Uint8Array): unknown {
  const text = utf8Decode(data.subarray(1));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isWelcome(value: unknown): value is Welcome {
  return (
    isRecord(value) &&
    typeof value.v === 'number' &&
    typeof value.clientId === 'string' &&
    CLIENT_ID_PATTERN.test(value.clientId) &&
    (value.mode === 'p2p' || value.mode === 'support' || value.mode === 'code') &&
    typeof value.maxParticipants === 'number' &&
    Array.isArray(value.members) &&
    value.members.every((m) => typeof m === 'string' && CLIENT_ID_PATTERN.test(m))
  );
}
