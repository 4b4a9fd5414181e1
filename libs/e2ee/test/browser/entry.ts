/** Browser entry: runs the portable suite in the page and reports each case to the test. */
import { allCases } from '../suite';

interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

const results: CaseResult[] = [];
const w = globalThis as unknown as {
  __results?: CaseResult[];
  __done?: boolean;
  __userAgent?: string;
};

async function main(): Promise<void> {
  for (const c of allCases) {
    const start = performance.now();
    try {
      await c.run();
      results.push({ name: c.name, ok: true, ms: performance.now() - start });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      results.push({ name: c.name, ok: false, error: message, ms: performance.now() - start });
    }
  }
  w.__results = results;
  w.__userAgent = navigator.userAgent;
  w.__done = true;
}

void main();
