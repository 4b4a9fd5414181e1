import { getSubtle, toHex } from '../../src';
import { check, equal, type TestCase } from '../harness';
import { RoomSim } from '../room-sim';

/** Messages per sender per epoch; the whole run makes a few thousand AES-GCM encryptions. */
const PER_EPOCH = 250;

export const propertyCases: TestCase[] = [
  {
    name: 'property: no (key, nonce) pair repeats across thousands of encryptions by several senders',
    async run() {
      const subtle = getSubtle() as SubtleCrypto & { encrypt: SubtleCrypto['encrypt'] };
      const original = subtle.encrypt.bind(subtle);
      const seen = new Set<string>();
      let encryptions = 0;
      let repeats = 0;
      // Every AES-GCM encryption anywhere in the library is observed here, with its key's bytes
      // (the sessions run with extractable keys for this test only).
      const observe = async (
        algorithm: AesGcmParams,
        key: CryptoKey,
        data: BufferSource,
      ): Promise<ArrayBuffer> => {
        if (algorithm.name === 'AES-GCM') {
          const raw = toHex(new Uint8Array(await subtle.exportKey('raw', key)));
          const id = `${raw}:${toHex(new Uint8Array(algorithm.iv as ArrayBuffer))}`;
          if (seen.has(id)) repeats++;
          seen.add(id);
          encryptions++;
        }
        return original(algorithm, key, data);
      };
      (subtle as { encrypt: unknown }).encrypt = observe;
      try {
        const sim = new RoomSim(undefined, { extractableKeys: true });
        const senders = ['s1', 's2', 's3', 's4'];
        for (const id of senders) await sim.join(id);
        const burst = async (ids: readonly string[]) => {
          for (const id of ids) {
            const session = sim.members.get(id)!.session;
            for (let i = 0; i < PER_EPOCH; i++)
              await session.encrypt({ type: 'text', text: `${id}:${i}` });
            const file = await session.prepareFile({
              name: 'f',
              mime: 'x/y',
              size: 3000,
              chunkSize: 1024,
            });
            for (let c = 0; c < file.chunkCount; c++)
              await file.sealChunk(c, new Uint8Array(c < 2 ? 1024 : 952));
          }
        };
        await burst(senders);
        await sim.leave('s4');
        await burst(['s1', 's2', 's3']);
        await sim.join('s5');
        await burst(['s1', 's2', 's3', 's5']);
        await sim.join('s4');
        await burst(['s1', 's2', 's3', 's4', 's5']);
        check(encryptions > 4000, `enough encryptions (${encryptions})`);
        equal(repeats, 0, `repeated (key, nonce) pairs among ${encryptions}`);
      } finally {
        delete (subtle as { encrypt?: unknown }).encrypt;
      }
      check(!Object.prototype.hasOwnProperty.call(getSubtle(), 'encrypt'), 'subtle restored');
    },
  },
];
