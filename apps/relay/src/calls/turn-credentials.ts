import { createHmac, randomBytes } from 'node:crypto';
import { type CallCredentials } from '@nullroom/protocol';
import { type Clock } from '../common/clock';
import { type RelayConfig } from '../config/config';

/**
 * Expiring TURN credentials in the form coturn checks with `use-auth-secret` +
 * `static-auth-secret` (the "TURN REST API", draft-uberti-behave-turn-rest-00 §2.2):
 *
 *   username   = <unix time the credential expires> ":" <random>
 *   credential = base64(HMAC-SHA1(TURN_SECRET, username))
 *
 * coturn recomputes the HMAC and refuses the credential once the time in the username has
 * passed, so nothing is shared between the relay and the TURN server but the secret. The random
 * part is 96 fresh bits per issue: it names nobody (no room, no client id), and two credentials
 * are never the same, so the TURN server can't link a member's calls through the username.
 */
export class TurnCredentials {
  private readonly urls: readonly string[];
  private readonly secret: string;
  private readonly ttlS: number;

  constructor(
    private readonly calls: RelayConfig['calls'],
    private readonly clock: Clock,
    private readonly random: (bytes: number) => Buffer = randomBytes,
  ) {
    this.urls = calls.turn.urls;
    this.secret = calls.turn.secret;
    this.ttlS = calls.turn.ttlS;
  }

  /** What CALL_CREDENTIALS carries: the URLs, and a fresh credential when there is a secret. */
  issue(): CallCredentials {
    const base = { urls: this.urls, maxParticipants: this.calls.maxParticipants };
    if (this.secret === '') return { ...base, ttlS: 0 };
    const expiry = Math.floor(this.clock.now() / 1000) + this.ttlS;
    const username = `${expiry}:${this.random(12).toString('base64url')}`;
    const credential = createHmac('sha1', this.secret).update(username).digest('base64');
    return { ...base, username, credential, ttlS: this.ttlS };
  }
}
