import { type IncomingMessage } from 'node:http';

/**
 * The address rate limits count against. With TRUST_PROXY=n the relay believes the last n hops of
 * X-Forwarded-For (each proxy appends the address it saw, so the n-th entry from the right is
 * what our outermost trusted proxy saw; anything left of it is client-supplied and spoofable).
 * The result is only ever used as input to an HMAC, never stored or logged.
 */
export function clientAddress(req: IncomingMessage, trustProxyHops: number): string {
  const direct = req.socket.remoteAddress ?? 'unknown';
  if (trustProxyHops <= 0) return direct;
  const header = req.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined || value.trim() === '') return direct;
  const hops = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const index = hops.length - trustProxyHops;
  return hops[Math.max(0, index)] ?? direct;
}
