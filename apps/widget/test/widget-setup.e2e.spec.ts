/**
 * What a new user meets in the widget, in headless Chromium against real relays (issue 13):
 * the demo page on a relay with ANOCHAT_API_KEY (why it cannot create a room, and how to), a
 * support visitor on a REQUIRE_WS_API_KEY=1 relay joining with the room's visitor token,
 * Turnstile rendered from Cloudflare's script (a local stand-in: no test reaches Cloudflare) and
 * its token verified by the relay (against a local siteverify stand-in), the three ways a room
 * ends told apart, and WCAG AA contrast of every text in the light and the dark theme.
 * Screenshots at desktop and 360 px width land in apps/widget/test/screenshots/ (gitignored).
 */
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createRoom, NullroomClient } from '@nullroom/client';
// The relay's own test helpers (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startRelay, type RelayProcess } from '../../relay/test/support/relay-process';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { fakeSiteverify } from '../../relay/test/support/fake-siteverify';
import { browserSuite, launchChromium } from './support/browser';
import { contrastFailures } from './support/contrast';
import { solidPng } from './support/png';

const DIST = join(__dirname, '..', 'dist');
const SHOTS = join(__dirname, 'screenshots');
const API_KEY = 'widget-setup-api-key-0123456789';
const TURNSTILE_SCRIPT = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit';

/** Stands in for Cloudflare's api.js: a button that "solves" the challenge with a token. */
const FAKE_TURNSTILE = `
window.turnstile = {
  render(el, params) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = 'fake-turnstile';
    b.textContent = 'I am human (Turnstile stand-in, sitekey ' + params.sitekey + ')';
    b.onclick = () => params.callback(window.__turnstileToken || 'good-token');
    el.append(b);
    return 'widget-1';
  },
  remove() {},
};`;

