import { type RoomMode } from '@nullroom/protocol';
import { type JoinTokenHash } from '../rooms/join-token';
import { type RoomView } from '../rooms/rooms.service';
import { CLUSTER_AUTH_HEADER, type ClusterAuth } from './cluster-auth';
import {
  type AdoptRequest,
  closeOutcomeOf,
  type CloseOutcome,
  decodeAdoptReply,
  decodeHandoffReply,
  decodeRoomView,
  decodeRoomViews,
  decodeStandbyInfo,
  decodeTakeReply,
  encodeHandoffRequest,
  type HandoffReply,
  type HandoffRequest,
  InternalPath,
  MAX_INTERNAL_BODY_BYTES,
  PeerProtocolError,
  type Peers,
  PeerUnreachableError,
  type StandbyBatch,
  type StandbyInfo,
  type TakeReply,
} from './peer-api';

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Pod-to-pod calls on the internal port, over HTTP: each request signed as a whole, bounded by
 * CLUSTER_REQUEST_TIMEOUT_MS, its answer decoded with peer-api.ts (anything undocumented is a
 * PeerProtocolError, never a guess), and nothing ever written to a log.
 */
export class PeerClient implements Peers {
  constructor(
    private readonly auth: ClusterAuth,
    private readonly timeoutMs: number,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async handoff(address: string, roomId: string, request: HandoffRequest): Promise<HandoffReply> {
    const answer = await this.call(
      address,
      'POST',
      InternalPath.handoff(roomId),
      encodeHandoffRequest(request),
    );
    return decoded(decodeHandoffReply(answer.status, answer.body), 'handoff', answer);
  }

  async adopt(address: string, request: AdoptRequest): Promise<string[]> {
    const answer = await this.call(address, 'POST', InternalPath.adopt, request);
    return decoded(decodeAdoptReply(answer.status, answer.body), 'adopt', answer);
  }

  async rooms(address: string, mode?: RoomMode): Promise<RoomView[]> {
    const answer = await this.call(address, 'GET', InternalPath.rooms(mode));
    return decoded(
      answer.status === 200 ? decodeRoomViews(answer.body) : undefined,
      'rooms',
      answer,
    );
  }

  async room(address: string, roomId: string): Promise<RoomView | undefined> {
    const answer = await this.call(address, 'GET', InternalPath.room(roomId));
    if (answer.status === 404) return undefined;
    return decoded(answer.status === 200 ? decodeRoomView(answer.body) : undefined, 'room', answer);
  }

  /** `tokenHash`: the caller had a join token, not a key; the owner checks its hash. */
  async close(
    address: string,
    roomId: string,
    tokenHash: JoinTokenHash | undefined,
  ): Promise<CloseOutcome> {
    const answer = await this.call(
      address,
      'POST',
      InternalPath.close(roomId),
      tokenHash === undefined ? {} : { tokenHash },
    );
    return decoded(closeOutcomeOf(answer.status), 'close', answer);
  }

  async putStandbys(address: string, batch: StandbyBatch): Promise<void> {
    const answer = await this.call(
      address,
      'POST',
      `${InternalPath.standby}?from=${encodeURIComponent(batch.from)}`,
      batch,
    );
    if (answer.status !== 204) throw new PeerProtocolError(`standby answered ${answer.status}`);
  }

  async peekStandby(address: string, roomId: string): Promise<StandbyInfo | undefined> {
    const answer = await this.call(address, 'GET', InternalPath.standbyOne(roomId));
    const info = decoded(decodeStandbyInfo(answer.status, answer.body), 'standby', answer);
    return info === 'none' ? undefined : info;
  }

  async takeStandby(address: string, roomId: string, owner: string): Promise<TakeReply> {
    const answer = await this.call(address, 'POST', InternalPath.standbyTake(roomId), { owner });
    return decoded(decodeTakeReply(answer.status, answer.body), 'standby take', answer);
  }

  async stats(address: string): Promise<Record<string, unknown>> {
    const answer = await this.call(address, 'GET', InternalPath.stats);
    const body = answer.body;
    if (answer.status !== 200 || typeof body !== 'object' || body === null || Array.isArray(body))
      throw new PeerProtocolError(`stats answered ${answer.status}`);
    return body as Record<string, unknown>;
  }

  private async call(
    address: string,
    method: 'GET' | 'POST',
    target: string,
    json?: unknown,
  ): Promise<Answer> {
    const body = json === undefined ? '' : JSON.stringify(json);
    let res: Response;
    try {
      res = await this.fetchFn(`http://${address}${target}`, {
        method,
        ...(json === undefined ? {} : { body }),
        headers: {
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
          [CLUSTER_AUTH_HEADER]: this.auth.sign(method, target, body),
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new PeerUnreachableError('peer unreachable');
    }
    let text: string;
    try {
      text = await res.text();
    } catch {
      throw new PeerUnreachableError('peer answer cut short');
    }
    if (text.length > MAX_INTERNAL_BODY_BYTES) throw new PeerProtocolError('answer too large');
    if (text === '') return { status: res.status, body: {} };
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      throw new PeerProtocolError(`${method} answered ${res.status} without JSON`);
    }
  }
}

function decoded<T>(value: T | undefined, what: string, answer: Answer): T {
  if (value === undefined) throw new PeerProtocolError(`${what} answered ${answer.status}`);
  return value;
}
