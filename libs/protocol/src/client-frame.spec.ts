import { ClientFrameType, decodeClientFrame, encodeSend, encodeSendTo } from './client-frame';

describe('client frames', () => {
  it('round-trips SEND with the payload untouched', () => {
    const payload = Uint8Array.of(0, 255, 1, 2, 3);
    const bytes = encodeSend(payload);
    const result = decodeClientFrame(bytes);
    expect(result).toEqual({ ok: true, frame: { type: 'send', payloadOffset: 1 } });
    expect(bytes.subarray(1)).toEqual(payload);
  });

  it('round-trips SEND_TO', () => {
    const bytes = encodeSendTo('bob-1', Uint8Array.of(9, 9));
    const result = decodeClientFrame(bytes);
    expect(result).toEqual({ ok: true, frame: { type: 'send-to', to: 'bob-1', payloadOffset: 7 } });
    expect(bytes.subarray(7)).toEqual(Uint8Array.of(9, 9));
  });

  it.each([
    ['empty', new Uint8Array(0), 'empty frame'],
    ['unknown type', Uint8Array.of(0x7f), 'unknown frame type'],
    ['SEND_TO without length', Uint8Array.of(ClientFrameType.SEND_TO), 'truncated SEND_TO header'],
    [
      'SEND_TO zero length',
      Uint8Array.of(ClientFrameType.SEND_TO, 0),
      'truncated SEND_TO recipient',
    ],
    ['SEND_TO short', Uint8Array.of(ClientFrameType.SEND_TO, 5, 97), 'truncated SEND_TO recipient'],
    ['SEND_TO bad id', Uint8Array.of(ClientFrameType.SEND_TO, 1, 32), 'invalid SEND_TO recipient'],
  ])('rejects %s without throwing', (_name, bytes, error) => {
    expect(decodeClientFrame(bytes)).toEqual({ ok: false, error });
  });

  it('refuses to encode an invalid recipient, naming the parameter', () => {
    expect(() => encodeSendTo('has space', new Uint8Array())).toThrow(/recipient/);
    expect(() => encodeSendTo('x'.repeat(65), new Uint8Array())).toThrow(RangeError);
  });

  it('never throws on random input', () => {
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(Math.floor(Math.random() * 12));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(Math.random() * 256);
      expect(() => decodeClientFrame(bytes)).not.toThrow();
    }
  });
});
