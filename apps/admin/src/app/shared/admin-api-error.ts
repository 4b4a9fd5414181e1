/** Why an admin API call failed, in terms the dashboard can act on. */
export type AdminApiErrorKind =
  | 'unauthorized' // 401: wrong or missing admin key
  | 'disabled' // 403 admin_disabled: ANOCHAT_ADMIN_KEY is empty
  | 'not-found' // 404: the room is gone
  | 'rate-limited' // 429
  | 'unreachable' // no answer, or a proxy saying the relay is down
  | 'http'; // anything else

export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';
  constructor(
    readonly kind: AdminApiErrorKind,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Maps an HTTP answer (status and the relay's `{error, message}` body) to an error. */
export function errorFromResponse(status: number, body: unknown): AdminApiError {
  const code =
    typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : '';
  if (status === 401) return new AdminApiError('unauthorized', status, 'Wrong admin key.');
  if (status === 403 && code === 'admin_disabled') {
    return new AdminApiError(
      'disabled',
      status,
      'The admin API is disabled on this relay: set ANOCHAT_ADMIN_KEY.',
    );
  }
  if (status === 404) return new AdminApiError('not-found', status, 'Not found: the room is gone.');
  if (status === 429) {
    return new AdminApiError('rate-limited', status, 'Too many requests: try again in a moment.');
  }
  if (status === 502 || status === 503 || status === 504) {
    return new AdminApiError('unreachable', status, `The relay is unavailable (HTTP ${status}).`);
  }
  return new AdminApiError('http', status, `The relay answered HTTP ${status}.`);
}

export function unreachable(): AdminApiError {
  return new AdminApiError(
    'unreachable',
    0,
    'The relay is unreachable. Check the network or that the relay is running.',
  );
}
