import { type IncomingMessage, type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * A local stand-in for Cloudflare's siteverify endpoint (the real one is not reachable here):
 * it checks the form the relay posts and answers like Cloudflare does.
 */
export function fakeSiteverify(): Promise<{
  server: Server;
  url: string;
  requests: URLSearchParams[];
}> {
  const requests: URLSearchParams[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push(form);
      const ok = form.get('secret') === 'ts-secret' && form.get('response') === 'good-token';
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          ok ? { success: true } : { success: false, 'error-codes': ['invalid-input-response'] },
        ),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/turnstile/v0/siteverify`, requests });
    }),
  );
}
