/** Prometheus text exposition → `name{label="v",…}` → value (comments dropped). */
export type Samples = Map<string, number>;

export async function scrape(url: string): Promise<{ text: string; samples: Samples }> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  const text = await res.text();
  return { text, samples: parseSamples(text) };
}

export function parseSamples(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** after − before for every series named in `expected`; missing series read as 0. */
export function deltas(before: Samples, after: Samples, keys: readonly string[]) {
  return Object.fromEntries(keys.map((k) => [k, (after.get(k) ?? 0) - (before.get(k) ?? 0)]));
}
