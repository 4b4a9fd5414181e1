import { parseCommand, UsageError } from './args';
import { format } from './format';

describe('nullroom arguments', () => {
  it('parses chat with flags and environment fallbacks', () => {
    expect(
      parseCommand(['chat', '--room', 'r1', '--name', 'alice', '--receipts'], {
        NULLROOM_URL: 'http://x',
        NULLROOM_TOKEN: 't',
      }),
    ).toEqual({
      kind: 'chat',
      url: 'http://x',
      roomId: 'r1',
      joinToken: 't',
      clientId: 'alice',
      receipts: true,
    });
  });

  it('parses create and defaults to p2p', () => {
    expect(parseCommand(['create', '--url', 'http://x', '--api-key', 'k'])).toEqual({
      kind: 'create',
      url: 'http://x',
      apiKey: 'k',
      mode: 'p2p',
    });
  });

  it('names what is missing or wrong', () => {
    expect(() => parseCommand(['chat', '--url', 'http://x'])).toThrow(/--room/);
    expect(() => parseCommand(['chat', '--room', 'r'])).toThrow(/--url/);
    expect(() => parseCommand(['create', '--url', 'u', '--mode', 'x'])).toThrow(UsageError);
    expect(() => parseCommand(['chat', '--url', 'u', '--room', 'r', '--bogus'])).toThrow(
      UsageError,
    );
    expect(parseCommand([])).toEqual({ kind: 'help' });
  });

  it('formats security events with the error name and code, never payloads', () => {
    expect(format.security('bob', 'ReplayError', 'replay')).toBe(
      '! refused a frame from bob: ReplayError (replay)',
    );
  });
});
