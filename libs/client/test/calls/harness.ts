/**
 * The call tests' world: a real coturn and a real relay on loopback, one headless Chromium with
 * fake camera, microphone and screen, and one page (its own browser context) per participant,
 * driven through `window.callTest` (page.ts).
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
// Shared test support: Chromium and its flags (the relay's test helpers) and the e2ee bundler.
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  FAKE_MEDIA_ARGS,
} from '../../../../apps/relay/test/support/chromium-flags';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { bundle } from '../../../e2ee/test/browser/chromium';
import { type CallSnapshot } from '../../src';
import { type CallTestApi, type PeerStats } from './page';

export { CHROMIUM };

type Recorded = ReturnType<CallTestApi['recorded']>;

export class Participant {
  constructor(
    readonly id: string,
    readonly page: Page,
  ) {}

  /** Calls `window.callTest[method](...args)` in the page. */
  run<K extends keyof CallTestApi>(
    method: K,
    ...args: Parameters<CallTestApi[K]>
  ): Promise<Awaited<ReturnType<CallTestApi[K]>>> {
    return this.page.evaluate(
      ([m, a]) => {
        const api = (
          globalThis as unknown as { callTest: Record<string, (...x: unknown[]) => unknown> }
        ).callTest;
        return api[m as string]!(...(a as unknown[]));
      },
      [method, args] as const,
    ) as Promise<Awaited<ReturnType<CallTestApi[K]>>>;
  }

  snapshot(): Promise<CallSnapshot> {
    return this.run('snapshot');
  }

  recorded(): Promise<Recorded> {
    return this.run('recorded');
  }

  stats(peerId: string): Promise<PeerStats | undefined> {
    return this.run('stats', peerId);
  }

  /** Polls `probe` until it returns something truthy; fails with `what` and the last value. */
  async until<T>(
    what: string,
    probe: (p: Participant) => Promise<T | undefined | false>,
    timeoutMs = 20_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      const value = await probe(this);
      if (value) return value;
      last = value;
      if (Date.now() > deadline) {
        const recorded = await this.recorded();
        throw new Error(
          `${this.id}: timed out waiting for ${what} (last: ${JSON.stringify(last)}; snapshot: ${JSON.stringify(await this.snapshot())}; recorded: ${JSON.stringify(recorded)})`,
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /** Until every other participant's link is connected and media arrives from each. */
  async untilConnected(peers: readonly string[], timeoutMs = 30_000): Promise<void> {
    await this.until(
      `connected to ${peers.join(', ')}`,
      async (p) => {
        const s = await p.snapshot();
        const call = s.call;
        if (!call || call.status !== 'active') return false;
        return peers.every(
          (id) => call.participants.find((x) => x.id === id)?.state === 'connected',
        );
      },
      timeoutMs,
    );
  }
}

export class CallWorld {
  private server: Server | undefined;
  private browser: Browser | undefined;
  private readonly pages: Page[] = [];
  pageUrl = '';

  async start(): Promise<void> {
    const script = await bundle(join(__dirname, 'page.ts'));
    this.server = createServer((req, res) => {
      if (req.url === '/page.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            '<!doctype html><meta charset="utf-8"><title>call</title><script src="/page.js"></script>',
          );
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.pageUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, ...FAKE_MEDIA_ARGS],
    });
  }

  /** A new participant in its own browser context, connected to `relay` in `roomId`. */
  async join(
    id: string,
    room: { roomId: string; joinToken?: string },
    relay: string,
    options: { hideAddress?: boolean; initScript?: string } = {},
  ): Promise<Participant> {
    const context = await this.browser!.newContext();
    const page = await context.newPage();
    this.pages.push(page);
    page.on('pageerror', (e) => process.stderr.write(`[${id}] page error: ${e.message}\n`));
    if (process.env.CALLS_DEBUG)
      page.on('console', (m) =>
        process.stderr.write(`${Date.now() % 100000} [${id}] ${m.text()}\n`),
      );
    if (options.initScript) await page.addInitScript(options.initScript);
    await page.goto(this.pageUrl);
    await page.waitForFunction(() => 'callTest' in globalThis);
    const p = new Participant(id, page);
    await p.run('init', {
      relay,
      roomId: room.roomId,
      clientId: id,
      ...(room.joinToken ? { joinToken: room.joinToken } : {}),
      ...(options.hideAddress ? { hideAddress: true } : {}),
    });
    return p;
  }

  /** Closes every page opened since the last call (between tests). */
  async closePages(): Promise<void> {
    for (const page of this.pages.splice(0)) {
      await page
        .evaluate(() =>
          (globalThis as unknown as { callTest?: { close(): void } }).callTest?.close(),
        )
        .catch(() => undefined);
      await page
        .context()
        .close()
        .catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    await this.closePages();
    await this.browser?.close();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
