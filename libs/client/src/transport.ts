/**
 * The WebSocket as the client sees it. Browsers and Node 24 both have a global `WebSocket`
 * (WHATWG), so one transport serves both; tests inject a factory. Browsers can't set headers on
 * a WebSocket, so everything (room, client id, join token, optional API key) goes in the query
 * string, as in seed 000.
 */
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketFactory = (url: string) => SocketLike;

export const OPEN = 1;

export const globalWebSocket: WebSocketFactory = (url) => {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (Ctor === undefined)
    throw new TypeError('WebSocket: no global WebSocket here; pass options.webSocket');
  return new Ctor(url);
};

export interface ConnectParams {
  readonly roomId: string;
  readonly clientId: string;
  readonly joinToken?: string;
  readonly apiKey?: string;
}

/** ws(s)://host/ws?roomId=…&clientId=…&joinToken=… from an http(s) or ws(s) base URL. */
export function buildWsUrl(base: string, params: ConnectParams): string {
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new RangeError('url: must be http(s) or ws(s)');
  if (!url.pathname.endsWith('/ws')) url.pathname = `${url.pathname.replace(/\/$/, '')}/ws`;
  url.searchParams.set('roomId', params.roomId);
  url.searchParams.set('clientId', params.clientId);
  if (params.joinToken) url.searchParams.set('joinToken', params.joinToken);
  if (params.apiKey) url.searchParams.set('apiKey', params.apiKey);
  return url.toString();
}

/** Normalizes what a WebSocket delivers (ArrayBuffer, a view, or a text string) to bytes or text. */
export function messageData(data: unknown): Uint8Array | string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
