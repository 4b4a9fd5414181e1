/**
 * Runs a bundled test entry in headless Chromium (Debian's, driven by playwright-core) and
 * returns what the page reported. The page is served from 127.0.0.1, a secure context, so
 * WebCrypto is available as it is on https.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const LIBS = join(__dirname, '..', '..', '..');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface PageResult<T> {
  readonly results: T;
  readonly userAgent: string;
  readonly consoleErrors: readonly string[];
}

export async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // Same resolution as jest.preset.cjs: workspace libraries from their sources, never a stale dist.
    alias: Object.fromEntries(
      ['protocol', 'e2ee', 'client'].map((lib) => [
        `@nullroom/${lib}`,
        join(LIBS, lib, 'src', 'index.ts'),
      ]),
    ),
  });
  return out.outputFiles[0]!.text;
}

export async function runInChromium<T>(
  script: string,
  timeoutMs = 120_000,
): Promise<PageResult<T>> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<!doctype html><meta charset="utf-8"><title>nullroom tests</title><script src="/bundle.js"></script>',
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(
      () => (globalThis as { __done?: boolean }).__done === true,
      undefined,
      { timeout: timeoutMs },
    );
    const results = (await page.evaluate(
      () => (globalThis as { __results?: unknown }).__results,
    )) as T;
    const userAgent = await page.evaluate(() => navigator.userAgent);
    return { results, userAgent, consoleErrors };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
