/**
 * `AnochatWidget.init` options, as in seed 000 (`apiBaseUrl`, `mode`, `title`, `container`,
 * `roomId`, `joinToken`, `isP2PGuest`) plus Nullroom's own (`onionBaseUrl`, `inviteUrl`,
 * `maxFileBytes`). Validation is eager and synchronous so a misconfigured page fails in `init`,
 * with the bad option named, instead of later in the chat.
 */
import { isValidRoomId } from '@nullroom/protocol';

export type WidgetMode = 'p2p' | 'support';

export interface WidgetOptions {
  /** The relay, e.g. `https://relay.example.com`. REST and the WebSocket both go there. */
  readonly apiBaseUrl: string;
  /** The relay's onion address, used instead of apiBaseUrl when the page itself is on .onion. */
  readonly onionBaseUrl?: string;
  readonly mode?: WidgetMode;
  readonly title?: string;
  /** An element, or a CSS selector for one. */
  readonly container: HTMLElement | string;
  readonly roomId?: string;
  readonly joinToken?: string;
  /** A p2p guest joins an existing room (roomId + joinToken from an invite link). */
  readonly isP2PGuest?: boolean;
  /** Where invite links point (the fragment `#roomId=…&joinToken=…` is appended). */
  readonly inviteUrl?: string;
  /** Largest file a user may send; default 25 MiB. */
  readonly maxFileBytes?: number;
  /** Voice and video calls (when the relay allows them); default true. */
  readonly calls?: boolean;
  /** Start with "hide my address" on: call media only through the relay's TURN server. */
  readonly hideAddress?: boolean;
}

export interface ResolvedOptions {
  readonly baseUrl: string;
  readonly mode: WidgetMode;
  readonly title: string;
  readonly container: HTMLElement;
  readonly roomId: string | undefined;
  readonly joinToken: string | undefined;
  readonly isP2PGuest: boolean;
  readonly inviteUrl: string;
  readonly maxFileBytes: number;
  readonly calls: boolean;
  readonly hideAddress: boolean;
}

export const DEFAULT_TITLE = 'Encrypted chat';
export const DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024;
const MAX_TITLE_LENGTH = 80;

/** Thrown by `init` for bad options; the message names the option. */
export class WidgetOptionsError extends TypeError {
  constructor(message: string) {
    super(`AnochatWidget.init: ${message}`);
    this.name = 'WidgetOptionsError';
  }
}

export interface Environment {
  readonly hostname: string;
  readonly href: string;
  readonly query: (selector: string) => Element | null;
  readonly isElement: (value: unknown) => value is HTMLElement;
}

export function browserEnvironment(): Environment {
  return {
    hostname: location.hostname,
    href: location.href,
    query: (selector) => document.querySelector(selector),
    isElement: (value): value is HTMLElement => value instanceof HTMLElement,
  };
}

