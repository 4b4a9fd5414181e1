import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeClientFrame,
  decodeRestartReason,
  decodeServerFrame,
  encodeError,
  encodeJoined,
  encodeLeft,
  encodeMessage,
  encodeRestartReason,
  encodeRoomClosed,
  encodeSend,
  encodeSendTo,
  encodeWelcome,
  encodeCallCredentials,
  encodeCallJoin,
  encodeCallLeave,
  turnUsernameExpiry,
  type ServerFrame,
} from '../src';

interface Vectors {
  client: Array<{ name: string; hex: string; frame: object }>;
  clientInvalid: Array<{ name: string; hex: string; error: string }>;
  server: Array<{ name: string; hex: string; frame: Record<string, unknown> }>;
  serverInvalid: Array<{ name: string; hex: string; error: string }>;
  closeReasons: Array<{ retryMs: number; reason: string }>;
}

const vectors = JSON.parse(readFileSync(join(__dirname, 'vectors/frames.json'), 'utf8')) as Vectors;
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');

describe('golden vectors', () => {
  it.each(vectors.client)('decodes client $name', ({ hex: h, frame }) => {
    expect(decodeClientFrame(bytes(h))).toEqual({ ok: true, frame });
  });

  it('encodes client frames to the vectors', () => {
    expect(hex(encodeSend(bytes('dead')))).toBe('01dead');
    expect(hex(encodeSendTo('bob', bytes('ff')))).toBe('0203626f62ff');
    expect(hex(encodeCallJoin())).toBe('0c');
    expect(hex(encodeCallLeave())).toBe('0d');
  });

  it.each(vectors.clientInvalid)('refuses client $name', ({ hex: h, error }) => {
    expect(decodeClientFrame(bytes(h))).toEqual({ ok: false, error });
  });

  it.each(vectors.server)('decodes server $name', ({ hex: h, frame }) => {
    const decoded = decodeServerFrame(bytes(h));
    expect(decoded.ok).toBe(true);
    const actual = (decoded as { frame: ServerFrame }).frame;
    if (actual.type === 'message') {
      const { payloadHex, ...rest } = frame;
      expect({ ...actual, payload: hex(actual.payload) }).toEqual({ ...rest, payload: payloadHex });
    } else {
      expect(actual).toEqual(frame);
    }
  });

  it('encodes server frames to the vectors', () => {
    const byName = Object.fromEntries(vectors.server.map((v) => [v.name, v.hex]));
    expect(hex(encodeMessage('alice', 0, bytes('dead')))).toBe(byName['MESSAGE binary']);
    expect(hex(encodeMessage('alice', 1, bytes('6869')))).toBe(byName['MESSAGE text']);
    expect(hex(encodeMessage('alice', 2, bytes('ff')))).toBe(byName['MESSAGE direct']);
    expect(hex(encodeJoined('bob'))).toBe(byName['JOINED']);
    expect(hex(encodeLeft('bob'))).toBe(byName['LEFT']);
    expect(
      hex(
        encodeWelcome({
          v: 1,
          clientId: 'bob',
          mode: 'p2p',
          maxParticipants: 16,
          members: ['alice'],
        }),
      ),
    ).toBe(byName['WELCOME']);
    expect(hex(encodeError('unknown_recipient', 'no such member in this room'))).toBe(
      byName['ERROR'],
    );
    expect(hex(encodeRoomClosed('closed'))).toBe(byName['ROOM_CLOSED']);
    for (const name of ['CALL_CREDENTIALS', 'CALL_CREDENTIALS without TURN']) {
      const body = { ...vectors.server.find((v) => v.name === name)!.frame };
      delete body.type;
      expect(hex(encodeCallCredentials(body as never))).toBe(byName[name]);
    }
  });

  it('reads the expiry from a TURN REST API username', () => {
    expect(turnUsernameExpiry('1764590400:5mSGG4oBd2IS4rqD')).toBe(1764590400);
    expect(turnUsernameExpiry('alice')).toBeUndefined();
    expect(turnUsernameExpiry(':1764590400')).toBeUndefined();
  });

  it.each(vectors.serverInvalid)('refuses server $name', ({ hex: h, error }) => {
    expect(decodeServerFrame(bytes(h))).toEqual({ ok: false, error });
  });

  it('round-trips the 1012 restart reason', () => {
    for (const { retryMs, reason } of vectors.closeReasons) {
      expect(encodeRestartReason(retryMs)).toBe(reason);
      expect(decodeRestartReason(reason)).toBe(retryMs);
    }
    expect(decodeRestartReason('going away')).toBeUndefined();
    expect(decodeRestartReason('{"retryMs":-1}')).toBeUndefined();
  });

  it('never throws decoding random server input', () => {
    for (let i = 0; i < 5000; i++) {
      const data = new Uint8Array(Math.floor(Math.random() * 16));
      for (let j = 0; j < data.length; j++) data[j] = Math.floor(Math.random() * 256);
      if (data.length > 0) data[0] = 0x81 + (data[0]! % 7);
      expect(() => decodeServerFrame(data)).not.toThrow();
    }
  });
});
