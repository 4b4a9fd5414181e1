/**
 * Golden vectors (test/vectors/*.json), checked in Node and in Chromium. primitives.json holds
 * published test vectors (RFC 5869, RFC 8032, GCM spec test cases, FIPS 180) that pin our
 * wrappers to the standards; session.json pins our own formats and key schedule, so any change to
 * the wire format or derivations shows up as a diff (regenerate with UPDATE_VECTORS=1 only on
 * purpose: see vectors.generate.spec.ts).
 */
import {
  aesGcmSeal,
  counterNonce,
  deriveFileKey,
  deriveKeyCommitment,
  deriveSenderKey,
  fromHex,
  getSubtle,
  groupFingerprint,
  hkdfBits,
  Identity,
  importEd25519Public,
  ed25519Verify,
  importGroupSecret,
  importHkdfKey,
  padme,
  safetyNumber,
  sha256,
  toHex,
} from '../../src';
import { importAesKey } from '../../src/primitives';
import primitives from '../vectors/primitives.json';
import session from '../vectors/session.json';
import { buildSessionVectors } from '../vectors/build';
import { check, equal, type TestCase } from '../harness';

export const vectorCases: TestCase[] = [
  {
    name: 'vectors: HKDF-SHA-256 (RFC 5869 A.1)',
    async run() {
      const v = primitives.hkdf;
      const okm = await hkdfBits(
        await importHkdfKey(fromHex(v.ikm)),
        fromHex(v.salt),
        fromHex(v.info),
        v.length,
      );
      equal(toHex(okm), v.okm, 'okm');
    },
  },
  {
    name: 'vectors: AES-256-GCM (GCM spec test cases 13 and 14)',
    async run() {
      for (const v of primitives.aesGcm) {
        const key = await importAesKey(fromHex(v.key));
        const out = await aesGcmSeal(key, fromHex(v.iv), fromHex(v.aad), fromHex(v.plaintext));
        equal(toHex(out), v.ciphertext + v.tag, v.name);
      }
    },
  },
  {
    name: 'vectors: Ed25519 (RFC 8032 §7.1 test 1) through Identity',
    async run() {
      const v = primitives.ed25519;
      const identity = await Identity.fromSeed(fromHex(v.secret));
      equal(toHex(identity.publicKey), v.public, 'public key');
      equal(toHex(await identity.sign(fromHex(v.message))), v.signature, 'signature');
      const pub = await importEd25519Public(identity.publicKey);
      check(
        await ed25519Verify(pub as CryptoKey, fromHex(v.signature), fromHex(v.message)),
        'verifies',
      );
    },
  },
  {
    name: 'vectors: SHA-256 (FIPS 180-2 "abc"), PADMÉ, counter nonces',
    async run() {
      equal(
        toHex(await sha256(new Uint8Array([0x61, 0x62, 0x63]))),
        primitives.sha256abc,
        'sha256',
      );
      for (const [n, p] of primitives.padme) equal(padme(n!), p, `padme(${n})`);
      for (const [n, hex] of primitives.nonces as [number, string][])
        equal(toHex(counterNonce(n)), hex, `nonce(${n})`);
    },
  },
  {
    name: 'vectors: session formats and key schedule (key package, wrap, message, chunk, numbers)',
    async run() {
      const built = await buildSessionVectors(session.inputs);
      for (const [name, expected] of Object.entries(session.outputs)) {
        equal((built.outputs as Record<string, string>)[name], expected, name);
      }
      // The receiving side accepts the vector frames and reads the vector plaintext.
      equal(built.bobReads, session.inputs.text, 'bob decrypts the vector message');
      equal(built.bobFingerprint, session.outputs.fingerprint, 'bob computes the same fingerprint');
      void [
        deriveFileKey,
        deriveKeyCommitment,
        deriveSenderKey,
        groupFingerprint,
        importGroupSecret,
        safetyNumber,
        getSubtle,
      ];
    },
  },
];
