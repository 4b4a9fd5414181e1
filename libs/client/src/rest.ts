/**
 * The one REST call a chat client may need: creating a room (seed 000: POST /rooms with the API
 * key). Only for trusted code (a backend, the CLI, tests): the API key must never reach a page.
 */
import { HttpError } from './errors';

export interface CreatedRoom {
  readonly roomId: string;
  /** p2p rooms: what guests join with (seed 000). */
  readonly joinToken?: string;
  /** Support rooms (Nullroom): what the visitor joins with where REQUIRE_WS_API_KEY=1. */
  readonly visitorToken?: string;
}

export interface CreateRoomExtras {
  /** The Cloudflare Turnstile token, where the relay runs with TURNSTILE=1. */
  readonly turnstileToken?: string;
}

export async function createRoom(
  baseUrl: string,
  apiKey: string | undefined,
  mode: 'p2p' | 'support' = 'p2p',
  extras: CreateRoomExtras = {},
): Promise<CreatedRoom> {
  const url = new URL('/rooms', baseUrl.replace(/^ws/, 'http'));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers['x-api-key'] = apiKey;
  const body = {
    mode,
    ...(extras.turnstileToken === undefined ? {} : { turnstileToken: extras.turnstileToken }),
  };
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  if (!res.ok) throw new HttpError(res.status);
  const answer = (await res.json()) as {
    roomId?: unknown;
    joinToken?: unknown;
    visitorToken?: unknown;
  };
  if (typeof answer.roomId !== 'string') throw new TypeError('relay answered without a roomId');
  return {
    roomId: answer.roomId,
    ...(typeof answer.joinToken === 'string' ? { joinToken: answer.joinToken } : {}),
    ...(typeof answer.visitorToken === 'string' ? { visitorToken: answer.visitorToken } : {}),
  };
}
