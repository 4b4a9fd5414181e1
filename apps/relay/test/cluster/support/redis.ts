// Test helpers around a real redis-server (RAM only, loopback, stopped by pid): the server itself
// comes from the local cluster harness so tests and harness start Redis the same way.
import { Redis } from 'ioredis';
// deploy/local-cluster is a script folder, not an Nx project: nothing to depend on by tag.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { RedisServer } from '../../../../../deploy/local-cluster/cluster';

export { RedisServer };

export function startRedis(): Promise<RedisServer> {
  return RedisServer.start();
}

export interface StoredEntry {
  key: string;
  type: string;
  /** Every value the key holds (string value, or set/zset members and scores). */
  values: string[];
  pttl: number;
}

/** Everything in the Redis at `url`, found with SCAN (never KEYS), for privacy assertions. */
export async function dumpRedis(url: string): Promise<StoredEntry[]> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const entries: StoredEntry[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await client.type(key);
        const pttl = await client.pttl(key);
        let values: string[];
        switch (type) {
          case 'string':
            values = [(await client.get(key)) ?? ''];
            break;
          case 'zset':
            values = await client.zrange(key, '0', '-1', 'WITHSCORES');
            break;
          case 'hash':
            values = Object.entries(await client.hgetall(key)).flat();
            break;
          case 'set':
            values = await client.smembers(key);
            break;
          case 'list':
            values = await client.lrange(key, 0, -1);
            break;
          default:
            values = [`<${type}>`];
        }
        entries.push({ key, type, values, pttl });
      }
    } while (cursor !== '0');
    return entries;
  } finally {
    client.disconnect();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
