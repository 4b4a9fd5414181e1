/**
 * Headless Chromium (Debian's, driven by playwright-core) with a fake camera (a test pattern), a
 * fake microphone (a beep) and a fake screen to share, and no permission prompts: what every call
 * test (client, widget, admin) launches.
 */
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchWithFakeMedia(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
}
