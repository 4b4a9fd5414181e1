import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret with the expected one in time independent of where they differ.
 * Both sides are hashed first so that inputs of different lengths are compared in constant time
 * too (timingSafeEqual itself requires equal lengths and would leak the expected length).
 */
export function secretEquals(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || expected === '') return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
