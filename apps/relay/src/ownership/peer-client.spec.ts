import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { FakeHandlers } from '../../test/support/fake-handlers';
import { hashJoinToken } from '../rooms/join-token';
import { ROOM, aShape } from '../../test/support/fixtures';
import { ClusterAuth } from './cluster-auth';
import { InternalServer } from './internal-server';
import {
  CloseOutcome,
  HandoffOutcome,
  PeerProtocolError,
  PeerUnreachableError,
  TakeOutcome,
} from './peer-api';
import { PeerClient } from './peer-client';

const SECRET = 'peer-secret-0123456789abcdef';
const shape = aShape();

describe('PeerClient', () => {
  let server: InternalServer;
  let handlers: FakeHandlers;
  let address: string;
  const client = new PeerClient(new ClusterAuth(SECRET), 500);

  beforeAll(async () => {
    handlers = new FakeHandlers();
    server = new InternalServer(new ClusterAuth(SECRET), handlers, () => undefined, 1024);
    address = `127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });

  afterAll(() => server.close());

  it('speaks every route of the pod-to-pod API with InternalServer', async () => {
    handlers.handoffReply = { outcome: HandoffOutcome.Moved, room: shape };
    expect(await client.handoff(address, ROOM, { to: 'pod-2', notAt: 'pod-3' })).toEqual(
      handlers.handoffReply,
    );
    expect(await client.adopt(address, { from: 'pod-1', rooms: [shape] })).toEqual([ROOM]);
    expect(await client.room(address, ROOM)).toBeUndefined();
    expect(await client.rooms(address, 'p2p')).toEqual([]);
    handlers.closeOutcome = CloseOutcome.Forbidden;
    expect(await client.close(address, ROOM, hashJoinToken('x'))).toBe(CloseOutcome.Forbidden);
    await client.putStandbys(address, {
      from: 'pod-1',
      boot: 'ab'.repeat(16),
      rooms: [shape],
      dropped: [],
    });
    expect(await client.peekStandby(address, ROOM)).toBeUndefined();
    handlers.takeReply = { outcome: TakeOutcome.OwnerMismatch, owner: 'pod-4' };
    expect(await client.takeStandby(address, ROOM, 'pod-1')).toEqual(handlers.takeReply);
    expect(await client.stats(address)).toEqual({ pod: 'fake' });
    expect(handlers.calls.map((c) => c[0])).toEqual([
      'handoff',
      'adopt',
      'room',
      'rooms',
      'close',
      'standby-put',
      'standby-peek',
      'standby-take',
      'stats',
    ]);
  });

  it('no answer in time, or a refused connection: PeerUnreachableError', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    await expect(client.stats(`127.0.0.1:${port}`)).rejects.toBeInstanceOf(PeerUnreachableError);
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
    await expect(client.stats(`127.0.0.1:${port}`)).rejects.toBeInstanceOf(PeerUnreachableError);
  });

  it('an answer the API does not define: PeerProtocolError, never a guess', async () => {
    const liar: Server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"room":{"roomId":"x"}}'),
    );
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    const at = `127.0.0.1:${(liar.address() as AddressInfo).port}`;
    await expect(client.handoff(at, ROOM, { to: 'pod-2' })).rejects.toBeInstanceOf(
      PeerProtocolError,
    );
    await expect(
      client.putStandbys(at, { from: 'p', boot: 'ab'.repeat(16), rooms: [], dropped: [] }),
    ).rejects.toBeInstanceOf(PeerProtocolError);
    liar.closeAllConnections();
    await new Promise<void>((r) => liar.close(() => r()));
  });
});
