import type { Request } from 'express';
import { secretEquals } from '../common/secrets';

/** The API key as the seed accepts it: `X-API-Key: <key>` or `Authorization: Bearer <key>`. */
export function presentedApiKey(req: Request): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(auth);
    if (match) return match[1]!.trim();
  }
  return undefined;
}

/** Seed 000: protected routes need the key only when ANOCHAT_API_KEY is set. */
export function apiKeyAccepted(req: Request, configuredKey: string): boolean {
  return configuredKey === '' || secretEquals(presentedApiKey(req), configuredKey);
}
