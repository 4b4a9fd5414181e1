/**
 * The three ways a room ends reach the SDK as three close codes, through the real relay: the
 * ROOM_CLOSED frame's reason picks the code (4000 closed, 4001 expired, 4002 destroyed), so apps
 * can tell a visitor what happened instead of "closed" for everything.
 */
import { CloseCode } from '@nullroom/protocol';
import { existsSync } from 'node:fs';
import { createRoom, NullroomClient, closeMeaning, CloseMeaning } from '../src';
// The relay's own test helper starts the built relay as `npm start` would (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  RELAY_MAIN,
  startRelay,
  type RelayProcess,
} from '../../../apps/relay/test/support/relay-process';

function closedWith(client: NullroomClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.on('closed', resolve));
}

describe('room end reasons through the real relay', () => {
  let relay: RelayProcess;
  const clients: NullroomClient[] = [];
  const client = (roomId: string, joinToken?: string): NullroomClient => {
    const c = new NullroomClient({
      url: relay.baseUrl,
      roomId,
      ...(joinToken ? { joinToken } : {}),
      reconnect: false,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    if (!existsSync(RELAY_MAIN)) throw new Error(`build the relay first: ${RELAY_MAIN}`);
    // Rooms idle for 1.5 s expire (the sweep runs every 150 ms).
    relay = await startRelay({ ROOM_MAX_IDLE_MS: '1500', RATE_LIMIT_WS_CONNECT_MAX: '0' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await relay.stop();
  });

  it('DELETE /rooms/:id → 4000 for every member', async () => {
    const room = await createRoom(relay.baseUrl, undefined, 'p2p');
    const a = client(room.roomId, room.joinToken);
    const b = client(room.roomId, room.joinToken);
    await Promise.all([a.connect(), b.connect()]);
    const ends = [closedWith(a), closedWith(b)];
    const res = await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, {
      method: 'DELETE',
      headers: { 'x-join-token': room.joinToken! },
    });
    expect(res.status).toBe(200);
    for (const end of await Promise.all(ends)) {
      expect(end).toEqual({ code: CloseCode.ROOM_CLOSED, reason: 'closed' });
    }
    await expect(a.ready()).rejects.toMatchObject({ closeCode: CloseCode.ROOM_CLOSED });
  });

  it('idle past ROOM_MAX_IDLE_MS → 4001', async () => {
    const room = await createRoom(relay.baseUrl, undefined, 'p2p');
    const a = client(room.roomId, room.joinToken);
    await a.connect();
    const end = await closedWith(a);
    expect(end).toEqual({ code: CloseCode.ROOM_EXPIRED, reason: 'expired' });
    expect(closeMeaning(end.code)).toBe(CloseMeaning.ROOM_EXPIRED);
  });

  it('a third join to a support room → 4002 for both members', async () => {
    const room = await createRoom(relay.baseUrl, undefined, 'support');
    const visitor = client(room.roomId);
    const agent = client(room.roomId);
    await Promise.all([visitor.connect(), agent.connect()]);
    const ends = [closedWith(visitor), closedWith(agent)];
    const intruder = client(room.roomId);
    const refused = closedWith(intruder);
    void intruder.connect().catch(() => undefined);
    for (const end of await Promise.all(ends)) {
      expect(end).toEqual({ code: CloseCode.ROOM_DESTROYED, reason: 'destroyed' });
    }
    expect((await refused).code).toBe(CloseCode.ROOM_DESTROYED);
  });
});
