// The harness is a deploy tool, not a library: tests may reach it by path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { waitFor } from '../../../../deploy/local-cluster/cluster';

/** Resolves once `check` holds (polled every 50 ms), or fails naming `what` after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await waitFor(what, timeoutMs, async () => ((await check()) ? true : undefined));
}
