/** Waiting for one CodeRoomLink event in a test, with a deadline that is cleared either way. */
import { type CodeRoomLink, type CodeRoomLinkEvents } from '../src';

export function nextEvent<K extends keyof CodeRoomLinkEvents>(
  link: CodeRoomLink,
  event: K,
  timeoutMs = 10_000,
): Promise<CodeRoomLinkEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const off = link.once(event, (payload) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}
