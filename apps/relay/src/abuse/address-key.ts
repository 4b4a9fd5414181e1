import { createHmac, randomBytes } from 'node:crypto';

/**
 * What rate-limit maps are keyed by instead of a client address: an HMAC under a random
 * per-process secret, so even a heap dump does not list who connected, and nothing outlives the
 * process.
 */
export class AddressKeys {
  private readonly secret = randomBytes(32);

  of(...parts: string[]): string {
    const hmac = createHmac('sha256', this.secret);
    for (const [i, part] of parts.entries()) {
      if (i > 0) hmac.update('\0');
      hmac.update(part);
    }
    return hmac.digest('base64url');
  }
}
