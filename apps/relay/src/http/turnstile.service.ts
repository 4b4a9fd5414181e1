import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { type RelayConfig } from '../config/config';

/**
 * Cloudflare Turnstile server-side verification for POST /rooms. The client address is not sent
 * (the siteverify `remoteip` field is optional) so that no IP leaves the relay.
 * https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 */
export class TurnstileService {
  constructor(
    private readonly config: RelayConfig['turnstile'],
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  async verify(token: string | undefined): Promise<void> {
    if (!this.config.enabled) return;
    if (token === undefined || token === '' || token.length > 2048) {
      throw new RelayError(RelayErrorCode.TurnstileFailed, 'Turnstile token missing or invalid');
    }
    let outcome: unknown;
    try {
      const response = await this.fetchFn(this.config.verifyUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ secret: this.config.secretKey, response: token }).toString(),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      outcome = await response.json();
    } catch {
      throw new RelayError(
        RelayErrorCode.TurnstileUnavailable,
        'Turnstile verification is unavailable, try again',
        5,
      );
    }
    const success =
      typeof outcome === 'object' &&
      outcome !== null &&
      (outcome as { success?: unknown }).success === true;
    if (!success) {
      throw new RelayError(RelayErrorCode.TurnstileFailed, 'Turnstile verification failed');
    }
  }
}