browserSuite('widget set-up paths in headless Chromium through real relays', () => {
  let open: RelayProcess; // no API key: the widget creates rooms itself
  let keyed: RelayProcess; // ANOCHAT_API_KEY + REQUIRE_WS_API_KEY=1
  let shortIdle: RelayProcess; // rooms expire after 2.5 s idle
  let guarded: RelayProcess; // TURNSTILE=1
  let verifier: Awaited<ReturnType<typeof fakeSiteverify>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const clients: NullroomClient[] = [];
  const pageErrors: string[] = [];
  const external: string[] = [];
  const failed: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium(
      [[join(DIST, 'anochat-widget.js'), 'nx run widget:build']],
      SHOTS,
    );
    verifier = await fakeSiteverify();
    [open, keyed, shortIdle, guarded] = await Promise.all([
      startRelay({}),
      startRelay({ ANOCHAT_API_KEY: API_KEY, REQUIRE_WS_API_KEY: '1' }),
      startRelay({ ROOM_MAX_IDLE_MS: '2500' }),
      startRelay({
        TURNSTILE: '1',
        TURNSTILE_SECRET_KEY: 'ts-secret',
        TURNSTILE_SITE_KEY: '0x4AAAAAAA-test-site',
        TURNSTILE_VERIFY_URL: verifier.url,
      }),
    ]);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    await Promise.all([open, keyed, shortIdle, guarded].map((r) => r?.stop()));
    verifier?.server.close();
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
    expect(external.splice(0)).toEqual([]);
    // No 404 on any page load (the favicon included); the 401 of a refused POST /rooms is expected.
    expect(failed.splice(0).filter((f) => !f.startsWith('401 '))).toEqual([]);
  });

  /** A fresh profile on `relay`, desktop-sized by default; anything off the relay is refused. */
  async function newPage(
    relay: RelayProcess,
    options: { width?: number; height?: number; dark?: boolean } = {},
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
      colorScheme: options.dark ? 'dark' : 'light',
    });
    contexts.push(context);
    await context.route(
      (url) => url.origin !== relay.baseUrl,
      (route) => {
        if (route.request().url() === TURNSTILE_SCRIPT && relay === guarded) {
          return route.fulfill({ contentType: 'text/javascript', body: FAKE_TURNSTILE });
        }
        external.push(route.request().url());
        return route.abort();
      },
    );
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    return page;
  }

  /** Screenshots at the page's size and at 360 px, which must not scroll sideways. */
  async function shots(page: Page, name: string): Promise<void> {
    const size = page.viewportSize()!;
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    await page.setViewportSize({ width: 360, height: 720 });
    await page.screenshot({ path: join(SHOTS, `${name}-360.png`) });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect({ name, overflow }).toEqual({ name, overflow: 0 });
    await page.setViewportSize(size);
  }

  const ready = (page: Page) =>
    page.locator('.state[data-state="ready"]').waitFor({ timeout: 15_000 });
  const notice = (page: Page, text: string) =>
    page.locator('.notice', { hasText: text }).waitFor({ timeout: 15_000 });
  async function send(page: Page, text: string): Promise<void> {
    const input = page.getByLabel('Message', { exact: true });
    await input.fill(text);
    await input.press('Enter');
  }
  async function agentOn(relay: RelayProcess, roomId: string, extra: object = {}) {
    const agent = new NullroomClient({ url: relay.baseUrl, roomId, reconnect: false, ...extra });
    clients.push(agent);
    await agent.connect();
    return agent;
  }

  it('ANOCHAT_API_KEY set: the demo page says why it cannot create a room, and how to; the answer pasted back opens the chat', async () => {
    const page = await newPage(keyed);
    await page.goto(`${keyed.baseUrl}/widget/`);
    await notice(page, 'Chat not available');
    const help = page.locator('#setup-help');
    await help.waitFor();
    await expect(help.locator('h2').textContent()).resolves.toBe(
      'This relay creates rooms only for your backend',
    );
    const curl = (await page.locator('#setup-curl').textContent()) ?? '';
    expect(curl).toContain(`curl -X POST ${keyed.baseUrl}/rooms`);
    expect(curl).toContain("-H 'X-API-Key: <your ANOCHAT_API_KEY>'");
    await expect(page.locator('#setup-link').textContent()).resolves.toBe(
      `${keyed.baseUrl}/widget/#roomId=<roomId>&joinToken=<joinToken>`,
    );
    await shots(page, 'setup-api-key');
    // The help and the widget's error notice are readable in both themes.
    expect(await contrastFailures(page)).toEqual([]);
    const darkPage = await newPage(keyed, { dark: true });
    await darkPage.goto(`${keyed.baseUrl}/widget/`);
    await darkPage.locator('#setup-help').waitFor();
    await notice(darkPage, 'Chat not available');
    expect(await contrastFailures(darkPage)).toEqual([]);
    await darkPage.screenshot({ path: join(SHOTS, 'setup-api-key-dark.png') });

    // Do what it says: the backend creates the room, the answer goes back into the page.
    const res = await fetch(`${keyed.baseUrl}/rooms`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: '{"mode":"p2p"}',
    });
    const answer = (await res.json()) as { roomId: string; joinToken: string };
    await page.locator('#setup-answer').fill('{"roomId": "nope"}');
    await page.locator('#setup-answer-error', { hasText: 'needs a roomId' }).waitFor();
    await page.locator('#setup-answer').fill(JSON.stringify(answer));
    await ready(page);
    await expect(help.isHidden()).resolves.toBe(true);
    const other = await newPage(keyed);
    await other.goto(
      `${keyed.baseUrl}/widget/#roomId=${answer.roomId}&joinToken=${answer.joinToken}`,
    );
    await ready(other);
    await send(other, 'It works with a room from the backend.');
    await page
      .locator('.msg.peer .body', { hasText: 'It works with a room from the backend.' })
      .waitFor({ timeout: 10_000 });
  }, 60_000);

  it('REQUIRE_WS_API_KEY=1: a support visitor joins with the visitor token from POST /rooms; without it the page says so', async () => {
    const room = await createRoom(keyed.baseUrl, API_KEY, 'support');
    expect(room.joinToken).toBeUndefined();
    expect(room.visitorToken).toMatch(/^[\w-]{43}$/);
    const page = await newPage(keyed);
    await page.goto(
      `${keyed.baseUrl}/widget/#mode=support&roomId=${room.roomId}&joinToken=${room.visitorToken}`,
    );
    await notice(page, 'Waiting for support');
    const agent = await agentOn(keyed, room.roomId, { clientId: 'agent-1', apiKey: API_KEY });
    const heard = new Promise<string>((resolve) => agent.on('message', (m) => resolve(m.text)));
    await ready(page);
    await page.locator('.notice').waitFor({ state: 'hidden', timeout: 15_000 });
    await send(page, 'Hello from a page that holds no API key.');
    expect(await heard).toBe('Hello from a page that holds no API key.');
    await shots(page, 'support-visitor-token');

    const stranger = await newPage(keyed);
    await stranger.goto(`${keyed.baseUrl}/widget/#mode=support&roomId=${room.roomId}`);
    await stranger
      .locator('.notice[data-kind="closed"]', { hasText: 'Not allowed' })
      .waitFor({ timeout: 15_000 });
  }, 60_000);

  it("TURNSTILE=1: the widget renders Cloudflare's challenge (a stand-in) and sends its token; a refused token is said plainly", async () => {
    const page = await newPage(guarded);
    await page.goto(`${guarded.baseUrl}/widget/#mode=p2p`);
    const challenge = page.locator('#fake-turnstile');
    await challenge.waitFor({ timeout: 15_000 });
    await expect(challenge.textContent()).resolves.toContain('0x4AAAAAAA-test-site');
    await notice(page, 'Confirm you are a person');
    await shots(page, 'turnstile-challenge');
    const before = verifier.requests.length;
    await challenge.click();
    await page.locator('.invite-url').waitFor({ timeout: 15_000 });
    await ready(page);
    expect(verifier.requests.slice(before).map((r) => r.get('response'))).toEqual(['good-token']);
    await expect(challenge.count()).resolves.toBe(0);

    const refused = await newPage(guarded);
    await refused.addInitScript(() => {
      (window as unknown as { __turnstileToken: string }).__turnstileToken = 'bad-token';
    });
    await refused.goto(`${guarded.baseUrl}/widget/#mode=p2p`);
    await refused.locator('#fake-turnstile').click({ timeout: 15_000 });
    await notice(refused, 'did not accept the human check');
    // The relay's 403 for the refused token is the expected one.
    expect(failed.splice(0)).toEqual(['403 /rooms']);
    // A relay without Turnstile never loads Cloudflare's script (the other tests' external list).
  }, 60_000);

  it('tells the three ways a room ends apart: closed, expired, destroyed', async () => {
    // Expired: nobody writes for ROOM_MAX_IDLE_MS (2.5 s on this relay).
    const idle = await newPage(shortIdle);
    await idle.goto(`${shortIdle.baseUrl}/widget/#mode=p2p`);
    await ready(idle);
    await idle
      .locator('.notice[data-kind="closed"]', { hasText: 'This chat expired' })
      .waitFor({ timeout: 15_000 });
    await expect(idle.locator('.state').textContent()).resolves.toBe('This chat expired');
    await shots(idle, 'closed-expired');

    // Destroyed: a third participant tries to join a support room.
    const visitor = await newPage(open);
    await visitor.goto(`${open.baseUrl}/widget/#mode=support`);
    await notice(visitor, 'Waiting for support');
    const roomId = new URLSearchParams(new URL(visitor.url()).hash.slice(1)).get('roomId')!;
    await agentOn(open, roomId, { clientId: 'agent-2' });
    await ready(visitor);
    const intruder = new NullroomClient({ url: open.baseUrl, roomId, reconnect: false });
    clients.push(intruder);
    void intruder.connect().catch(() => undefined);
    await visitor
      .locator('.notice[data-kind="closed"]', { hasText: 'This chat was ended for safety' })
      .waitFor({ timeout: 15_000 });
    await expect(visitor.locator('.notice').textContent()).resolves.toContain('third person');
    await shots(visitor, 'closed-destroyed');

    // Closed: DELETE /rooms/:id (also covered, with both members, by widget.e2e.spec.ts).
    const host = await newPage(open);
    await host.goto(`${open.baseUrl}/widget/#mode=p2p`);
    await ready(host);
    const invite = new URLSearchParams(new URL(host.url()).hash.slice(1));
    await fetch(`${open.baseUrl}/rooms/${invite.get('roomId')}`, {
      method: 'DELETE',
      headers: { 'x-join-token': invite.get('joinToken')! },
    });
    await host
      .locator('.notice[data-kind="closed"]', { hasText: 'This chat was closed' })
      .waitFor({ timeout: 15_000 });
    await shots(host, 'closed-closed');
  }, 90_000);

  for (const dark of [false, true]) {
    const theme = dark ? 'dark' : 'light';
    it(`every text meets WCAG AA contrast in the ${theme} theme (invite, conversation, file, verify, closed)`, async () => {
      const host = await newPage(open, { width: 460, height: 760, dark });
      await host.goto(`${open.baseUrl}/widget/#mode=p2p&title=Contrast%20check`);
      await host.locator('.invite-url').waitFor({ timeout: 15_000 });
      await ready(host);
      expect({ state: 'invite', failures: await contrastFailures(host) }).toEqual({
        state: 'invite',
        failures: [],
      });
      const invite = await host.locator('.invite-url').inputValue();
      const guest = await newPage(open, { width: 460, height: 760, dark });
      await guest.goto(invite);
      await ready(guest);
      await send(host, 'A message to read.');
      await send(guest, 'And an answer.');
      await host.locator('input[type=file]').setInputFiles({
        name: 'blue.png',
        mimeType: 'image/png',
        buffer: solidPng(64, 48, [47, 91, 211]),
      });
      await host.locator('input[type=file]').setInputFiles({
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('plain text file'),
      });
      await guest
        .locator('li[data-file="notes.txt"][data-complete="true"]')
        .waitFor({ timeout: 15_000 });
      await guest.locator('.msg.peer .body', { hasText: 'A message to read.' }).waitFor();
      await host.locator('.msg.own .receipt', { hasText: 'Read' }).first().waitFor();
      await guest.getByRole('button', { name: 'Verify' }).click();
      await guest.locator('.peers li').first().waitFor();
      for (const [state, page] of [
        ['conversation (guest)', guest],
        ['conversation (host)', host],
      ] as const) {
        expect({ state, failures: await contrastFailures(page) }).toEqual({ state, failures: [] });
      }
      await guest.screenshot({ path: join(SHOTS, `contrast-${theme}.png`) });
      await host.context().close();
      await guest.locator('.sys', { hasText: 'left' }).waitFor({ timeout: 10_000 });
      const params = new URLSearchParams(new URL(invite).hash.slice(1));
      await fetch(`${open.baseUrl}/rooms/${params.get('roomId')}`, {
        method: 'DELETE',
        headers: { 'x-join-token': params.get('joinToken')! },
      });
      await guest.locator('.notice[data-kind="closed"]').waitFor({ timeout: 10_000 });
      expect({ state: 'closed', failures: await contrastFailures(guest) }).toEqual({
        state: 'closed',
        failures: [],
      });
      await guest.screenshot({ path: join(SHOTS, `contrast-${theme}-closed.png`) });
    }, 60_000);
  }
});
