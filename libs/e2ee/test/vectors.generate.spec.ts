/**
 * Writes test/vectors/session.json. Runs only with UPDATE_VECTORS=1, on purpose: the vectors
 * exist to make any change of format or key schedule visible.
 *   UPDATE_VECTORS=1 npx jest -c libs/e2ee/jest.config.cjs libs/e2ee/test/vectors.generate.spec.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, toHex } from '../src';
import { buildSessionVectors, type SessionVectorInputs } from './vectors/build';

const run = process.env.UPDATE_VECTORS === '1' ? it : it.skip;

describe('golden vectors', () => {
  run('regenerates session.json', async () => {
    const jwk = async () => {
      const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
        'deriveBits',
      ]);
      const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', pair.privateKey);
      return { kty, crv, x, y, d };
    };
    const inputs: SessionVectorInputs = {
      roomId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      aliceSeed: toHex(randomBytes(32)),
      bobSeed: toHex(randomBytes(32)),
      aliceEphemeral: await jwk(),
      bobEphemeral: await jwk(),
      aliceNonce: toHex(randomBytes(16)),
      bobNonce: toHex(randomBytes(16)),
      groupSecret: toHex(randomBytes(32)),
      epoch: 5,
      text: 'golden vector: grüße 👋',
      fileId: toHex(randomBytes(16)),
      fileSecret: toHex(randomBytes(32)),
      chunk: toHex(randomBytes(100)),
      chunkSize: 1024,
    };
    const built = await buildSessionVectors(inputs);
    expect(built.bobReads).toBe(inputs.text);
    const file = join(__dirname, 'vectors', 'session.json');
    writeFileSync(file, `${JSON.stringify({ inputs, outputs: built.outputs }, null, 2)}\n`);
  });
});
