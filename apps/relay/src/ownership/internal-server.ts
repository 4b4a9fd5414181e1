import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { isValidRoomId } from '@nullroom/protocol';
import { secretEquals } from '../common/secrets';
import { type RelayGateway } from '../gateway/relay.gateway';
import { type RoomHandoff, type RoomsService } from '../rooms/rooms.service';
import { CLUSTER_AUTH_HEADER, type ClusterAuth } from './cluster-auth';
import { type OwnershipService } from './ownership.service';

/**
 * The internal listener (INTERNAL_PORT): what other pods call. Plain node:http, because nothing
 * here is for browsers or the public API, and every request is authenticated by ClusterAuth.
 *
 *   POST   /internal/rooms/:id/handoff?to=pod   an empty room moves to the claimer (200), or 409 busy
 *   GET    /internal/rooms[?mode=support]       this pod's rooms, for cluster-wide lists
 *   GET    /internal/rooms/:id                  one room's view
 *   DELETE /internal/rooms/:id                  close (the caller checked the API key, or passes X-Join-Token)
 *   GET    /internal/stats                      this pod's admin stats
 *   GET    /internal/ws?roomId=&clientId=…      a member forwarded by another pod (WebSocket)
 */
export class InternalServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private extraRoutes: Array<(req: IncomingMessage, res: ServerResponse) => boolean> = [];

  constructor(
    private readonly auth: ClusterAuth,
    private readonly rooms: RoomsService,
    private readonly ownership: OwnershipService,
    private readonly gateway: RelayGateway,
    private readonly stats: () => Record<string, unknown>,
    maxPayload: number,
  ) {
    // The forwarding pod already enforced the frame size; allow its own small margin.
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: maxPayload + 512,
    });
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://internal.invalid');
      if (
        url.pathname !== '/internal/ws' ||
        !this.auth.verify(req.headers[CLUSTER_AUTH_HEADER], 'GET', req.url ?? '')
      ) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) =>
        this.gateway.handleForwarded(ws, url.searchParams, req.headers),
      );
    });
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  /** Lets other modules (metrics) serve plain GETs here; they must do their own auth. */
  addRoute(route: (req: IncomingMessage, res: ServerResponse) => boolean): void {
    this.extraRoutes.push(route);
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    for (const route of this.extraRoutes) if (route(req, res)) return;
    const path = req.url ?? '/';
    if (!this.auth.verify(req.headers[CLUSTER_AUTH_HEADER], req.method ?? 'GET', path)) {
      return send(res, 401, { error: 'unauthorized', message: 'cluster authentication failed' });
    }
    const url = new URL(path, 'http://internal.invalid');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    if (parts[0] !== 'internal')
      return send(res, 404, { error: 'not_found', message: 'no such route' });
    const roomId = parts[2];
    if (parts[1] === 'stats' && req.method === 'GET') return send(res, 200, this.stats());
    if (parts[1] === 'standby') return this.standby(req, res, url, roomId);
    if (parts[1] !== 'rooms')
      return send(res, 404, { error: 'not_found', message: 'no such route' });
    if (roomId === undefined && req.method === 'GET') {
      const mode = url.searchParams.get('mode');
      const rooms = this.rooms.list(mode === 'p2p' || mode === 'support' ? mode : undefined);
      return send(res, 200, { rooms: rooms.map((r) => this.rooms.view(r)) });
    }
    if (roomId === undefined || !isValidRoomId(roomId)) {
      return send(res, 404, { error: 'room_not_found', message: 'room not found' });
    }
    if (parts[3] === 'handoff' && req.method === 'POST') {
      const result = this.rooms.handOff(roomId);
      const movedTo = result === undefined ? this.ownership.movedAway(roomId) : undefined;
      if (movedTo !== undefined) return send(res, 410, { error: 'moved', owner: movedTo });
      if (result === undefined)
        return send(res, 404, { error: 'room_not_found', message: 'room not found' });
      if (result === 'busy') return send(res, 409, { error: 'busy', message: 'room has members' });
      this.ownership.forget(roomId);
      this.ownership.recordMove(roomId, url.searchParams.get('to') ?? '');
      return send(res, 200, result);
    }
    const room = this.rooms.get(roomId);
    if (room === undefined)
      return send(res, 404, { error: 'room_not_found', message: 'room not found' });
    if (parts.length === 3 && req.method === 'GET') return send(res, 200, this.rooms.view(room));
    if (parts.length === 3 && req.method === 'DELETE') {
      const token = req.headers['x-join-token'];
      if (
        typeof token === 'string' &&
        !(room.joinToken !== undefined && secretEquals(token, room.joinToken))
      ) {
        return send(res, 403, { error: 'forbidden', message: 'invalid join token' });
      }
      this.rooms.end(room, 'closed');
      return send(res, 200, { closed: true, roomId: room.id });
    }
    return send(res, 404, { error: 'not_found', message: 'no such route' });
  }

  private standby(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    roomId: string | undefined,
  ): void {
    if (roomId === undefined && req.method === 'GET') {
      return send(res, 200, { standbys: this.ownership.standbyList() });
    }
    if (roomId === undefined && req.method === 'POST') {
      const from = url.searchParams.get('from') ?? '';
      readJson(req, MAX_STANDBY_BODY_BYTES).then(
        (body) => {
          const { rooms, dropped } = body as { rooms?: RoomHandoff[]; dropped?: string[] };
          this.ownership.acceptStandbys(
            from,
            Array.isArray(rooms) ? rooms : [],
            Array.isArray(dropped) ? dropped : [],
          );
          res.writeHead(204).end();
        },
        () => send(res, 400, { error: 'invalid_request', message: 'unreadable standby body' }),
      );
      return;
    }
    if (roomId !== undefined && isValidRoomId(roomId) && req.method === 'POST') {
      const taken = this.ownership.takeStandby(roomId);
      if (taken === undefined)
        return send(res, 404, { error: 'room_not_found', message: 'no standby' });
      return send(res, 200, taken);
    }
    send(res, 404, { error: 'not_found', message: 'no such route' });
  }
}

const MAX_STANDBY_BODY_BYTES = 8 * 1024 * 1024;

function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('invalid JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
