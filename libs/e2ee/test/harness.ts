/**
 * A runner-agnostic test suite: cases are plain async functions with a tiny assertion kit, so the
 * very same cases run under Jest in Node (node.spec.ts) and in headless Chromium (browser.spec.ts
 * bundles them with esbuild). Nothing here may touch Node built-ins.
 */
import { E2eeError } from '../src';

export interface TestCase {
  readonly name: string;
  readonly run: () => Promise<void>;
}

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function equal<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected)
    throw new AssertionError(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

export function notEqual<T>(actual: T, expected: T, what: string): void {
  if (actual === expected)
    throw new AssertionError(`${what}: expected a different value than ${String(expected)}`);
}

export function bytesEq(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const a = Array.from(actual).join(',');
  const b = Array.from(expected).join(',');
  if (a !== b) throw new AssertionError(`${what}: bytes differ`);
}

/** Asserts an error is the given class with the given code (typed failure, not a crash). */
export function isError(
  error: unknown,
  type: abstract new (...args: never[]) => E2eeError,
  code: string | undefined,
  what: string,
): void {
  check(error instanceof type, `${what}: expected ${type.name}, got ${describe(error)}`);
  check(error instanceof E2eeError, `${what}: not an E2eeError`);
  if (code !== undefined) equal(error.code, code, `${what} code`);
  check((error as Error).name === type.name, `${what}: name is not set`);
}

export async function rejects(
  fn: () => Promise<unknown>,
  check: (error: unknown) => void,
): Promise<void> {
  try {
    await fn();
  } catch (error) {
    check(error);
    return;
  }
  throw new AssertionError('expected a rejection');
}

function describe(error: unknown): string {
  if (error instanceof E2eeError) return `${error.name}(${error.code}): ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
