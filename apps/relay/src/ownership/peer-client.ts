import { type RoomHandoff, type RoomView } from '../rooms/rooms.service';
import { CLUSTER_AUTH_HEADER, type ClusterAuth } from './cluster-auth';

export type HandoffReply =
  | { readonly status: 'moved'; readonly room: RoomHandoff }
  | { readonly status: 'busy' }
  /** The room just moved from that pod to `owner` (a concurrent claim won): ask `owner`. */
  | { readonly status: 'moved-away'; readonly owner: string }
  | { readonly status: 'missing' };

export class PeerUnreachableError extends Error {
  override readonly name = 'PeerUnreachableError';
}

/**
 * Pod-to-pod calls on the internal port: authenticated, bounded by a timeout, and never carrying
 * anything to a log. `address` is the peer's host:port from the directory.
 */
export class PeerClient {
  constructor(
    private readonly auth: ClusterAuth,
    private readonly timeoutMs: number,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async handoff(address: string, roomId: string, toPod: string): Promise<HandoffReply> {
    const res = await this.call(
      address,
      'POST',
      `/internal/rooms/${roomId}/handoff?to=${encodeURIComponent(toPod)}`,
    );
    if (res.status === 200) return { status: 'moved', room: (await res.json()) as RoomHandoff };
    if (res.status === 409) return { status: 'busy' };
    if (res.status === 404) return { status: 'missing' };
    if (res.status === 410)
      return { status: 'moved-away', owner: ((await res.json()) as { owner: string }).owner };
    throw new PeerUnreachableError(`handoff answered ${res.status}`);
  }

  async rooms(address: string, mode?: string): Promise<RoomView[]> {
    const res = await this.call(
      address,
      'GET',
      `/internal/rooms${mode === undefined ? '' : `?mode=${mode}`}`,
    );
    if (res.status !== 200) throw new PeerUnreachableError(`rooms answered ${res.status}`);
    return ((await res.json()) as { rooms: RoomView[] }).rooms;
  }

  async room(address: string, roomId: string): Promise<RoomView | undefined> {
    const res = await this.call(address, 'GET', `/internal/rooms/${roomId}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new PeerUnreachableError(`room answered ${res.status}`);
    return (await res.json()) as RoomView;
  }

  /**
   * Closes a room on its owner. `joinToken` is passed when the caller could not authenticate the
   * request by API key: the owner, which holds the token, checks it.
   */
  async close(
    address: string,
    roomId: string,
    joinToken: string | undefined,
  ): Promise<'closed' | 'forbidden' | 'missing'> {
    const headers: Record<string, string> =
      joinToken === undefined ? {} : { 'x-join-token': joinToken };
    const res = await this.call(address, 'DELETE', `/internal/rooms/${roomId}`, headers);
    if (res.status === 200) return 'closed';
    if (res.status === 403) return 'forbidden';
    if (res.status === 404) return 'missing';
    throw new PeerUnreachableError(`close answered ${res.status}`);
  }

  /** Replaces this pod's standby copies on a peer (one request per peer per refresh). */
  async putStandbys(
    address: string,
    fromPod: string,
    rooms: readonly RoomHandoff[],
    dropped: readonly string[],
  ): Promise<void> {
    const path = `/internal/standby?from=${encodeURIComponent(fromPod)}`;
    const res = await this.call(
      address,
      'POST',
      path,
      { 'content-type': 'application/json' },
      JSON.stringify({ rooms, dropped }),
    );
    if (res.status !== 204) throw new PeerUnreachableError(`standby answered ${res.status}`);
  }

  /** Asks a peer for its standby copy of a room whose owner died. */
  async takeStandby(
    address: string,
    roomId: string,
  ): Promise<{ handoff: RoomHandoff; owner: string } | undefined> {
    const res = await this.call(address, 'POST', `/internal/standby/${roomId}/take`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new PeerUnreachableError(`standby take answered ${res.status}`);
    return (await res.json()) as { handoff: RoomHandoff; owner: string };
  }

  async stats(address: string): Promise<Record<string, unknown>> {
    const res = await this.call(address, 'GET', '/internal/stats');
    if (res.status !== 200) throw new PeerUnreachableError(`stats answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  private async call(
    address: string,
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Response> {
    try {
      return await this.fetchFn(`http://${address}${path}`, {
        method,
        ...(body === undefined ? {} : { body }),
        headers: { ...headers, [CLUSTER_AUTH_HEADER]: this.auth.sign(method, path) },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new PeerUnreachableError('peer unreachable');
    }
  }
}
