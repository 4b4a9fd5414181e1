// Environment knobs shared by the scenarios (k6 -e NAME=value or the process environment).
import http from 'k6/http';

export function num(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value))
    throw new Error(`${name} must be a number (got ${JSON.stringify(raw)})`);
  return value;
}

export function str(name, fallback) {
  const raw = __ENV[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** BASE_URL is the relay (or ingress) HTTP origin; the WebSocket endpoint is derived from it. */
export function target() {
  const protocol = str('PROTOCOL', 'nullroom');
  if (protocol !== 'nullroom' && protocol !== 'bare')
    throw new Error('PROTOCOL must be nullroom or bare');
  const base = str('BASE_URL', 'http://127.0.0.1:8765').replace(/\/$/, '');
  const wsBase = base.replace(/^http/, 'ws');
  return {
    protocol,
    base,
    apiKey: str('API_KEY', ''),
    /** WebSocket URL for one member. The bare baseline ignores room and token. */
    wsUrl(room, clientId) {
      if (protocol === 'bare') return `${wsBase}/?clientId=${clientId}`;
      return `${wsBase}/ws?roomId=${room.roomId}&clientId=${clientId}&joinToken=${room.joinToken}`;
    },
  };
}

/** POST /rooms; throws with the status on failure (setup aborts the run). */
export function createRoom(t, maxParticipants, tags) {
  const headers = { 'Content-Type': 'application/json' };
  if (t.apiKey !== '') headers['X-API-Key'] = t.apiKey;
  const res = http.post(`${t.base}/rooms`, JSON.stringify({ mode: 'p2p', maxParticipants }), {
    headers,
    tags: tags ?? { name: 'POST /rooms' },
  });
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(`POST /rooms answered ${res.status}`);
  }
  const body = res.json();
  return { roomId: body.roomId, joinToken: body.joinToken };
}

/**
 * Wall-clock ms when every VU starts sending: START_AT if the runner chose it (so it can line
 * up pod changes and CPU samples with the window), else CONNECT_S seconds from now.
 */
export function startAt(connectSeconds) {
  const fixed = num('START_AT', 0);
  return fixed > Date.now() ? fixed : Date.now() + connectSeconds * 1000;
}
