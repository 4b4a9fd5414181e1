/**
 * The dashboard in headless Chromium against the real relay: sign-in errors, the support room
 * list, joining a room and chatting end to end with a Node visitor (text both ways, typing, a
 * file each way, matching safety numbers), then closing the room from the dashboard.
 * Screenshots land in apps/admin/test/screenshots/ (gitignored) for people to look at.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { type ClientEvents, createRoom, NullroomClient } from '@nullroom/client';
// The relay's own test helper starts the built relay as `npm start` would (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startRelay, type RelayProcess } from '../../relay/test/support/relay-process';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { browserSuite, launchChromium } from '../../widget/test/support/browser';
import { solidPng } from './support/png';

const ADMIN_KEY = 'admin-e2e-key-0123456789abcdef';
const API_KEY = 'admin-e2e-api-key-0123456789';
const SHOTS = join(__dirname, 'screenshots');
const ADMIN_DIST = join(__dirname, '..', 'dist', 'browser');

function next<K extends keyof ClientEvents & string>(
  client: NullroomClient,
  event: K,
  accept: (e: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event in time`)), timeoutMs);
    const off = client.on(event, (e) => {
      if (!accept(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent())?.trim() ?? '';
}

browserSuite('admin dashboard in headless Chromium through the real relay', () => {
  let relay: RelayProcess;
  let browser: Browser;
  let visitor: NullroomClient | undefined;

  beforeAll(async () => {
    browser = await launchChromium([[join(ADMIN_DIST, 'index.html'), 'nx run admin:build']], SHOTS);
    relay = await startRelay({ ANOCHAT_ADMIN_KEY: ADMIN_KEY, ANOCHAT_API_KEY: API_KEY });
  }, 60_000);

  afterAll(async () => {
    visitor?.close();
    await browser?.close();
    await relay?.stop();
  });

  it('signs in, chats end to end with a visitor and closes the room', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // The browser logs the wrong key's 401 itself; anything else is a problem (CSP included).
      if (m.type() === 'error' && !m.text().includes('status of 401')) {
        problems.push(`console: ${m.text()}`);
      }
    });

    // --- sign in: a wrong key first -------------------------------------------------------
    // The relay serves this very build at /admin/ (ADMIN_UI_DIR's default), as `npm start` does.
    const served = await fetch(`${relay.baseUrl}/admin/`);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(readFileSync(join(ADMIN_DIST, 'index.html'), 'utf8'));
    await page.goto(`${relay.baseUrl}/admin/`);
    await page.getByTestId('admin-key').waitFor();
    await page.screenshot({ path: join(SHOTS, '1-sign-in.png') });
    await page.getByTestId('admin-key').fill('not-the-admin-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('sign-in-error').waitFor();
    expect(await text(page, 'sign-in-error')).toBe('Wrong admin key.');
    await page.screenshot({ path: join(SHOTS, '2-wrong-key.png') });

    // --- a visitor opens a support room (no join token: support rooms have none) ------------
    const room = await createRoom(relay.baseUrl, API_KEY, 'support');
    expect(room.joinToken).toBeUndefined();
    visitor = new NullroomClient({
      url: relay.baseUrl,
      roomId: room.roomId,
      clientId: 'visitor-1',
    });
    await visitor.connect();

    // --- the right key: the room is listed as waiting ---------------------------------------
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.locator(`tr[data-room-id="${room.roomId}"]`);
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toContain('Waiting');
    expect(await row.textContent()).toContain('1/2');
    await page.getByTestId('stats').getByText('Support rooms').waitFor();
    // The key lives in sessionStorage only.
    const storage = await page.evaluate(() => ({
      session: sessionStorage.getItem('nullroom.admin.key'),
      local: localStorage.length,
    }));
    expect(storage).toEqual({ session: ADMIN_KEY, local: 0 });
    await page.screenshot({ path: join(SHOTS, '3-room-list.png') });

    // --- join: both ends agree on the numbers -------------------------------------------------
    const adminJoined = next(visitor, 'epoch', (e) => e.members.length === 2);
    await row.getByTestId('join-room').click();
    const epoch = await adminJoined;
    const adminId = epoch.members.find((m) => m !== 'visitor-1')!;
    expect(adminId).toMatch(/^admin-[0-9a-f]+$/);
    await page.getByTestId('connection-state').getByText('Encrypted').waitFor();
    await page.waitForFunction(
      (fp) => document.querySelector('[data-testid="fingerprint"]')?.textContent?.trim() === fp,
      visitor.fingerprint(),
      { timeout: 15_000 },
    );
    const safety = await visitor.safetyNumber(adminId);
    expect(safety).toBeDefined();
    await page.waitForFunction(
      (sn) => document.querySelector('[data-testid="safety-number"]')?.textContent?.trim() === sn,
      safety,
      { timeout: 15_000 },
    );
    expect(await text(page, 'presence')).toContain('visitor-1');

    // --- messages both ways, typing, read receipts -------------------------------------------
    await visitor.setTyping(true);
    await page.getByTestId('typing').getByText('Visitor is typing').waitFor();
    await visitor.sendText('Hi, my order never arrived.');
    await page.getByTestId('messages').getByText('Hi, my order never arrived.').waitFor();
    expect(await text(page, 'typing')).toBe('');

    const typing = next(visitor, 'typing', (e) => e.from === adminId && e.active);
    const reply = next(visitor, 'message', (e) => e.from === adminId);
    await page.getByTestId('message-input').pressSequentially('Sorry! Let me check that for you.');
    expect((await typing).active).toBe(true);
    await page.getByTestId('send').click();
    const received = await reply;
    expect(received.text).toBe('Sorry! Let me check that for you.');
    await visitor.markRead(received.id);
    await page.getByTestId('read').waitFor();

    // --- a file each way ---------------------------------------------------------------------
    const photo = solidPng(48, [52, 86, 209]);
    await visitor.sendFile(photo, { name: 'receipt.png', mime: 'image/png', preview: null });
    const shown = page.getByTestId('messages').locator('img[alt="receipt.png"]');
    await shown.waitFor();
    // The received image really decoded in the page (a blob: URL, allowed by the CSP).
    await page.waitForFunction(
      () => document.querySelector<HTMLImageElement>('img[alt="receipt.png"]')?.naturalWidth === 48,
    );
    const fromAdmin = next(visitor, 'file', (e) => e.from === adminId);
    await page.getByTestId('file-input').setInputFiles({
      name: 'label.png',
      mimeType: 'image/png',
      buffer: Buffer.from(solidPng(32, [31, 138, 76])),
    });
    const file = await fromAdmin;
    expect(file.name).toBe('label.png');
    expect(Buffer.from(file.data).equals(Buffer.from(solidPng(32, [31, 138, 76])))).toBe(true);
    await page.getByText('label.png').waitFor();
    await page.screenshot({ path: join(SHOTS, '4-chat.png') });

    // --- close the room from the chat panel ----------------------------------------------------
    const closed = next(visitor, 'closed');
    await page.getByTestId('chat-close-room').click();
    await page.getByTestId('close-dialog').waitFor({ state: 'visible' });
    await page.screenshot({ path: join(SHOTS, '5-close-dialog.png') });
    await page.getByTestId('confirm-close').click();
    expect((await closed).code).toBe(4000);
    await page.getByTestId('chat-ended').getByText('The room was closed.').waitFor();
    await row.waitFor({ state: 'detached' });
    await page.getByTestId('no-rooms').waitFor();
    const listed = await fetch(`${relay.baseUrl}/admin/api/support-rooms`, {
      headers: { 'x-admin-key': ADMIN_KEY },
    });
    expect(await listed.json()).toEqual({ rooms: [] });
    await page.screenshot({ path: join(SHOTS, '6-closed.png') });

    // --- forget the key -------------------------------------------------------------------------
    await page.getByTestId('forget-key').click();
    await page.getByTestId('admin-key').waitFor();
    expect(await page.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);

    expect(problems).toEqual([]);

    // --- the relay goes away: the dashboard says so and keeps the key -------------------------
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('no-rooms').waitFor();
    expect(await page.getByTestId('chat-panel').count()).toBe(0); // signing out cleared it
    await relay.stop();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByTestId('refresh-error').waitFor();
    expect(await text(page, 'refresh-error')).toMatch(/unreachable|unavailable/);
    expect(await page.evaluate(() => sessionStorage.getItem('nullroom.admin.key'))).toBe(ADMIN_KEY);
    await page.screenshot({ path: join(SHOTS, '7-unreachable.png') });
  }, 90_000);
});