export function resolveOptions(input: unknown, env: Environment): ResolvedOptions {
  if (typeof input !== 'object' || input === null)
    throw new WidgetOptionsError('options: expected an object like { apiBaseUrl, container }');
  const o = input as Record<string, unknown>;
  const known = new Set([
    'apiBaseUrl',
    'onionBaseUrl',
    'mode',
    'title',
    'container',
    'roomId',
    'joinToken',
    'isP2PGuest',
    'inviteUrl',
    'maxFileBytes',
    'calls',
    'hideAddress',
  ]);
  for (const key of Object.keys(o)) {
    if (key === 'apiKey' || key === 'ANOCHAT_API_KEY')
      throw new WidgetOptionsError(
        `${key}: never put the relay API key in a page; create rooms on your backend and pass roomId + joinToken`,
      );
    if (!known.has(key)) throw new WidgetOptionsError(`${key}: unknown option`);
  }

  const apiBaseUrl = httpUrl(o.apiBaseUrl, 'apiBaseUrl', true)!;
  const onionBaseUrl = httpUrl(o.onionBaseUrl, 'onionBaseUrl', false);
  if (onionBaseUrl !== undefined && !new URL(onionBaseUrl).hostname.endsWith('.onion'))
    throw new WidgetOptionsError('onionBaseUrl: must be a .onion address');

  const mode = o.mode ?? 'p2p';
  if (mode !== 'p2p' && mode !== 'support')
    throw new WidgetOptionsError(`mode: must be "p2p" or "support", got ${describe(mode)}`);

  const title = o.title ?? DEFAULT_TITLE;
  if (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE_LENGTH)
    throw new WidgetOptionsError(
      `title: must be a non-empty string of at most ${MAX_TITLE_LENGTH}`,
    );

  let container: HTMLElement;
  if (typeof o.container === 'string') {
    let found: Element | null;
    try {
      found = env.query(o.container);
    } catch {
      throw new WidgetOptionsError(`container: "${o.container}" is not a valid CSS selector`);
    }
    if (!env.isElement(found))
      throw new WidgetOptionsError(`container: no element matches "${o.container}"`);
    container = found;
  } else if (env.isElement(o.container)) {
    container = o.container;
  } else {
    throw new WidgetOptionsError('container: required, an HTMLElement or a CSS selector');
  }

  const roomId = o.roomId;
  const joinToken = o.joinToken;
  if (roomId !== undefined && !isValidRoomId(roomId))
    throw new WidgetOptionsError('roomId: not a room id returned by POST /rooms');
  if (joinToken !== undefined && (typeof joinToken !== 'string' || joinToken === ''))
    throw new WidgetOptionsError('joinToken: must be a non-empty string');
  if (joinToken !== undefined && roomId === undefined)
    throw new WidgetOptionsError('joinToken: given without roomId');
  if (o.isP2PGuest !== undefined && typeof o.isP2PGuest !== 'boolean')
    throw new WidgetOptionsError('isP2PGuest: must be a boolean');
  const isP2PGuest = o.isP2PGuest === true;
  if (isP2PGuest && mode !== 'p2p') throw new WidgetOptionsError('isP2PGuest: only for mode "p2p"');
  if (mode === 'p2p' && roomId !== undefined && joinToken === undefined)
    throw new WidgetOptionsError('joinToken: required with roomId in mode "p2p"');
  if (isP2PGuest && roomId === undefined)
    throw new WidgetOptionsError('roomId: required when isP2PGuest is true (from the invite link)');

  const inviteUrl = httpUrl(o.inviteUrl, 'inviteUrl', false) ?? env.href.replace(/#.*$/, '');
  const maxFileBytes = o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (typeof maxFileBytes !== 'number' || !Number.isInteger(maxFileBytes) || maxFileBytes < 1)
    throw new WidgetOptionsError('maxFileBytes: must be a positive integer');

  for (const name of ['calls', 'hideAddress'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean')
      throw new WidgetOptionsError(`${name}: must be a boolean`);
  }

  return {
    baseUrl: pickBaseUrl(apiBaseUrl, onionBaseUrl, env.hostname),
    mode,
    title: title.trim(),
    container,
    roomId,
    joinToken,
    isP2PGuest,
    inviteUrl,
    maxFileBytes,
    calls: o.calls !== false,
    hideAddress: o.hideAddress === true,
  };
}

/**
 * Seed 000's dual URLs: a page opened over Tor (its host ends in .onion) talks to the relay's
 * onion service, so the connection never leaves Tor; everything else uses the clearnet URL.
 */
export function pickBaseUrl(
  apiBaseUrl: string,
  onionBaseUrl: string | undefined,
  pageHostname: string,
): string {
  return onionBaseUrl !== undefined && /\.onion\.?$/i.test(pageHostname)
    ? onionBaseUrl
    : apiBaseUrl;
}

function httpUrl(value: unknown, name: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '')
    throw new WidgetOptionsError(
      `${name}: required, the relay URL, e.g. "https://relay.example.com"`,
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WidgetOptionsError(`${name}: "${value}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new WidgetOptionsError(`${name}: must be http(s), got ${url.protocol}`);
  return url.toString().replace(/\/$/, '');
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : typeof value;
}

/** Reads `#roomId=…&joinToken=…` from an invite link's fragment (never sent to any server). */
export function readInvite(
  hash: string,
): { readonly roomId: string; readonly joinToken: string } | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const roomId = params.get('roomId');
  const joinToken = params.get('joinToken');
  return roomId !== null && joinToken !== null && isValidRoomId(roomId) && joinToken !== ''
    ? { roomId, joinToken }
    : undefined;
}

export function inviteLink(base: string, roomId: string, joinToken: string): string {
  const params = new URLSearchParams({ roomId, joinToken });
  return `${base.replace(/#.*$/, '')}#${params.toString()}`;
}
