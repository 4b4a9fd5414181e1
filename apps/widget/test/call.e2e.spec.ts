/**
 * The widget's call UI in headless Chromium (fake camera, microphone and screen) through the real
 * relay and a real coturn: ringing, answering, video tiles, mute, screen share, hang-up, and the
 * "hide my address" switch. Screenshots at desktop and phone width go to test/screenshots/.
 */
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
// The relay's own test helpers start the built relay and a real coturn (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { Coturn } from '../../relay/test/support/coturn';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startRelay, type RelayProcess } from '../../relay/test/support/relay-process';
import { browserSuite, FAKE_MEDIA_ARGS, launchChromium } from './support/browser';

const DIST = join(__dirname, '..', 'dist');
const SHOTS = join(__dirname, 'screenshots');
const SECRET = 'widget-call-turn-secret-0123456789';

browserSuite('widget calls in headless Chromium', () => {
  let coturn: Coturn;
  let relay: RelayProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    coturn = await Coturn.start({ secret: SECRET });
    relay = await startRelay({ TURN_URLS: coturn.url, TURN_SECRET: SECRET });
    browser = await launchChromium(
      [[join(DIST, 'anochat-widget.js'), 'nx run widget:build']],
      SHOTS,
      FAKE_MEDIA_ARGS,
    );
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await relay?.stop();
    await coturn?.stop();
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  async function newPage(width: number, height: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  async function ready(page: Page): Promise<void> {
    await page.locator('.state[data-state="ready"]').waitFor({ timeout: 15_000 });
  }

  /** Every camera tile of the others shows playing video. */
  async function videoPlaying(page: Page, tiles: number): Promise<void> {
    await page.waitForFunction(
      (n) => {
        const root = document.querySelector('[data-nullroom-widget]')?.shadowRoot;
        const videos = [
          ...(root?.querySelectorAll('.tile[data-self="false"][data-video="true"] video') ?? []),
        ] as HTMLVideoElement[];
        return videos.length >= n && videos.every((v) => v.readyState >= 2 && v.videoWidth > 0);
      },
      tiles,
      { timeout: 20_000 },
    );
  }

  it('p2p: a video call rings, is answered, shows both cameras, mutes, shares a screen, hangs up', async () => {
    const host = await newPage(1280, 800);
    await host.goto(`${relay.baseUrl}/widget/#mode=p2p&title=Team%20chat`);
    await host.locator('.invite-url').waitFor({ timeout: 15_000 });
    await ready(host);
    const invite = await host.locator('.invite-url').inputValue();
    const guest = await newPage(1280, 800);
    await guest.goto(invite);
    await ready(guest);
    const start = host.getByRole('button', { name: 'Start a video call' });
    await expect(start.isEnabled()).resolves.toBe(true);
    await host.screenshot({ path: join(SHOTS, 'call-start-buttons.png') });

    await start.click();
    await host.locator('.call-status', { hasText: 'Calling' }).waitFor({ timeout: 10_000 });
    const banner = guest.locator('.call-banner[data-kind="incoming"]');
    await banner.waitFor({ timeout: 10_000 });
    await expect(banner.textContent()).resolves.toMatch(/Incoming video call from Peer · \w{6}/);
    await guest.screenshot({ path: join(SHOTS, 'call-incoming.png') });
    await guest.setViewportSize({ width: 360, height: 740 });
    await guest.screenshot({ path: join(SHOTS, 'call-incoming-360.png') });
    await guest.setViewportSize({ width: 1280, height: 800 });

    await guest.getByRole('button', { name: 'Accept' }).click();
    await videoPlaying(host, 1);
    await videoPlaying(guest, 1);
    await host.locator('.call-status', { hasText: 'In call · 2 people' }).waitFor();

    // Mute on the host: the guest sees it on the host's tile.
    await host.getByRole('button', { name: 'Mute' }).click();
    await guest.locator('.tile[data-self="false"] .flag.muted').waitFor({ timeout: 10_000 });
    await expect(
      host.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed'),
    ).resolves.toBe('true');

    // A screen share appears on the guest as a wide tile.
    await host.getByRole('button', { name: 'Share screen' }).click();
    await guest.locator('.tile[data-kind="screen"]').waitFor({ timeout: 15_000 });
    await guest.waitForFunction(
      () => {
        const root = document.querySelector('[data-nullroom-widget]')?.shadowRoot;
        const v = root?.querySelector<HTMLVideoElement>('.tile[data-kind="screen"] video');
        return v !== null && v !== undefined && v.readyState >= 2 && v.videoWidth > 0;
      },
      undefined,
      { timeout: 20_000 },
    );
    await guest.screenshot({ path: join(SHOTS, 'call-screen-share.png') });
    await host.screenshot({ path: join(SHOTS, 'call-active.png') });
    await guest.setViewportSize({ width: 360, height: 740 });
    await guest.screenshot({ path: join(SHOTS, 'call-screen-share-360.png') });
    const overflow = await guest.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await host.getByRole('button', { name: 'Stop sharing' }).click();
    await guest.locator('.tile[data-kind="screen"]').waitFor({ state: 'detached' });
    await guest.screenshot({ path: join(SHOTS, 'call-active-360.png') });

    // Hang up: the call ends on both sides, and each says so in the log.
    await guest.getByRole('button', { name: 'Hang up' }).click();
    await host.locator('.sys', { hasText: 'The call ended: everyone else left.' }).waitFor();
    await guest.locator('.sys', { hasText: 'You left the call.' }).waitFor();
    await expect(host.locator('.call-stage').isVisible()).resolves.toBe(false);
    await expect(start.isVisible()).resolves.toBe(true);
    await host.context().close();
    await guest.context().close();
  }, 120_000);

  it('voice call with "hide my address": relay-only through the TURN server, declined and redialled', async () => {
    const host = await newPage(460, 720);
    await host.goto(`${relay.baseUrl}/widget/#mode=p2p`);
    await host.locator('.invite-url').waitFor({ timeout: 15_000 });
    await ready(host);
    const guest = await newPage(460, 720);
    await guest.goto(await host.locator('.invite-url').inputValue());
    await ready(guest);

    // The switch lives with the safety numbers (the privacy settings of this chat).
    await host.getByRole('button', { name: 'Verify' }).click();
    const hide = host.getByLabel('Hide my address in calls');
    await expect(hide.isEnabled()).resolves.toBe(true);
    await hide.check();
    await host.screenshot({ path: join(SHOTS, 'call-hide-address.png') });
    await host.getByRole('button', { name: 'Verify' }).click();

    await host.getByRole('button', { name: 'Start a voice call' }).click();
    await guest.locator('.call-banner[data-kind="incoming"]', { hasText: 'voice call' }).waitFor();
    await guest.getByRole('button', { name: 'Decline' }).click();
    await host.locator('.sys', { hasText: 'The call was declined.' }).waitFor({ timeout: 10_000 });

    await host.getByRole('button', { name: 'Start a voice call' }).click();
    await guest.getByRole('button', { name: 'Accept' }).click();
    await host
      .locator('.call-status', {
        hasText: 'In call · 2 people · end-to-end encrypted · address hidden',
      })
      .waitFor({ timeout: 20_000 });
    // No camera: initials instead of video.
    await expect(host.locator('.tile[data-self="false"] .tile-avatar').isVisible()).resolves.toBe(
      true,
    );
    await host.screenshot({ path: join(SHOTS, 'call-voice.png') });
    await host.getByRole('button', { name: 'Hang up' }).click();
    await guest.locator('.sys', { hasText: 'The call ended' }).waitFor();
    await host.context().close();
    await guest.context().close();
  }, 90_000);
});
