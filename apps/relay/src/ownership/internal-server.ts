import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { assertUnreachable } from '../common/relay.exception';
import { CLUSTER_AUTH_HEADER, type ClusterAuth } from './cluster-auth';
import { decodeForwardedJoin, type ForwardedJoin } from './forwarded-join';
import {
  closeStatus,
  decodeAdoptRequest,
  decodeCloseRequest,
  decodeHandoffRequest,
  decodeInternalRoute,
  decodeStandbyBatch,
  decodeTakeRequest,
  encodeHandoffReply,
  encodeTakeReply,
  handoffStatus,
  type InternalHandlers,
  type InternalRoute,
  InternalPath,
  MAX_INTERNAL_BODY_BYTES,
  takeStatus,
} from './peer-api';

/** Where a forwarded member goes once its upgrade is authenticated (RelayGateway). */
export type ForwardedMemberSink = (
  ws: WebSocket,
  join: ForwardedJoin,
  headers: IncomingMessage['headers'],
) => void;

/**
 * The internal listener (INTERNAL_PORT): what other pods call, routes and answers as peer-api.ts
 * defines them. Plain node:http: nothing here is for browsers or the public API. Every request is
 * read whole (bounded), then authenticated as a whole (ClusterAuth: method, target, body, time,
 * nonce) before anything is decoded; a forwarded member's upgrade likewise.
 */
export class InternalServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly extraRoutes: Array<(req: IncomingMessage, res: ServerResponse) => boolean> = [];

  constructor(
    private readonly auth: ClusterAuth,
    private readonly handlers: InternalHandlers,
    private readonly forwarded: ForwardedMemberSink,
    maxFrameBytes: number,
  ) {
    // The forwarding pod already enforced the frame size; allow its own small margin.
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: maxFrameBytes + 512,
    });
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket: Socket, head) => this.upgrade(req, socket, head));
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

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const target = req.url ?? '/';
    const url = new URL(target, 'http://internal.invalid');
    const join =
      url.pathname === InternalPath.ws ? decodeForwardedJoin(url.searchParams) : undefined;
    if (
      req.method !== 'GET' ||
      !this.auth.verify(req.headers[CLUSTER_AUTH_HEADER], 'GET', target) ||
      join === undefined
    ) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.forwarded(ws, join, req.headers));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    for (const route of this.extraRoutes) if (route(req, res)) return;
    // A header that can't be right (malformed, outside the time window) is refused before the
    // body is read: nobody without the secret gets the server to buffer anything.
    if (!this.auth.plausible(req.headers[CLUSTER_AUTH_HEADER])) {
      res.setHeader('connection', 'close');
      return send(res, 401, { error: 'unauthorized', message: 'cluster authentication failed' });
    }
    void readBody(req, MAX_INTERNAL_BODY_BYTES).then((body) => {
      if (body !== undefined) return this.answer(req, res, body);
      res.setHeader('connection', 'close');
      res.once('finish', () => req.socket.destroy());
      send(res, 413, { error: 'payload_too_large', message: 'body too large' });
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    if (!this.auth.verify(req.headers[CLUSTER_AUTH_HEADER], method, target, body)) {
      return send(res, 401, { error: 'unauthorized', message: 'cluster authentication failed' });
    }
    const url = new URL(target, 'http://internal.invalid');
    const route = decodeInternalRoute(method, url.pathname);
    if (route === undefined)
      return send(res, 404, { error: 'not_found', message: 'no such route' });
    let json: unknown = {};
    if (body.length > 0) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return send(res, 400, { error: 'invalid_json', message: 'body is not JSON' });
      }
    }
    this.dispatch(route, url, json).then(
      ([status, answer]) => send(res, status, answer),
      () => send(res, 500, { error: 'internal_error', message: 'internal error' }),
    );
  }

  /** Route → handler → [status, body], every status from peer-api's mappers. */
  private async dispatch(
    route: InternalRoute,
    url: URL,
    body: unknown,
  ): Promise<[number, unknown]> {
    const bad: [number, unknown] = [400, { error: 'invalid_request', message: 'invalid body' }];
    switch (route.kind) {
      case 'handoff': {
        const request = decodeHandoffRequest(body);
        if (request === undefined) return bad;
        const reply = await this.handlers.handoff(route.roomId, request);
        return [handoffStatus(reply.outcome), encodeHandoffReply(reply)];
      }
      case 'adopt': {
        const request = decodeAdoptRequest(body);
        if (request === undefined) return bad;
        return [200, { adopted: await this.handlers.adopt(request) }];
      }
      case 'rooms': {
        const mode = url.searchParams.get('mode');
        const known = mode === 'p2p' || mode === 'support' || mode === 'code';
        const rooms = this.handlers.rooms(known ? mode : undefined);
        return [200, { rooms }];
      }
      case 'room': {
        const view = this.handlers.room(route.roomId);
        return view === undefined
          ? [404, { error: 'room_not_found', message: 'room not found' }]
          : [200, view];
      }
      case 'close': {
        const request = decodeCloseRequest(body);
        if (request === undefined) return bad;
        const outcome = this.handlers.close(route.roomId, request.tokenHash);
        return [closeStatus(outcome), { outcome }];
      }
      case 'standby-put': {
        const batch = decodeStandbyBatch(body);
        if (batch === undefined) return bad;
        this.handlers.putStandbys(batch);
        return [204, undefined];
      }
      case 'standby-list':
        return [200, { standbys: this.handlers.listStandbys() }];
      case 'standby-peek': {
        const info = this.handlers.peekStandby(route.roomId);
        return info === undefined
          ? [404, { error: 'room_not_found', message: 'no standby' }]
          : [200, info];
      }
      case 'standby-take': {
        const request = decodeTakeRequest(body);
        if (request === undefined) return bad;
        const reply = this.handlers.takeStandby(route.roomId, request.owner);
        return [takeStatus(reply.outcome), encodeTakeReply(reply)];
      }
      case 'stats':
        return [200, this.handlers.stats()];
      default:
        return assertUnreachable(route);
    }
  }
}

/** The whole body, or undefined once it passes `limit` (the rest is not kept). Never rejects. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
