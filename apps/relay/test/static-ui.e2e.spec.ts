import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RelayProcess, startRelay } from './support/relay-process';

const ADMIN_KEY = 'static-admin-key-0123456789';

/**
 * The built admin dashboard at /admin/ and the widget at /widget/ (BRIEF: `npm start` serves
 * both), from folders given by ADMIN_UI_DIR and WIDGET_DIR so this test does not depend on the
 * Angular and widget builds.
 */
describe('admin dashboard and widget files', () => {
  let dir: string;
  let relay: RelayProcess;
  let off: RelayProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nullroom-ui-'));
    mkdirSync(join(dir, 'admin'));
    mkdirSync(join(dir, 'widget'));
    writeFileSync(join(dir, 'admin/index.html'), '<!doctype html><title>admin</title>');
    writeFileSync(join(dir, 'admin/main-ABCDEFGH.js'), 'console.log("admin")');
    writeFileSync(join(dir, 'widget/anochat-widget.js'), 'var AnochatWidget={}');
    writeFileSync(join(dir, 'widget/index.html'), '<!doctype html><title>widget</title>');
    writeFileSync(join(dir, 'secret.txt'), 'outside the served folders');
    relay = await startRelay({
      ADMIN_UI_DIR: join(dir, 'admin'),
      WIDGET_DIR: join(dir, 'widget'),
      ANOCHAT_ADMIN_KEY: ADMIN_KEY,
    });
    // No admin key, no widget build, and a tight API rate limit.
    off = await startRelay({
      ADMIN_UI_DIR: join(dir, 'admin'),
      WIDGET_DIR: join(dir, 'missing'),
      RATE_LIMIT_HTTP_MAX: '2',
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await off?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the dashboard with a strict CSP, routes in the page, and hashed assets for a year', async () => {
    const page = await fetch(`${relay.baseUrl}/admin/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>admin</title>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const deep = await fetch(`${relay.baseUrl}/admin/rooms/some-route`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<title>admin</title>');
    const asset = await fetch(`${relay.baseUrl}/admin/main-ABCDEFGH.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const redirect = await fetch(`${relay.baseUrl}/admin`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/admin/');
  });

  it('answers a missing asset and a path escape with 404, never a file outside the folder', async () => {
    const missing = await fetch(`${relay.baseUrl}/admin/missing-file.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found', message: 'no such file' });
    for (const path of [
      '/admin/..%2fsecret.txt',
      '/widget/..%2fsecret.txt',
      '/widget/%2e%2e/secret.txt',
    ]) {
      const res = await fetch(`${relay.baseUrl}${path}`);
      expect(res.status).not.toBe(200);
      expect(await res.text()).not.toContain('outside the served folders');
    }
  });

  it('leaves the admin API to the admin API', async () => {
    const unauthorized = await fetch(`${relay.baseUrl}/admin/api/health`);
    expect(unauthorized.status).toBe(401);
    const ok = await fetch(`${relay.baseUrl}/admin/api/health`, {
      headers: { 'x-admin-key': ADMIN_KEY },
    });
    expect(ok.status).toBe(200);
  });

  it('serves the widget script to any site, and its demo page', async () => {
    const script = await fetch(`${relay.baseUrl}/widget/anochat-widget.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(script.headers.get('cache-control')).toBe('no-cache');
    const demo = await fetch(`${relay.baseUrl}/widget/`);
    expect(await demo.text()).toContain('<title>widget</title>');
  });

  it('is off without ANOCHAT_ADMIN_KEY, and says when a build is missing', async () => {
    const res = await fetch(`${off.baseUrl}/admin/`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toMatch(/ANOCHAT_ADMIN_KEY/);
    const widget = await fetch(`${off.baseUrl}/widget/anochat-widget.js`);
    expect(widget.status).toBe(404);
    expect(((await widget.json()) as { message: string }).message).toMatch(/not built/);
  });

  it('tells a browser in a page how to enable /admin/; the landing page and favicon answer', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    const admin = await fetch(`${off.baseUrl}/admin/`, { headers: html });
    expect(admin.status).toBe(404);
    expect(admin.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(admin.headers.get('content-security-policy')).toContain("default-src 'none'");
    const text = await admin.text();
    expect(text).toContain('<h1>The admin dashboard is off</h1>');
    expect(text).toContain('ANOCHAT_ADMIN_KEY=');
    expect(text).toContain('.env.example');
    const widget = await fetch(`${off.baseUrl}/widget/`, { headers: html });
    expect(widget.status).toBe(404);
    expect(await widget.text()).toContain('npm run build:widget');

    const landing = await fetch(`${relay.baseUrl}/`, { headers: html });
    expect(landing.status).toBe(200);
    const home = await landing.text();
    expect(home).toContain('<a href="/widget/">');
    expect(home).toContain('the admin dashboard for support rooms');
    const landingOff = await (await fetch(`${off.baseUrl}/`, { headers: html })).text();
    expect(landingOff).toContain('off: set <code>ANOCHAT_ADMIN_KEY</code>');
    // An API client asking for JSON (or anything) at / still gets the JSON 404.
    const api = await fetch(`${relay.baseUrl}/`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: 'not_found' });

    for (const path of ['/favicon.ico', '/favicon.svg']) {
      const icon = await fetch(`${relay.baseUrl}${path}`);
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toBe('image/svg+xml');
      expect(await icon.text()).toMatch(/^<svg /);
    }
  });

  it('does not count page and script loads against the per-IP API rate limit', async () => {
    // RATE_LIMIT_HTTP_MAX=2 on this relay; the test above made two static requests.
    for (let i = 0; i < 5; i++) expect((await fetch(`${off.baseUrl}/admin/`)).status).toBe(404);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${off.baseUrl}/public-config`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
