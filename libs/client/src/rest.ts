/**
 * The one REST call a chat client may need: creating a room (seed 000: POST /rooms with the API
 * key). Only for trusted code (a backend, the CLI, tests): the API key must never reach a page.
 */
import { HttpError } from './errors';

export interface CreatedRoom {
  readonly roomId: string;
  readonly joinToken?: string;
}

export async function createRoom(
  baseUrl: string,
  apiKey: string | undefined,
  mode: 'p2p' | 'support' = 'p2p',
): Promise<CreatedRoom> {
  const url = new URL('/rooms', baseUrl.replace(/^ws/, 'http'));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers['x-api-key'] = apiKey;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ mode }) });
  if (!res.ok) throw new HttpError(res.status);
  const body = (await res.json()) as { roomId?: unknown; joinToken?: unknown };
  if (typeof body.roomId !== 'string') throw new TypeError('relay answered without a roomId');
  return {
    roomId: body.roomId,
    ...(typeof body.joinToken === 'string' ? { joinToken: body.joinToken } : {}),
  };
}
