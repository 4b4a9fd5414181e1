/**
 * Creating a code room: POST /rooms {"mode":"code"}. The relay answers with the nameplate (the
 * public half of the code); the words are drawn here and never sent (makeCode joins the two).
 * Same auth as any POST /rooms: the API key where the relay has one (trusted code only), or none
 * on an open relay.
 */
import { isCodeRoomId, isValidNameplate } from '@nullroom/protocol';
import { HttpError } from '../errors';

export interface CreatedCodeRoom {
  readonly roomId: string;
  readonly nameplate: string;
  /** The members' token: the creator joins with it; admitted guests get it from the relay. */
  readonly joinToken: string;
  readonly maxParticipants: number;
}

export interface CreateCodeRoomOptions {
  readonly apiKey?: string;
  readonly maxParticipants?: number;
  readonly turnstileToken?: string;
}

export async function createCodeRoom(
  baseUrl: string,
  options: CreateCodeRoomOptions = {},
): Promise<CreatedCodeRoom> {
  const url = new URL('/rooms', baseUrl.replace(/^ws/, 'http'));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  const body = {
    mode: 'code',
    ...(options.maxParticipants === undefined ? {} : { maxParticipants: options.maxParticipants }),
    ...(options.turnstileToken === undefined ? {} : { turnstileToken: options.turnstileToken }),
  };
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  if (!res.ok) throw new HttpError(res.status);
  const created = (await res.json()) as Record<string, unknown>;
  const { roomId, nameplate, joinToken, maxParticipants } = created;
  if (
    !isCodeRoomId(roomId) ||
    !isValidNameplate(nameplate) ||
    typeof joinToken !== 'string' ||
    typeof maxParticipants !== 'number'
  )
    throw new TypeError('relay answered without a code room');
  return { roomId, nameplate, joinToken, maxParticipants };
}
