import { type ClientEvents, type NullroomClient } from '../src';

/** Resolves with the next `event` of `client` that satisfies `predicate`, or fails after `timeoutMs`. */
export function waitFor<K extends keyof ClientEvents>(
  client: NullroomClient,
  event: K,
  predicate: (payload: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, timeoutMs);
    const off = client.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}
