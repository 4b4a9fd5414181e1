/** Runs the portable suite under Jest in Node. browser.spec.ts runs the same cases in Chromium. */
import { allCases } from './suite';

describe('e2ee (Node)', () => {
  for (const c of allCases) {
    it(c.name, () => c.run(), 30_000);
  }
});
