/**
 * A support call in headless Chromium (fake devices) through the real relay and a real coturn:
 * a visitor opens the widget's support chat, the agent joins from the dashboard and calls, the
 * visitor accepts in the widget, both see each other's camera, the visitor shares a screen, the
 * agent hangs up. Screenshots of both ends at desktop and 360 px in test/screenshots/.
 */
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
// The relay's own test helpers start the built relay and a real coturn (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { Coturn } from '../../relay/test/support/coturn';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startRelay, type RelayProcess } from '../../relay/test/support/relay-process';
// The widget's and the dashboard's browser tests share their Chromium set-up.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { browserSuite, FAKE_MEDIA_ARGS, launchChromium } from '../../widget/test/support/browser';

const ADMIN_KEY = 'admin-call-e2e-key-0123456789abcdef';
const SECRET = 'admin-call-turn-secret-0123456789';
const SHOTS = join(__dirname, 'screenshots');
const ADMIN_DIST = join(__dirname, '..', 'dist', 'browser');

browserSuite('admin dashboard: calling a support visitor', () => {
  let coturn: Coturn;
  let relay: RelayProcess;
  let browser: Browser;

  beforeAll(async () => {
    coturn = await Coturn.start({ secret: SECRET });
    relay = await startRelay({
      ANOCHAT_ADMIN_KEY: ADMIN_KEY,
      TURN_URLS: coturn.url,
      TURN_SECRET: SECRET,
    });
    browser = await launchChromium(
      [[join(ADMIN_DIST, 'index.html'), 'nx run admin:build']],
      SHOTS,
      FAKE_MEDIA_ARGS,
    );
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    await coturn?.stop();
  });

  async function videoPlaying(page: Page, selector: string, inShadow: boolean): Promise<void> {
    await page.waitForFunction(
      ([sel, shadow]) => {
        const root = shadow
          ? document.querySelector('[data-nullroom-widget]')?.shadowRoot
          : document;
        const v = root?.querySelector<HTMLVideoElement>(sel);
        return v !== null && v !== undefined && v.readyState >= 2 && v.videoWidth > 0;
      },
      [selector, inShadow] as const,
      { timeout: 20_000 },
    );
  }

  it('the agent calls, the visitor accepts in the widget, cameras and a screen share flow, hang up', async () => {
    const problems: string[] = [];
    const visitor = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    const agent = await (
      await browser.newContext({ viewport: { width: 1280, height: 1000 } })
    ).newPage();
    for (const p of [visitor, agent]) {
      p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      p.on('console', (m) => {
        // The browser asks for /favicon.ico by itself; the relay has none.
        if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico'))
          problems.push(`console: ${m.text()} (${m.location().url})`);
      });
    }
    await visitor.goto(`${relay.baseUrl}/widget/#mode=support&title=Help%20desk`);
    await visitor
      .locator('.notice', { hasText: 'Waiting for support' })
      .waitFor({ timeout: 15_000 });
    const roomId = new URLSearchParams(new URL(visitor.url()).hash.slice(1)).get('roomId')!;
    // The visitor of a support room answers calls; it does not start them.
    await expect(visitor.locator('.call-start-buttons').isVisible()).resolves.toBe(false);

    await agent.goto(`${relay.baseUrl}/admin/`);
    await agent.getByTestId('admin-key').fill(ADMIN_KEY);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.locator(`tr[data-room-id="${roomId}"]`).getByTestId('join-room').click();
    await agent.getByTestId('connection-state').getByText('Encrypted').waitFor({ timeout: 15_000 });
    await agent.getByTestId('call-video').waitFor();
    await agent.waitForFunction(
      () => !document.querySelector<HTMLButtonElement>('[data-testid="call-video"]')?.disabled,
    );
    await agent.screenshot({ path: join(SHOTS, 'call-1-ready.png') });

    await agent.getByTestId('call-video').click();
    await agent.getByTestId('call-status').getByText('Calling the visitor').waitFor();
    const banner = visitor.locator('.call-banner[data-kind="incoming"]');
    await banner.waitFor({ timeout: 10_000 });
    await expect(banner.textContent()).resolves.toContain(
      'Incoming video call from Support · admin-',
    );
    await visitor.setViewportSize({ width: 360, height: 740 });
    await visitor.screenshot({ path: join(SHOTS, 'call-2-visitor-ringing-360.png') });
    await visitor.setViewportSize({ width: 1280, height: 800 });

    await visitor.getByRole('button', { name: 'Accept' }).click();
    await agent
      .getByTestId('call-status')
      .getByText('In call with the visitor')
      .waitFor({ timeout: 20_000 });
    await videoPlaying(agent, '.call-tile:not(.self) video', false);
    await videoPlaying(visitor, '.tile[data-self="false"] video', true);

    // The visitor shares a screen; the agent sees it lead.
    await visitor.getByRole('button', { name: 'Share screen' }).click();
    await videoPlaying(agent, '.call-tile.screen video', false);
    await agent.screenshot({ path: join(SHOTS, 'call-3-agent-screen-share.png') });
    await visitor.screenshot({ path: join(SHOTS, 'call-4-visitor-in-call.png') });
    // Phone width: the call panel fits its card (the dashboard around it is a desktop layout).
    await agent.setViewportSize({ width: 360, height: 900 });
    const panel = agent.getByTestId('call-panel');
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(SHOTS, 'call-5-agent-360.png') });
    const overflow = await panel.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBe(0);
    await agent.setViewportSize({ width: 1280, height: 1000 });

    // Mute on the agent's side shows on the visitor's tile of the agent.
    await agent.getByRole('button', { name: 'Mute' }).click();
    await visitor.locator('.tile[data-self="false"] .flag.muted').waitFor({ timeout: 10_000 });

    await agent.getByRole('button', { name: 'Hang up' }).click();
    await agent.getByTestId('call-notice').getByText('You left the call.').waitFor();
    await visitor.locator('.sys', { hasText: 'The call ended: everyone else left.' }).waitFor();
    await expect(agent.getByTestId('call-stage').count()).resolves.toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);
});
