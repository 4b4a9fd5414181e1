/**
 * Debian's Chromium for every browser test (CHROMIUM_PATH to use another), and the flags it
 * needs here. Kept with the relay's test helpers because every project's tests already use
 * them (libs/client, apps/widget and apps/admin), so no project has to depend on another's.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** No sandbox (containers), no GPU, no phoning home. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

/** For call tests: a fake camera (a test pattern), microphone (a beep) and screen, no prompts. */
export const FAKE_MEDIA_ARGS: readonly string[] = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
