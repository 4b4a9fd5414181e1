/**
 * The portable suite again, in headless Chromium: the same cases and golden vectors as
 * node.spec.ts, bundled with esbuild and run in a real page. Set NULLROOM_SKIP_BROWSER=1 to skip
 * on a machine without Chromium (CI here has it: apt-get install -y chromium).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, CHROMIUM_PATH, runInChromium } from './browser/chromium';
import { allCases } from './suite';

interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

const skip = process.env.NULLROOM_SKIP_BROWSER === '1';
const suite = skip ? describe.skip : describe;

suite('e2ee (headless Chromium)', () => {
  let results = new Map<string, CaseResult>();
  let userAgent = '';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH))
      throw new Error(`Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
    const script = await bundle(join(__dirname, 'browser', 'entry.ts'));
    const page = await runInChromium<CaseResult[]>(script);
    results = new Map(page.results.map((r) => [r.name, r]));
    userAgent = page.userAgent;
    expect(page.consoleErrors).toEqual([]);
  }, 180_000);

  it('runs in Chromium', () => {
    expect(userAgent).toMatch(/Chrom/);
  });

  for (const c of allCases) {
    it(c.name, () => {
      const r = results.get(c.name);
      expect(r).toBeDefined();
      if (!r!.ok) throw new Error(r!.error);
    });
  }
});
