import { type IncomingMessage } from 'node:http';
import { AddressBuckets } from './address-buckets';
import { clientAddress } from './client-address';
import { TokenBucket } from './token-bucket';
import { WindowLimiter } from './window-limiter';
import { secretEquals } from '../common/secrets';

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    const bucket = new TokenBucket(10, 20, 0);
    let allowed = 0;
    for (let i = 0; i < 30; i++) if (bucket.take(1, 0)) allowed++;
    expect(allowed).toBe(20);
    expect(bucket.take(1, 50)).toBe(false);
    expect(bucket.take(1, 100)).toBe(true);
    expect(bucket.take(5, 1000)).toBe(true);
  });
});

describe('WindowLimiter', () => {
  it('counts per scope and address, resets per window, never stores the address', () => {
    const limiter = new WindowLimiter(1000);
    expect(limiter.hit('http', '10.0.0.1', 2, 0)).toBe(0);
    expect(limiter.hit('http', '10.0.0.1', 2, 1)).toBe(0);
    expect(limiter.hit('http', '10.0.0.1', 2, 2)).toBe(998);
    expect(limiter.hit('rooms', '10.0.0.1', 2, 2)).toBe(0);
    expect(limiter.hit('http', '10.0.0.2', 2, 2)).toBe(0);
    expect(limiter.hit('http', '10.0.0.1', 2, 1000)).toBe(0);
    expect(
      JSON.stringify([...(limiter as unknown as { windows: Map<string, unknown> }).windows.keys()]),
    ).not.toContain('10.0.0');
  });

  it('is off at max 0', () => {
    const limiter = new WindowLimiter(1000);
    for (let i = 0; i < 100; i++) expect(limiter.hit('ws', 'a', 0, i)).toBe(0);
    expect(limiter.size).toBe(0);
  });
});

describe('AddressBuckets', () => {
  it('lets a whole room in at once from one address, then only the sustained rate', () => {
    // The defaults: 120 a minute sustained, 300 at once.
    const buckets = new AddressBuckets(120, 60_000, 300);
    let admitted = 0;
    for (let i = 0; i < 400; i++) if (buckets.take('192.0.2.1', 0)) admitted++;
    expect(admitted).toBe(300);
    // Another address (another NAT) has its own bucket.
    expect(buckets.take('192.0.2.2', 0)).toBe(true);
    // 2 per second come back: one after 500 ms, not before; two after a second.
    expect(buckets.take('192.0.2.1', 499)).toBe(false);
    expect(buckets.take('192.0.2.1', 500)).toBe(true);
    expect(buckets.take('192.0.2.1', 500)).toBe(false);
    expect(buckets.take('192.0.2.1', 1500)).toBe(true);
    expect(buckets.take('192.0.2.1', 1500)).toBe(true);
    expect(buckets.take('192.0.2.1', 1500)).toBe(false);
    // A quiet minute later the full burst is back, never more.
    let again = 0;
    for (let i = 0; i < 400; i++) if (buckets.take('192.0.2.1', 10 * 60_000)) again++;
    expect(again).toBe(300);
  });

  it('forgets refilled buckets, never stores an address, and is off at rate 0', () => {
    const buckets = new AddressBuckets(60, 1000, 5);
    buckets.take('10.0.0.1', 0);
    buckets.take('10.0.0.2', 0);
    expect(buckets.size).toBe(2);
    expect(
      JSON.stringify([...(buckets as unknown as { buckets: Map<string, unknown> }).buckets.keys()]),
    ).not.toContain('10.0.0');
    buckets.take('10.0.0.3', 5000);
    expect(buckets.size).toBe(1);
    const off = new AddressBuckets(0, 1000, 1);
    for (let i = 0; i < 100; i++) expect(off.take('a', 0)).toBe(true);
    expect(off.size).toBe(0);
    expect(() => new AddressBuckets(1, 1000, 0)).toThrow(RangeError);
  });
});

describe('clientAddress', () => {
  const req = (xff?: string) =>
    ({
      socket: { remoteAddress: '127.0.0.9' },
      headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
    }) as unknown as IncomingMessage;

  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddress(req('1.2.3.4'), 0)).toBe('127.0.0.9');
  });

  it('takes the entry the outermost trusted proxy saw', () => {
    expect(clientAddress(req('6.6.6.6, 1.2.3.4'), 1)).toBe('1.2.3.4');
    expect(clientAddress(req('6.6.6.6, 1.2.3.4, 10.0.0.1'), 2)).toBe('1.2.3.4');
    expect(clientAddress(req('1.2.3.4'), 3)).toBe('1.2.3.4');
    expect(clientAddress(req(''), 1)).toBe('127.0.0.9');
    expect(clientAddress(req(), 1)).toBe('127.0.0.9');
  });
});

describe('secretEquals', () => {
  it('compares by value, for any lengths, and never matches an unset secret', () => {
    expect(secretEquals('abc', 'abc')).toBe(true);
    expect(secretEquals('abd', 'abc')).toBe(false);
    expect(secretEquals('abcd', 'abc')).toBe(false);
    expect(secretEquals('', 'abc')).toBe(false);
    expect(secretEquals(undefined, 'abc')).toBe(false);
    expect(secretEquals('', '')).toBe(false);
  });
});
