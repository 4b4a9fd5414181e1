import { createHash, createHmac } from 'node:crypto';
import { ClusterAuth, MAX_SKEW_MS } from './cluster-auth';

const SECRET = 'cluster-secret-0123456789abcdef';

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = v), advance: (ms: number) => (t += ms) };
}

describe('ClusterAuth', () => {
  it('accepts an authentic request once', () => {
    const c = clock();
    const sender = new ClusterAuth(SECRET, c);
    const receiver = new ClusterAuth(SECRET, c);
    const header = sender.sign('POST', '/internal/standby?from=pod-1', '{"a":1}');
    expect(receiver.verify(header, 'POST', '/internal/standby?from=pod-1', '{"a":1}')).toBe(true);
    // The same request again: its nonce was seen.
    expect(receiver.verify(header, 'POST', '/internal/standby?from=pod-1', '{"a":1}')).toBe(false);
  });

  it('refuses any change to the method, path, query or body', () => {
    const c = clock();
    const auth = new ClusterAuth(SECRET, c);
    const sign = () => auth.sign('POST', '/internal/rooms/x/handoff?a=1', 'body');
    expect(auth.verify(sign(), 'GET', '/internal/rooms/x/handoff?a=1', 'body')).toBe(false);
    expect(auth.verify(sign(), 'POST', '/internal/rooms/y/handoff?a=1', 'body')).toBe(false);
    expect(auth.verify(sign(), 'POST', '/internal/rooms/x/handoff?a=2', 'body')).toBe(false);
    expect(auth.verify(sign(), 'POST', '/internal/rooms/x/handoff?a=1', 'bodY')).toBe(false);
    expect(auth.verify(sign(), 'POST', '/internal/rooms/x/handoff?a=1', 'body')).toBe(true);
  });

  it('refuses another secret, a malformed header, and a time outside ±30 s', () => {
    const c = clock();
    const auth = new ClusterAuth(SECRET, c);
    const other = new ClusterAuth('another-secret-0123456789abcdef', c);
    expect(auth.verify(other.sign('GET', '/internal/stats'), 'GET', '/internal/stats')).toBe(false);
    for (const bad of [
      undefined,
      ['a', 'b'],
      '',
      'x.y.z',
      '1.2',
      `${c.now()}.zz.${'0'.repeat(64)}`,
    ])
      expect(auth.verify(bad, 'GET', '/internal/stats')).toBe(false);
    const old = auth.sign('GET', '/internal/stats');
    c.advance(MAX_SKEW_MS + 1);
    expect(auth.plausible(old)).toBe(false);
    expect(auth.verify(old, 'GET', '/internal/stats')).toBe(false);
    const early = new ClusterAuth(SECRET, { now: () => c.now() + MAX_SKEW_MS + 1 });
    expect(auth.verify(early.sign('GET', '/internal/stats'), 'GET', '/internal/stats')).toBe(false);
  });

  it('remembers nonces for as long as a request could pass the time check', () => {
    const c = clock();
    const auth = new ClusterAuth(SECRET, c);
    const header = auth.sign('GET', '/internal/stats');
    expect(auth.verify(header, 'GET', '/internal/stats')).toBe(true);
    // Many other requests and window rotations later, still inside ±30 s of its time: refused.
    for (let i = 0; i < 30; i++) {
      c.advance(1000);
      expect(auth.verify(auth.sign('GET', '/internal/stats'), 'GET', '/internal/stats')).toBe(true);
    }
    expect(auth.verify(header, 'GET', '/internal/stats')).toBe(false);
  });

  it('is the construction docs/architecture.md describes (a signature built from the text)', () => {
    const c = clock();
    const auth = new ClusterAuth(SECRET, c);
    const time = c.now();
    const nonce = '0123456789abcdef0123456789abcdef';
    const body = '{"to":"pod-2"}';
    const mac = createHmac('sha256', Buffer.from(`nullroom-internal:${SECRET}`, 'utf8'))
      .update(
        [
          'nullroom-cluster-v1',
          String(time),
          nonce,
          'POST',
          '/internal/rooms/r/handoff',
          createHash('sha256').update(body).digest('hex'),
        ].join('\n'),
      )
      .digest('hex');
    expect(auth.verify(`${time}.${nonce}.${mac}`, 'POST', '/internal/rooms/r/handoff', body)).toBe(
      true,
    );
  });
});
