import { Injectable } from '@angular/core';
import { AdminApiError, errorFromResponse, unreachable } from './admin-api-error';

/** One support room as GET /admin/api/support-rooms lists it. */
export interface SupportRoom {
  readonly roomId: string;
  readonly mode: 'support' | 'p2p';
  readonly participants: number;
  readonly maxParticipants: number;
  readonly createdAt: string;
  readonly lastActivityAt: string;
}

/** GET /admin/api/stats: counts per pod; `cluster` only in cluster mode. */
export interface PodStats {
  readonly pod?: string;
  readonly uptimeSeconds?: number;
  readonly draining?: boolean;
  readonly standbyRooms?: number;
  readonly rooms?: {
    readonly total?: number;
    readonly p2p?: number;
    readonly support?: number;
    readonly created?: number;
    readonly closed?: number;
    readonly max?: number;
  };
  readonly connections?: {
    readonly open?: number;
    readonly forwarded?: number;
    readonly total?: number;
    readonly max?: number;
  };
  readonly participants?: number;
  readonly frames?: { readonly in?: number; readonly out?: number };
  readonly bytes?: { readonly in?: number; readonly out?: number };
  readonly memory?: { readonly rssBytes?: number; readonly heapUsedBytes?: number };
}

export interface RelayStats extends PodStats {
  readonly cluster?: { readonly directory?: string; readonly pods?: readonly PodStats[] };
}

/**
 * The seed-000 admin API on this origin (relative URLs: the page lives at /admin/, the API at
 * /admin/api/). Every call carries `X-Admin-Key`; failures become an {@link AdminApiError}.
 */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  health(key: string): Promise<{ ok: boolean }> {
    return this.call(key, 'GET', 'health');
  }

  async supportRooms(key: string): Promise<readonly SupportRoom[]> {
    const body = await this.call<{ rooms?: SupportRoom[] }>(key, 'GET', 'support-rooms');
    return body.rooms ?? [];
  }

  stats(key: string): Promise<RelayStats> {
    return this.call(key, 'GET', 'stats');
  }

  closeRoom(key: string, roomId: string): Promise<{ closed: boolean }> {
    return this.call(key, 'DELETE', `rooms/${encodeURIComponent(roomId)}`);
  }

  private async call<T>(key: string, method: 'GET' | 'DELETE', path: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(`api/${path}`, document.baseURI), {
        method,
        headers: { 'x-admin-key': key, accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw unreachable();
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw errorFromResponse(res.status, body);
    if (body === undefined) {
      // A 200 without JSON: something other than the relay answered (a proxy's error page).
      throw new AdminApiError(
        'unreachable',
        res.status,
        'The relay answered with something unexpected.',
      );
    }
    return body as T;
  }
}
