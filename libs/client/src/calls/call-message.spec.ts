import { utf8Encode } from '@nullroom/protocol';
import {
  decodeCallSignal,
  decodePeerMessage,
  encodeCallSignal,
  encodePeerMessage,
  type CallSignal,
  type PeerMessage,
} from './call-message';
import { canonicalFingerprint, checkSdpFingerprint, sdpFingerprints } from './sdp-fingerprint';

const FP = `sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
const KEY = `04${'ab'.repeat(64)}`;
const CALL = '0123456789abcdef0123456789abcdef';

describe('call messages', () => {
  it('round-trips every signal and peer message', () => {
    const signals: CallSignal[] = [
      { t: 'join', call: CALL, video: true, key: KEY, fp: FP, ring: true },
      { t: 'leave', call: CALL },
      { t: 'decline', call: CALL },
    ];
    for (const s of signals) expect(decodeCallSignal(encodeCallSignal(s))).toEqual(s);
    const messages: PeerMessage[] = [
      { t: 'sdp', type: 'offer', sdp: 'v=0\r\n' },
      { t: 'ice', candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ relay', mid: '0', index: 0 },
      { t: 'ice', candidate: '', mid: null, index: null },
      { t: 'media', mic: false, cam: true, screen: false, deaf: false },
    ];
    for (const m of messages) expect(decodePeerMessage(encodePeerMessage(m))).toEqual(m);
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['unknown type', `{"t":"ring","call":"${CALL}"}`],
    ['short call id', '{"t":"leave","call":"abcd"}'],
    [
      'compressed key',
      `{"t":"join","call":"${CALL}","video":true,"key":"02${'ab'.repeat(32)}","fp":"${FP}","ring":true}`,
    ],
    [
      'non-SHA-256 fingerprint',
      `{"t":"join","call":"${CALL}","video":true,"key":"${KEY}","fp":"sha-1 AB:CD","ring":true}`,
    ],
    [
      'ring not a boolean',
      `{"t":"join","call":"${CALL}","video":true,"key":"${KEY}","fp":"${FP}","ring":1}`,
    ],
  ])('refuses a signal with %s', (_name, text) => {
    expect(decodeCallSignal(utf8Encode(text))).toBeUndefined();
  });

  it('refuses oversized or inconsistent peer messages without throwing', () => {
    expect(
      decodePeerMessage(
        utf8Encode(JSON.stringify({ t: 'sdp', type: 'offer', sdp: 'x'.repeat(33_000) })),
      ),
    ).toBeUndefined();
    expect(
      decodePeerMessage(utf8Encode('{"t":"sdp","type":"pranswer","sdp":"v=0"}')),
    ).toBeUndefined();
    expect(
      decodePeerMessage(utf8Encode('{"t":"ice","candidate":"c","mid":7,"index":0}')),
    ).toBeUndefined();
    expect(decodePeerMessage(utf8Encode('{"t":"media","mic":true}'))).toBeUndefined();
    expect(decodePeerMessage(new Uint8Array([0xff, 0xfe]))).toBeUndefined();
    for (let i = 0; i < 2000; i++) {
      const junk = new Uint8Array(Math.floor(Math.random() * 64)).map(() =>
        Math.floor(Math.random() * 256),
      );
      expect(() => decodePeerMessage(junk)).not.toThrow();
      expect(() => decodeCallSignal(junk)).not.toThrow();
    }
  });
});

describe('SDP fingerprints', () => {
  const sdp = (...fps: string[]) =>
    [
      'v=0',
      'o=- 1 2 IN IP4 127.0.0.1',
      ...fps.map((f) => `a=fingerprint:${f}`),
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    ].join('\r\n');
  const value = FP.slice('sha-256 '.length);

  it('reads fingerprints in any case into one canonical form', () => {
    expect(canonicalFingerprint('SHA-256', value.toLowerCase())).toBe(FP);
    expect(canonicalFingerprint('sha-1', 'AB:CD')).toBeUndefined();
    expect(sdpFingerprints(sdp(`sha-256 ${value.toLowerCase()}`))).toEqual([FP]);
  });

  it('accepts only an SDP whose every fingerprint line is the announced one', () => {
    expect(checkSdpFingerprint(sdp(`sha-256 ${value}`, `sha-256 ${value}`), FP)).toBe('ok');
    expect(checkSdpFingerprint(sdp(), FP)).toBe('missing');
    const other = `sha-256 ${'AB:'.repeat(31)}AB`;
    expect(checkSdpFingerprint(sdp(other), FP)).toBe('mismatch');
    // A second certificate beside the right one would let a middleman in.
    expect(checkSdpFingerprint(sdp(`sha-256 ${value}`, other), FP)).toBe('mismatch');
    expect(checkSdpFingerprint(sdp(`sha-1 ${'AB:'.repeat(19)}AB`), FP)).toBe('mismatch');
  });
});
