import WebSocket from 'ws';
import { FakeHandlers } from '../../test/support/fake-handlers';
import { hashJoinToken } from '../rooms/join-token';
import { CLUSTER_AUTH_HEADER, ClusterAuth } from './cluster-auth';
import { type ForwardedJoin } from './forwarded-join';
import { encodeForwardedJoin } from './forwarded-join';
import { InternalServer } from './internal-server';
import { HandoffOutcome, MAX_INTERNAL_BODY_BYTES } from './peer-api';

const SECRET = 'internal-secret-0123456789abcdef';
const ROOM = '2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

describe('InternalServer', () => {
  let server: InternalServer;
  let handlers: FakeHandlers;
  let base: string;
  const auth = new ClusterAuth(SECRET);
  const forwarded: ForwardedJoin[] = [];

  beforeEach(async () => {
    handlers = new FakeHandlers();
    forwarded.length = 0;
    server = new InternalServer(
      new ClusterAuth(SECRET),
      handlers,
      (ws, join) => {
        forwarded.push(join);
        ws.close(1000);
      },
      1024 * 1024,
    );
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });

  afterEach(() => server.close());

  const signed = (method: string, target: string, body?: string, header?: string) =>
    fetch(`${base}${target}`, {
      method,
      ...(body === undefined ? {} : { body }),
      headers: { [CLUSTER_AUTH_HEADER]: header ?? auth.sign(method, target, body ?? '') },
    });

  it('answers a signed request with the status its outcome maps to', async () => {
    handlers.handoffReply = { outcome: HandoffOutcome.MovedAway, owner: 'pod-9' };
    const res = await signed('POST', `/internal/rooms/${ROOM}/handoff`, '{"to":"pod-2"}');
    expect(res.status).toBe(410);
    expect(await res.json()).toEqual({ error: 'moved', owner: 'pod-9' });
    expect(handlers.calls).toEqual([['handoff', ROOM, { to: 'pod-2' }]]);
  });

  it('refuses unsigned, forged, replayed and tampered requests before any handler runs', async () => {
    const target = `/internal/rooms/${ROOM}/handoff`;
    const body = '{"to":"pod-2"}';
    expect((await fetch(`${base}${target}`, { method: 'POST', body })).status).toBe(401);
    const forged = new ClusterAuth('another-secret-0123456789abcdef').sign('POST', target, body);
    expect((await signed('POST', target, body, forged)).status).toBe(401);
    const header = auth.sign('POST', target, body);
    expect((await signed('POST', target, body, header)).status).toBe(409);
    expect((await signed('POST', target, body, header)).status).toBe(401); // replay
    const fresh = auth.sign('POST', target, body);
    expect((await signed('POST', target, '{"to":"pod-3"}', fresh)).status).toBe(401); // tampered
    expect(handlers.calls).toHaveLength(1);
  });

  it('answers bad input with 4xx JSON: unknown route, bad JSON, a body that decodes to nothing, too large', async () => {
    expect((await signed('GET', '/internal/nope')).status).toBe(404);
    expect((await signed('POST', `/internal/rooms/${ROOM}/handoff`, '{nope')).status).toBe(400);
    const bad = await signed('POST', `/internal/rooms/${ROOM}/handoff`, '{"to":"../x"}');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' });
    const huge = 'x'.repeat(MAX_INTERNAL_BODY_BYTES + 1);
    const res = await signed('POST', '/internal/standby', huge).catch(() => undefined);
    expect(res === undefined || res.status === 413).toBe(true);
    expect(handlers.calls).toEqual([]);
  });

  it('takes a forwarded member only on a signed upgrade, and hands its decoded join on', async () => {
    const join = { roomId: ROOM, clientId: 'm', tokenHash: hashJoinToken('t'), apiKeyOk: false };
    const target = `/internal/ws?${encodeForwardedJoin(join)}`;
    const port = Number(new URL(base).port);
    const open = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${target}`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('close', (code) => resolve(code));
        ws.on('error', () => undefined);
      });
    expect(await open({})).toBe(401);
    expect(await open({ [CLUSTER_AUTH_HEADER]: auth.sign('GET', target) })).toBe(1000);
    expect(forwarded).toEqual([join]);
  });
});
