/**
 * Headless Chromium for the widget's and the admin dashboard's browser tests: Debian's build
 * (CHROMIUM_PATH to use another), with the flags these machines need, after checking that what
 * the test loads was built. NULLROOM_SKIP_BROWSER=1 leaves the browser suites out.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { RELAY_MAIN } from '../../../relay/test/support/relay-process';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `describe`, or `describe.skip` where NULLROOM_SKIP_BROWSER=1. */
export const browserSuite = process.env.NULLROOM_SKIP_BROWSER === '1' ? describe.skip : describe;

/**
 * Fails with what to build when the relay or one of `builds` (file, build command) is missing,
 * creates the screenshot folder, and launches Chromium.
 */
export async function launchChromium(
  builds: ReadonlyArray<readonly [file: string, command: string]>,
  screenshots: string,
): Promise<Browser> {
  if (!existsSync(RELAY_MAIN)) throw new Error(`build the relay first: ${RELAY_MAIN} is missing`);
  for (const [file, command] of builds) {
    if (!existsSync(file)) throw new Error(`build it first: ${command} (${file} is missing)`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
