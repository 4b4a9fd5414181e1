/**
 * The SDK in a real browser: a Chromium page (browser WebSocket, browser WebCrypto) and a Node
 * client chat through the real relay; the page sends an image with an automatic preview.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createRoom, type ClientEvents, NullroomClient } from '../src';
// The one esbuild browser bundle for tests (workspace libraries from their sources).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { bundle } from '../../e2ee/test/browser/chromium';
import { type Report } from './browser/entry';
// The relay's own test helper starts the built relay as `npm start` would (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  RELAY_MAIN,
  startRelay,
  type RelayProcess,
} from '../../../apps/relay/test/support/relay-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const API_KEY = 'browser-e2e-api-key-0123456789';
const suite = process.env.NULLROOM_SKIP_BROWSER === '1' ? describe.skip : describe;

suite('client SDK in headless Chromium through the real relay', () => {
  let relay: RelayProcess;
  let server: Server;
  let browser: Browser;
  let bob: NullroomClient | undefined;

  beforeAll(async () => {
    if (!existsSync(RELAY_MAIN)) throw new Error(`build the relay first: ${RELAY_MAIN} is missing`);
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    relay = await startRelay({ ANOCHAT_API_KEY: API_KEY });
    const script = await bundle(join(__dirname, 'browser', 'entry.ts'));
    server = createServer((req, res) => {
      if (req.url === '/bundle.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><meta charset="utf-8"><script src="/bundle.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    bob?.close();
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await relay?.stop();
  });

  it('chats with a Node client and sends an image with a preview', async () => {
    const { roomId, joinToken } = await createRoom(relay.baseUrl, API_KEY, 'p2p');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const pageUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    pageUrl.searchParams.set('relay', relay.wsUrl);
    pageUrl.searchParams.set('room', roomId);
    if (joinToken) pageUrl.searchParams.set('token', joinToken);
    await page.goto(pageUrl.toString());
    await page.waitForFunction(
      () => (globalThis as { __report?: Report }).__report?.fingerprint !== undefined,
      undefined,
      { timeout: 15_000 },
    );

    bob = new NullroomClient({
      url: relay.baseUrl,
      roomId,
      clientId: 'node-bob',
      ...(joinToken ? { joinToken } : {}),
    });
    const fromBrowser = new Promise<ClientEvents['message']>((resolve) =>
      bob!.on('message', resolve),
    );
    const offer = new Promise<ClientEvents['file-offer']>((resolve) =>
      bob!.on('file-offer', resolve),
    );
    const file = new Promise<ClientEvents['file']>((resolve) => bob!.on('file', resolve));
    await bob.connect();
    // Wait until the page is in the same epoch, then talk.
    await page.waitForFunction(
      (fp) => (globalThis as { __report?: Report }).__report?.fingerprint === fp,
      bob.fingerprint(),
      { timeout: 15_000 },
    );
    await bob.sendText('hello from node');
    expect((await fromBrowser).text).toBe('hello from chromium');
    const o = await offer;
    expect(o.offer.name).toBe('square.png');
    expect(o.offer.mime).toBe('image/png');
    expect(o.offer.preview?.mime).toBe('image/jpeg');
    const f = await file;
    expect(Array.from(f.data.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    await page.waitForFunction(
      () => (globalThis as { __report?: Report }).__report?.done === true,
      undefined,
      { timeout: 15_000 },
    );
    const report = (await page.evaluate(() => (globalThis as { __report?: Report }).__report))!;
    expect(report.error).toBeUndefined();
    expect(report.received).toEqual(['node-bob: hello from node']);
    expect(report.fingerprint).toBe(bob.fingerprint());
    expect(report.safetyNumber).toBe(await bob.safetyNumber('chromium-alice'));
    expect(report.preview?.mime).toBe('image/jpeg');
    expect(errors).toEqual([]);
  }, 60_000);
});
