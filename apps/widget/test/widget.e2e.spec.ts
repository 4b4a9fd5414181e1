/**
 * The built widget (apps/widget/dist) in headless Chromium against the real relay: p2p host and
 * guest, a support visitor with a Node agent, image previews, option errors, a closed room and
 * host-page CSS. The pages come from the relay itself, which serves apps/widget/dist at /widget/
 * (WIDGET_DIR's default), as `npm start` does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { type ClientEvents, NullroomClient } from '@nullroom/client';
// The relay's own test helper starts the built relay as `npm start` would (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startRelay, type RelayProcess } from '../../relay/test/support/relay-process';
import { browserSuite, launchChromium } from './support/browser';
import { solidPng } from './support/png';
import type * as WidgetApi from '../src/main';

const DIST = join(__dirname, '..', 'dist');
const SHOTS = join(__dirname, 'screenshots');
browserSuite('widget in headless Chromium through the real relay', () => {
  let relay: RelayProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  /** Requests to anything but the relay: the widget must make none. */
  const external: string[] = [];
  const agents: NullroomClient[] = [];

  beforeAll(async () => {
    browser = await launchChromium(
      [[join(DIST, 'anochat-widget.js'), 'nx run widget:build']],
      SHOTS,
    );
    relay = await startRelay({});
    // The page the tests load is the relay's own /widget/, i.e. this build.
    const served = await fetch(`${relay.baseUrl}/widget/anochat-widget.js`);
    if (
      !served.ok ||
      (await served.text()) !== readFileSync(join(DIST, 'anochat-widget.js'), 'utf8')
    )
      throw new Error(`the relay does not serve this build at /widget/ (${served.status})`);
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) a.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    await relay?.stop();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
    expect(external).toEqual([]);
  });

  /** A fresh browser profile (own storage, like another person). */
  async function newPage(width = 460, height = 720): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height } });
    contexts.push(context);
    await context.route(
      (url) => url.origin !== relay.baseUrl,
      (route) => {
        external.push(route.request().url());
        return route.abort();
      },
    );
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  const widgetUrl = (fragment: string): string => `${relay.baseUrl}/widget/#${fragment}`;

  async function waitReady(page: Page): Promise<void> {
    await page.locator('.state[data-state="ready"]').waitFor({ timeout: 15_000 });
  }

  async function fingerprint(page: Page): Promise<string> {
    return (await page.locator('.fp').textContent()) ?? '';
  }

  /** Both pages in the same epoch: the fingerprint they show is the same. */
  async function sameEpoch(a: Page, b: Page): Promise<string> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [fa, fb] = [await fingerprint(a), await fingerprint(b)];
      if (fa !== '' && fa === fb) return fa;
      if (Date.now() > deadline) throw new Error(`fingerprints differ: "${fa}" vs "${fb}"`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function send(page: Page, text: string): Promise<void> {
    const input = page.getByLabel('Message', { exact: true });
    await input.fill(text);
    await input.press('Enter');
  }

  /** A p2p host that creates the room and a guest who opens the host's invite link. */
  async function openPair(): Promise<{ host: Page; guest: Page; invite: string }> {
    const host = await newPage();
    await host.goto(widgetUrl('mode=p2p&title=Private%20chat'));
    const inviteInput = host.locator('.invite-url');
    await inviteInput.waitFor({ timeout: 15_000 });
    await waitReady(host);
    const invite = await inviteInput.inputValue();
    const guest = await newPage();
    await guest.goto(invite);
    await waitReady(guest);
    await sameEpoch(host, guest);
    return { host, guest, invite };
  }

  it('p2p: host creates, guest joins by invite link, both write, safety numbers match', async () => {
    const host = await newPage();
    await host.goto(widgetUrl('mode=p2p&title=Private%20chat'));
    await host.locator('.invite-url').waitFor({ timeout: 15_000 });
    await waitReady(host);
    await expect(host.locator('.empty').textContent()).resolves.toContain('No messages yet');
    await expect(host.locator('.notice').textContent()).resolves.toContain(
      'Waiting for someone to join',
    );
    await host.screenshot({ path: join(SHOTS, 'invite-empty.png') });
    const invite = await host.locator('.invite-url').inputValue();
    const fragment = new URL(invite).hash;
    expect(fragment).toMatch(/^#roomId=[^&]+&joinToken=[^&]+$/);
    // The secret travels only in the fragment, which the browser never sends to a server.
    expect(new URL(invite).search).toBe('');

    const guest = await newPage();
    await guest.goto(invite);
    await waitReady(guest);
    const fp = await sameEpoch(host, guest);
    expect(fp).toMatch(/^\d{5}( \d{5}){11}$/);
    await host.locator('.sys', { hasText: 'joined' }).waitFor();
    // The invite panel goes away once someone joined.
    await host.locator('.invite-url').waitFor({ state: 'hidden' });

    // Typing indicator, then the message, both ways.
    await guest.getByLabel('Message', { exact: true }).pressSequentially('hi');
    await host.locator('.typing', { hasText: 'is typing' }).waitFor({ timeout: 10_000 });
    await guest.getByLabel('Message', { exact: true }).fill('');
    await send(host, 'Hello guest, this is end-to-end encrypted.');
    await guest
      .locator('.msg.peer .body', { hasText: 'Hello guest, this is end-to-end encrypted.' })
      .waitFor({ timeout: 10_000 });
    await send(guest, 'Hi host! Multi-line\nworks too? 🙂');
    await host.locator('.msg.peer .body', { hasText: 'Hi host!' }).waitFor({ timeout: 10_000 });
    await expect(host.locator('.msg.own .body').allTextContents()).resolves.toEqual([
      'Hello guest, this is end-to-end encrypted.',
    ]);
    await expect(guest.locator('.msg.own .body').allTextContents()).resolves.toEqual([
      'Hi host! Multi-line\nworks too? 🙂',
    ]);
    // Read receipts come back from the (visible) other page.
    await host.locator('.msg.own .receipt', { hasText: 'Read' }).waitFor({ timeout: 10_000 });
    // Sender ids: the host sees the guest's, and vice versa.
    await expect(host.locator('.msg.peer .meta').textContent()).resolves.toMatch(/^Peer · \w{6}/);

    // Safety numbers: the group fingerprint and the pairwise number are equal on both pages.
    await host.getByRole('button', { name: 'Verify' }).click();
    await guest.getByRole('button', { name: 'Verify' }).click();
    expect(await fingerprint(host)).toBe(await fingerprint(guest));
    const pairwise = async (p: Page): Promise<string> =>
      ((await p.locator('.peers li').first().textContent()) ?? '').replace(/^.*: /, '');
    await host.locator('.peers li').first().waitFor();
    await guest.locator('.peers li').first().waitFor();
    expect(await pairwise(host)).toMatch(/^[\d ]{60,}$/);
    expect(await pairwise(host)).toBe(await pairwise(guest));
    await expect(host.locator('#nr-verify .hint').textContent()).resolves.toContain('out of band');
    await host.screenshot({ path: join(SHOTS, 'conversation-verify.png') });
    await host.getByRole('button', { name: 'Verify' }).click();
    await host.screenshot({ path: join(SHOTS, 'conversation.png') });

    // Narrow mobile width.
    await guest.setViewportSize({ width: 360, height: 640 });
    await guest.screenshot({ path: join(SHOTS, 'mobile.png') });
    const overflow = await guest.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await host.context().close();
    await guest.locator('.sys', { hasText: 'left' }).waitFor({ timeout: 10_000 });
  }, 90_000);

  it('support: the widget creates a support room and waits; a Node agent joins and they talk', async () => {
    const page = await newPage();
    await page.goto(widgetUrl('mode=support&title=Help%20desk'));
    await page.locator('.notice', { hasText: 'Waiting for support' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, 'support-waiting.png') });
    // The demo page keeps the created room in its fragment.
    const roomId = new URLSearchParams(new URL(page.url()).hash.slice(1)).get('roomId');
    expect(roomId).toMatch(/^[\w-]+$/);
    expect(await page.locator('.invite-url').isVisible()).toBe(false);

    const agent = new NullroomClient({ url: relay.baseUrl, roomId: roomId!, clientId: 'agent-7' });
    agents.push(agent);
    const received = new Promise<ClientEvents['message']>((resolve) =>
      agent.on('message', resolve),
    );
    await agent.connect();
    const deadline = Date.now() + 15_000;
    const plain = (s: string | undefined): string => (s ?? '').replace(/\s+/g, '');
    while (plain(await fingerprint(page)) !== plain(agent.fingerprint())) {
      if (Date.now() > deadline) throw new Error('widget and agent never shared an epoch');
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.locator('.notice').waitFor({ state: 'hidden' });
    await send(page, 'My order never arrived.');
    const m = await received;
    expect(m.text).toBe('My order never arrived.');
    await agent.sendText('Sorry about that! Let me check.');
    await page
      .locator('.msg.peer .body', { hasText: 'Sorry about that! Let me check.' })
      .waitFor({ timeout: 10_000 });
    await expect(page.locator('.msg.peer .meta').textContent()).resolves.toMatch(
      /^Support · agent-7 · /,
    );
    await page.screenshot({ path: join(SHOTS, 'support-conversation.png') });
    agent.close();
    await page.locator('.sys', { hasText: 'left' }).waitFor({ timeout: 10_000 });
  }, 60_000);

  it('files: an image sent by one side shows a preview and the full image on the other', async () => {
    const { host, guest } = await openPair();
    const png = solidPng(320, 200, [47, 91, 211]);
    await host.locator('input[type=file]').setInputFiles({
      name: 'blue.png',
      mimeType: 'image/png',
      buffer: png,
    });
    const item = guest.locator('li[data-file="blue.png"]');
    await item.locator('img').waitFor({ timeout: 15_000 });
    await guest.locator('li[data-file="blue.png"][data-complete="true"]').waitFor({
      timeout: 15_000,
    });
    const size = await item
      .locator('img')
      .evaluate((img: HTMLImageElement) =>
        img.decode().then(() => [img.naturalWidth, img.naturalHeight]),
      );
    expect(size).toEqual([320, 200]);
    const link = item.locator('a[download="blue.png"]');
    await expect(link.textContent()).resolves.toBe('Download blue.png');
    // The downloaded bytes are the sent file.
    const bytes = await link.evaluate((a: HTMLAnchorElement) =>
      fetch(a.href)
        .then((r) => r.arrayBuffer())
        .then((b) => Array.from(new Uint8Array(b))),
    );
    expect(Buffer.from(bytes).equals(png)).toBe(true);
    await host.locator('li[data-file="blue.png"][data-complete="true"]').waitFor();
    await guest.screenshot({ path: join(SHOTS, 'image.png') });
  }, 60_000);

  it('init with bad options throws a clear error naming the option', async () => {
    const page = await newPage();
    await page.goto(widgetUrl('mode=group'));
    await expect(page.locator('#init-error').textContent()).resolves.toBe(
      'AnochatWidget.init: mode: must be "p2p" or "support", got "group"',
    );
    const errors = await page.evaluate(() => {
      const W = (globalThis as unknown as { AnochatWidget: typeof WidgetApi }).AnochatWidget;
      const attempt = (o: unknown): string => {
        try {
          W.init(o as Parameters<typeof W.init>[0]);
          return 'no error';
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      };
      const root = document.createElement('div');
      document.body.append(root);
      const base = location.origin;
      return [
        attempt(undefined),
        attempt({ container: root }),
        attempt({ apiBaseUrl: 'relay.example.com', container: root }),
        attempt({ apiBaseUrl: 'ftp://relay.example.com', container: root }),
        attempt({ apiBaseUrl: base, container: '#nope' }),
        attempt({ apiBaseUrl: base }),
        attempt({ apiBaseUrl: base, container: root, apiKey: 'secret' }),
        attempt({ apiBaseUrl: base, container: root, roomId: 'x' }),
        attempt({ apiBaseUrl: base, container: root, isP2PGuest: true }),
        attempt({ apiBaseUrl: base, container: root, onionBaseUrl: 'https://example.com' }),
        attempt({ apiBaseUrl: base, container: root, colour: 'red' }),
      ];
    });
    expect(errors).toEqual([
      'WidgetOptionsError: AnochatWidget.init: options: expected an object like { apiBaseUrl, container }',
      'WidgetOptionsError: AnochatWidget.init: apiBaseUrl: required, the relay URL, e.g. "https://relay.example.com"',
      'WidgetOptionsError: AnochatWidget.init: apiBaseUrl: "relay.example.com" is not an absolute URL',
      'WidgetOptionsError: AnochatWidget.init: apiBaseUrl: must be http(s), got ftp:',
      'WidgetOptionsError: AnochatWidget.init: container: no element matches "#nope"',
      'WidgetOptionsError: AnochatWidget.init: container: required, an HTMLElement or a CSS selector',
      'WidgetOptionsError: AnochatWidget.init: apiKey: never put the relay API key in a page; create rooms on your backend and pass roomId + joinToken',
      'WidgetOptionsError: AnochatWidget.init: roomId: not a room id returned by POST /rooms',
      'WidgetOptionsError: AnochatWidget.init: roomId: required when isP2PGuest is true (from the invite link)',
      'WidgetOptionsError: AnochatWidget.init: onionBaseUrl: must be a .onion address',
      'WidgetOptionsError: AnochatWidget.init: colour: unknown option',
    ]);

    // A valid init renders into the container; destroy() removes every trace of it.
    const left = await page.evaluate(async () => {
      const W = (globalThis as unknown as { AnochatWidget: typeof WidgetApi }).AnochatWidget;
      const root = document.createElement('div');
      root.id = 'second';
      document.body.append(root);
      const handle = W.init({ apiBaseUrl: location.origin, mode: 'p2p', container: '#second' });
      const rendered = root.childElementCount;
      await new Promise<void>((resolve) => handle.on('ready', () => resolve()));
      handle.destroy();
      return [rendered, root.childElementCount];
    });
    expect(left).toEqual([1, 0]);
  }, 30_000);

  it('a room closed by DELETE /rooms/:id shows the closed state', async () => {
    const { host, guest, invite } = await openPair();
    await send(host, 'Closing this room now.');
    await guest.locator('.msg.peer .body', { hasText: 'Closing this room now.' }).waitFor();
    const params = new URLSearchParams(new URL(invite).hash.slice(1));
    const res = await fetch(`${relay.baseUrl}/rooms/${params.get('roomId')}`, {
      method: 'DELETE',
      headers: { 'x-join-token': params.get('joinToken')! },
    });
    expect(res.status).toBe(200);
    for (const page of [host, guest]) {
      await page
        .locator('.notice[data-kind="closed"]', { hasText: 'This chat was closed' })
        .waitFor({ timeout: 10_000 });
      await expect(page.locator('.state').getAttribute('data-state')).resolves.toBe('closed');
      await expect(page.getByLabel('Message', { exact: true }).isDisabled()).resolves.toBe(true);
    }
    await guest.screenshot({ path: join(SHOTS, 'closed.png') });
  }, 60_000);

  it("host-page CSS doesn't leak into the widget, nor the widget's into the page", async () => {
    const page = await newPage();
    await page.goto(widgetUrl('mode=p2p'));
    await waitReady(page);
    await page.addStyleTag({
      content:
        '* { color: red !important; font-size: 40px !important; font-family: serif !important; ' +
        'line-height: 3 !important } button { background: lime !important } ' +
        '.body, .msg { display: none !important }',
    });
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.className = 'empty title';
      p.id = 'outside';
      p.textContent = 'host page text';
      document.body.append(p);
    });
    await send(page, 'Still readable');
    await page.locator('.msg.own .body', { hasText: 'Still readable' }).waitFor();
    const inside = await page.locator('.msg.own .meta').evaluate((el) => {
      const s = getComputedStyle(el);
      return { color: s.color, fontSize: s.fontSize, fontFamily: s.fontFamily };
    });
    expect(inside.color).not.toBe('rgb(255, 0, 0)');
    expect(inside.fontSize).toBe('11px');
    expect(inside.fontFamily).toContain('system-ui');
    const title = await page
      .locator('h2.title')
      .evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).fontSize]);
    expect(title[0]).not.toBe('rgb(255, 0, 0)');
    expect(title[1]).toBe('15px');
    const send_ = await page
      .locator('button.send')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(send_).not.toBe('rgb(0, 255, 0)');
    // The widget's `.empty`/`.title` rules stay in its shadow root.
    const outside = await page
      .locator('#outside')
      .evaluate((el) => [getComputedStyle(el).textAlign, getComputedStyle(el).fontWeight]);
    expect(outside).toEqual(['start', '400']);
    await page.screenshot({ path: join(SHOTS, 'hostile-css.png') });
  }, 60_000);
});
