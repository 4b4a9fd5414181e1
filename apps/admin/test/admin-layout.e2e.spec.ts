/**
 * The dashboard as support staff meet it (issue 13), in headless Chromium against real relays: a
 * phone (360 px) where every control is on screen and not covered, the three ways a support room
 * ends told apart in the chat panel (closed, expired, destroyed), and WCAG AA contrast of every
 * text in the light and the dark theme. Screenshots at desktop and 360 px land in
 * apps/admin/test/screenshots/ (gitignored).
 */
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createRoom, NullroomClient } from '@nullroom/client';
// Test helpers of the relay and the widget (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startRelay, type RelayProcess } from '../../relay/test/support/relay-process';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { browserSuite, launchChromium } from '../../widget/test/support/browser';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { contrastFailures } from '../../widget/test/support/contrast';
import { solidPng } from './support/png';

const ADMIN_KEY = 'admin-layout-key-0123456789abcdef';
const API_KEY = 'admin-layout-api-key-0123456789';
const SHOTS = join(__dirname, 'screenshots');
const ADMIN_DIST = join(__dirname, '..', 'dist', 'browser');

browserSuite('admin dashboard at phone width, close reasons and contrast', () => {
  let relay: RelayProcess;
  let shortIdle: RelayProcess; // rooms expire after 3 s idle
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const clients: NullroomClient[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium([[join(ADMIN_DIST, 'index.html'), 'nx run admin:build']], SHOTS);
    const env = { ANOCHAT_ADMIN_KEY: ADMIN_KEY, ANOCHAT_API_KEY: API_KEY };
    [relay, shortIdle] = await Promise.all([
      startRelay(env),
      startRelay({ ...env, ROOM_MAX_IDLE_MS: '3000' }),
    ]);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    await Promise.all([relay?.stop(), shortIdle?.stop()]);
  });

  afterEach(() => expect(problems.splice(0)).toEqual([]));

  async function signedIn(
    on: RelayProcess,
    options: { width?: number; dark?: boolean } = {},
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: 900 },
      colorScheme: options.dark ? 'dark' : 'light',
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(`${on.baseUrl}/admin/`);
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('stats').getByText('Support rooms').waitFor();
    return page;
  }

  async function visitor(on: RelayProcess, clientId: string) {
    const room = await createRoom(on.baseUrl, API_KEY, 'support');
    const client = new NullroomClient({
      url: on.baseUrl,
      roomId: room.roomId,
      clientId,
      reconnect: false,
    });
    clients.push(client);
    await client.connect();
    return { room, client };
  }

  async function joinRoom(page: Page, roomId: string): Promise<void> {
    await page.locator(`tr[data-room-id="${roomId}"]`).getByTestId('join-room').click();
    await page.getByTestId('connection-state').getByText('Encrypted').waitFor({ timeout: 15_000 });
  }

  /** Each control is inside the viewport and is what a tap at its centre hits. */
  async function reachable(page: Page, testIds: string[]): Promise<void> {
    for (const testId of testIds) {
      const target = page.getByTestId(testId).first();
      await target.scrollIntoViewIfNeeded();
      const hit = await target.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const x = r.left + r.width / 2;
        const y = r.top + r.height / 2;
        const top = document.elementFromPoint(x, y);
        return {
          inside: r.left >= 0 && r.right <= window.innerWidth && r.width > 0,
          hit: top === el || el.contains(top),
        };
      });
      expect({ testId, ...hit }).toEqual({ testId, inside: true, hit: true });
    }
    // Nothing sticks out to the right (the page would scroll sideways).
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter(
          (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5,
        )
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`)
        .slice(0, 5),
    );
    expect(wide).toEqual([]);
  }

  it('works at 360 px: list, Join, Close, the chat and its Send and Close room, all on screen', async () => {
    const { room, client } = await visitor(relay, 'visitor-narrow');
    const page = await signedIn(relay, { width: 360 });
    const row = page.locator(`tr[data-room-id="${room.roomId}"]`);
    await row.waitFor();
    await reachable(page, ['join-room', 'close-room', 'forget-key']);
    await page.screenshot({ path: join(SHOTS, 'narrow-1-list.png'), fullPage: true });
    await joinRoom(page, room.roomId);
    await client.sendText('Hello from a phone-sized test.');
    await page.getByTestId('messages').getByText('Hello from a phone-sized test.').waitFor();
    await page.getByTestId('message-input').fill('Typed on a phone.');
    await reachable(page, ['message-input', 'send', 'leave-room', 'chat-close-room']);
    await page.screenshot({ path: join(SHOTS, 'narrow-2-chat.png'), fullPage: true });
    const heard = new Promise<string>((resolve) => client.on('message', (m) => resolve(m.text)));
    await page.getByTestId('send').click();
    expect(await heard).toBe('Typed on a phone.');
    await page.getByTestId('chat-close-room').click();
    await page.getByTestId('close-dialog').waitFor({ state: 'visible' });
    await reachable(page, ['confirm-close']);
    await page.screenshot({ path: join(SHOTS, 'narrow-3-dialog.png') });
    await page.getByTestId('confirm-close').click();
    await page.getByTestId('chat-ended').getByText('The room was closed.').waitFor();
  }, 60_000);

  it('tells closed, expired and destroyed apart in the chat panel (desktop and 360 px)', async () => {
    // Expired: nobody writes for ROOM_MAX_IDLE_MS (3 s on this relay).
    const idle = await visitor(shortIdle, 'visitor-idle');
    const page = await signedIn(shortIdle);
    await joinRoom(page, idle.room.roomId);
    await page
      .getByTestId('chat-ended')
      .getByText('The room expired after being idle too long.')
      .waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, 'ended-expired.png') });
    await page.setViewportSize({ width: 360, height: 900 });
    await page.screenshot({ path: join(SHOTS, 'ended-expired-360.png'), fullPage: true });

    // Destroyed: a third participant tries to join the support room the admin is in.
    const other = await signedIn(relay);
    const target = await visitor(relay, 'visitor-destroyed');
    await joinRoom(other, target.room.roomId);
    const intruder = new NullroomClient({
      url: relay.baseUrl,
      roomId: target.room.roomId,
      reconnect: false,
    });
    clients.push(intruder);
    void intruder.connect().catch(() => undefined);
    await other
      .getByTestId('chat-ended')
      .getByText('The room was destroyed: a third participant tried to join.')
      .waitFor({ timeout: 15_000 });
    await other.screenshot({ path: join(SHOTS, 'ended-destroyed.png') });
    await other.setViewportSize({ width: 360, height: 900 });
    await other.screenshot({ path: join(SHOTS, 'ended-destroyed-360.png'), fullPage: true });

    // Closed by someone else (DELETE /rooms/:id with the API key), not by this dashboard.
    const closedRoom = await visitor(relay, 'visitor-closed');
    await other.getByRole('button', { name: 'Dismiss' }).click();
    await other.getByRole('button', { name: 'Refresh' }).click();
    await joinRoom(other, closedRoom.room.roomId);
    await fetch(`${relay.baseUrl}/rooms/${closedRoom.room.roomId}`, {
      method: 'DELETE',
      headers: { 'x-api-key': API_KEY },
    });
    await other.getByTestId('chat-ended').getByText('The room was closed.').waitFor();
    await other.screenshot({ path: join(SHOTS, 'ended-closed-360.png'), fullPage: true });
  }, 90_000);

  for (const dark of [false, true]) {
    const theme = dark ? 'dark' : 'light';
    it(`every text meets WCAG AA contrast in the ${theme} theme (sign-in, list, chat, ended)`, async () => {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        colorScheme: dark ? 'dark' : 'light',
      });
      contexts.push(context);
      const signIn = await context.newPage();
      await signIn.goto(`${relay.baseUrl}/admin/`);
      await signIn.getByTestId('admin-key').fill('not-the-key');
      await signIn.getByRole('button', { name: 'Sign in' }).click();
      await signIn.getByTestId('sign-in-error').waitFor();
      expect({ state: 'sign-in', failures: await contrastFailures(signIn) }).toEqual({
        state: 'sign-in',
        failures: [],
      });

      const { room, client } = await visitor(relay, `visitor-${theme}`);
      const page = await signedIn(relay, { dark });
      await page.locator(`tr[data-room-id="${room.roomId}"]`).waitFor();
      expect({ state: 'list', failures: await contrastFailures(page) }).toEqual({
        state: 'list',
        failures: [],
      });
      await joinRoom(page, room.roomId);
      await client.sendText('A question from the visitor.');
      await client.sendFile(solidPng(40, [52, 86, 209]), {
        name: 'photo.png',
        mime: 'image/png',
        preview: null,
      });
      await client.sendFile(new TextEncoder().encode('order 1234'), {
        name: 'order.txt',
        mime: 'text/plain',
      });
      await page.getByText('order.txt').waitFor();
      await page.getByTestId('message-input').fill('An answer.');
      await page.getByTestId('send').click();
      await page.getByTestId('messages').getByText('An answer.').waitFor();
      await client.setTyping(true);
      await page.getByTestId('typing').getByText('Visitor is typing').waitFor();
      expect({ state: 'chat', failures: await contrastFailures(page) }).toEqual({
        state: 'chat',
        failures: [],
      });
      await page.screenshot({ path: join(SHOTS, `contrast-${theme}.png`) });
      await fetch(`${relay.baseUrl}/rooms/${room.roomId}`, {
        method: 'DELETE',
        headers: { 'x-api-key': API_KEY },
      });
      await page.getByTestId('chat-ended').waitFor();
      expect({ state: 'ended', failures: await contrastFailures(page) }).toEqual({
        state: 'ended',
        failures: [],
      });
    }, 60_000);
  }
});
