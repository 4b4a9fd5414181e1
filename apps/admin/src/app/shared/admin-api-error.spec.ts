import { errorFromResponse, unreachable } from './admin-api-error';

describe('admin API errors', () => {
  it('maps relay answers to what the dashboard does about them', () => {
    expect(errorFromResponse(401, { error: 'unauthorized' }).kind).toBe('unauthorized');
    expect(errorFromResponse(401, { error: 'unauthorized' }).message).toBe('Wrong admin key.');
    expect(errorFromResponse(403, { error: 'admin_disabled' }).kind).toBe('disabled');
    expect(errorFromResponse(403, { error: 'forbidden' }).kind).toBe('http');
    expect(errorFromResponse(404, { error: 'room_not_found' }).kind).toBe('not-found');
    expect(errorFromResponse(429, undefined).kind).toBe('rate-limited');
    expect(errorFromResponse(502, 'Bad Gateway').kind).toBe('unreachable');
    expect(errorFromResponse(500, undefined).message).toBe('The relay answered HTTP 500.');
    expect(unreachable().kind).toBe('unreachable');
  });
});
