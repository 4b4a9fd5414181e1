import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloseCode,
  codeRoomId,
  decodeClientFrame,
  decodeServerFrame,
  encodeCodeAdmitted,
  encodeCodeAttemptFailed,
  encodeCodeChallenge,
  encodeCodeGuest,
  encodeCodeVerdict,
  encodeWelcome,
  isCodeRoomId,
  isRetryableClose,
  isValidNameplate,
  isValidRoomId,
} from '../src';

interface Vectors {
  roomIds: Array<{ nameplate: string; roomId: string }>;
  client: Array<{ name: string; hex: string; frame: object }>;
  clientInvalid: Array<{ name: string; hex: string; error: string }>;
  server: Array<{ name: string; hex: string; frame: object }>;
  serverInvalid: Array<{ name: string; hex: string; error: string }>;
}

const vectors = JSON.parse(
  readFileSync(join(__dirname, 'vectors/code-frames.json'), 'utf8'),
) as Vectors;
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');

describe('code rooms: nameplates', () => {
  it.each(vectors.roomIds)(
    'nameplate $nameplate has room id $roomId',
    async ({ nameplate, roomId }) => {
      expect(await codeRoomId(nameplate)).toBe(roomId);
      expect(isValidRoomId(roomId)).toBe(true);
      expect(isCodeRoomId(roomId)).toBe(true);
    },
  );

  it('tells code-room ids from random (v4) room ids', () => {
    expect(isCodeRoomId(crypto.randomUUID())).toBe(false);
    expect(isCodeRoomId('c0de0000-0000-4000-8000-000000000000')).toBe(false);
  });

  it('accepts nameplates 1..999999 without leading zeros, and nothing else', async () => {
    for (const ok of ['1', '7', '42', '999999']) expect(isValidNameplate(ok)).toBe(true);
    for (const bad of ['', '0', '07', '1000000', '-1', '1.5', ' 7', 'x', 7])
      expect(isValidNameplate(bad)).toBe(false);
    await expect(codeRoomId('07')).rejects.toThrow(RangeError);
  });

  it('spreads consecutive nameplates (no shared prefix beyond c0de)', async () => {
    const ids = await Promise.all(Array.from({ length: 64 }, (_, i) => codeRoomId(String(i + 1))));
    expect(new Set(ids.map((id) => id.slice(4, 8))).size).toBeGreaterThan(60);
  });
});

describe('code rooms: golden vectors', () => {
  it.each(vectors.client)('decodes client $name', ({ hex: h, frame }) => {
    expect(decodeClientFrame(bytes(h))).toEqual({ ok: true, frame });
  });

  it.each(vectors.clientInvalid)('refuses client $name', ({ hex: h, error }) => {
    expect(decodeClientFrame(bytes(h))).toEqual({ ok: false, error });
  });

  it.each(vectors.server)('decodes server $name', ({ hex: h, frame }) => {
    expect(decodeServerFrame(bytes(h))).toEqual({ ok: true, frame });
  });

  it.each(vectors.serverInvalid)('refuses server $name', ({ hex: h, error }) => {
    expect(decodeServerFrame(bytes(h))).toEqual({ ok: false, error });
  });

  it('encodes to the vectors', () => {
    const byName = Object.fromEntries(
      [...vectors.client, ...vectors.server].map((v) => [v.name, v.hex]),
    );
    expect(hex(encodeCodeVerdict(true, 'guest'))).toBe(byName['CODE_ACCEPT guest']);
    expect(hex(encodeCodeVerdict(false, 'guest'))).toBe(byName['CODE_REJECT guest']);
    expect(hex(encodeCodeChallenge({ verifier: 'alice', attemptsLeft: 3, timeoutMs: 15000 }))).toBe(
      byName['CODE_CHALLENGE'],
    );
    expect(hex(encodeCodeGuest({ clientId: 'guest', attemptsLeft: 3, timeoutMs: 15000 }))).toBe(
      byName['CODE_GUEST'],
    );
    expect(hex(encodeCodeAdmitted({ clientId: 'guest', joinToken: 'tok' }))).toBe(
      byName['CODE_ADMITTED to the guest'],
    );
    expect(
      hex(encodeCodeAttemptFailed({ clientId: 'guest', reason: 'wrong_code', attemptsLeft: 2 })),
    ).toBe(byName['CODE_ATTEMPT_FAILED']);
    expect(() => encodeCodeVerdict(true, 'not valid')).toThrow(RangeError);
  });

  it('round-trips CODE_ADMITTED without a token, and WELCOME of a code room', () => {
    expect(decodeServerFrame(encodeCodeAdmitted({ clientId: 'g' }))).toEqual({
      ok: true,
      frame: { type: 'code-admitted', clientId: 'g' },
    });
    const welcome = encodeWelcome({
      v: 1,
      clientId: 'g',
      mode: 'code',
      maxParticipants: 2,
      members: ['h'],
    });
    expect(decodeServerFrame(welcome)).toMatchObject({ ok: true, frame: { mode: 'code' } });
  });

  it('close codes 4440–4444, none retried blindly by isRetryableClose', () => {
    expect([
      CloseCode.CODE_NO_VERIFIER,
      CloseCode.WRONG_CODE,
      CloseCode.CODE_ROOM_LOCKED,
      CloseCode.CODE_TIMEOUT,
      CloseCode.CODE_BUSY,
    ]).toEqual([4440, 4441, 4442, 4443, 4444]);
    // Like 4409 and 4429, they are left to the application (the code-room SDK decides).
    expect(isRetryableClose(CloseCode.WRONG_CODE)).toBe(false);
  });
});
