import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Identity } from '@nullroom/e2ee';

/**
 * The CLI's device identity: a 32-byte Ed25519 seed in a file only its owner can read. WebCrypto
 * can't export a non-extractable key, so a terminal client that wants stable safety numbers has
 * to keep the seed itself; the browser keeps its CryptoKey in IndexedDB instead.
 */
export async function loadIdentity(file: string): Promise<Identity> {
  let seed: Uint8Array;
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/i.test(text)) throw new RangeError(`${file}: not a 32-byte hex seed`);
    seed = Uint8Array.from(Buffer.from(text, 'hex'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    seed = randomBytes(32);
    await writeFile(file, `${Buffer.from(seed).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  try {
    return await Identity.fromSeed(seed);
  } finally {
    seed.fill(0);
  }
}
