import { describeClose } from './close-text';
import {
  type Environment,
  inviteLink,
  pickBaseUrl,
  readInvite,
  resolveOptions,
  WidgetOptionsError,
} from './options';

const ROOM = '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b3e';

/** A page on `hostname` with one element, `#chat`. */
function page(hostname: string): Environment & { el: object } {
  const el = {};
  return {
    el,
    hostname,
    href: `https://${hostname}/help?x=1#old`,
    query: (selector) => (selector === '#chat' ? (el as Element) : null),
    isElement: (value): value is HTMLElement => value === el,
  };
}

describe('resolveOptions', () => {
  it('applies the defaults and strips the fragment from the invite base', () => {
    const r = resolveOptions(
      { apiBaseUrl: 'https://relay.example.com/', container: '#chat' },
      page('shop.example'),
    );
    expect(r).toMatchObject({
      baseUrl: 'https://relay.example.com',
      mode: 'p2p',
      title: 'Encrypted chat',
      isP2PGuest: false,
      inviteUrl: 'https://shop.example/help?x=1',
      maxFileBytes: 25 * 1024 * 1024,
      calls: true,
      hideAddress: false,
    });
  });

  it('uses onionBaseUrl only on a .onion page (seed 000 dual URLs)', () => {
    const options = {
      apiBaseUrl: 'https://relay.example.com',
      onionBaseUrl: 'http://relayabcdefghijklmnop.onion',
      container: '#chat',
    };
    expect(resolveOptions(options, page('shop.example')).baseUrl).toBe('https://relay.example.com');
    expect(resolveOptions(options, page('shopxyz.onion')).baseUrl).toBe(
      'http://relayabcdefghijklmnop.onion',
    );
    expect(pickBaseUrl('https://a', undefined, 'x.onion')).toBe('https://a');
    expect(pickBaseUrl('https://a', 'http://b.onion', 'X.ONION.')).toBe('http://b.onion');
  });

  it('names the bad option', () => {
    const env = page('shop.example');
    const bad: [unknown, string][] = [
      [{ apiBaseUrl: 'https://r.example', container: '#chat', mode: 'group' }, 'mode:'],
      [{ apiBaseUrl: 'https://r.example', container: '#chat', title: '' }, 'title:'],
      [
        { apiBaseUrl: 'https://r.example', container: '#chat', roomId: ROOM },
        'joinToken: required',
      ],
      [{ apiBaseUrl: 'https://r.example', container: '#chat', joinToken: 't' }, 'joinToken: given'],
      [
        { apiBaseUrl: 'https://r.example', container: '#chat', mode: 'support', isP2PGuest: true },
        'isP2PGuest:',
      ],
      [{ apiBaseUrl: 'https://r.example', container: '#chat', maxFileBytes: 0 }, 'maxFileBytes:'],
      [{ apiBaseUrl: 'https://r.example', container: '#chat', calls: 'yes' }, 'calls:'],
      [{ apiBaseUrl: 'https://r.example', container: '#chat', hideAddress: 1 }, 'hideAddress:'],
      [
        { apiBaseUrl: 'https://r.example', container: '#chat', ANOCHAT_API_KEY: 'k' },
        'ANOCHAT_API_KEY:',
      ],
    ];
    for (const [options, start] of bad) {
      expect(() => resolveOptions(options, env)).toThrow(WidgetOptionsError);
      expect(() => resolveOptions(options, env)).toThrow(`AnochatWidget.init: ${start}`);
    }
  });

  it('accepts a support room without a join token', () => {
    const r = resolveOptions(
      { apiBaseUrl: 'https://r.example', container: '#chat', mode: 'support', roomId: ROOM },
      page('shop.example'),
    );
    expect(r).toMatchObject({ mode: 'support', roomId: ROOM, joinToken: undefined });
  });
});

describe('invite links', () => {
  it('round-trip roomId and joinToken through the fragment only', () => {
    const link = inviteLink('https://shop.example/chat#stale', ROOM, 'tok_en-1');
    expect(link).toBe(`https://shop.example/chat#roomId=${ROOM}&joinToken=tok_en-1`);
    expect(readInvite(new URL(link).hash)).toEqual({ roomId: ROOM, joinToken: 'tok_en-1' });
    expect(readInvite('#roomId=nope&joinToken=x')).toBeUndefined();
    expect(readInvite('')).toBeUndefined();
  });
});

describe('describeClose', () => {
  it('has words for every close code of docs/protocol.md', () => {
    expect(describeClose(4000).title).toBe('This chat was closed');
    expect(describeClose(4002).detail).toContain('third person');
    expect(describeClose(4403).title).toBe('Invite not valid');
    for (const code of [
      1000, 1001, 1006, 1007, 1009, 1011, 1012, 1013, 4001, 4003, 4400, 4401, 4404, 4409, 4410,
      4429,
    ])
      expect(describeClose(code).title).not.toBe('Disconnected');
    expect(describeClose(4999).detail).toContain('4999');
  });
});
