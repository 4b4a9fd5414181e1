import {
  aesGcmOpen,
  decodeChunk,
  decodeContent,
  encodeContent,
  pad,
  type Content,
  decodeHandshake,
  decodeMessage,
  decodeWrap,
  DecryptError,
  E2eeError,
  E2eeErrorCode,
  FrameKind,
  getSubtle,
  MalformedFrameError,
  MAX_FRAME_BYTES,
  padme,
  peekKind,
  randomBytes,
  unpad,
} from '../../src';
import { importAesKey } from '../../src/primitives';
import { check, equal, isError, type TestCase } from '../harness';
import { lastRejection, RoomSim } from '../room-sim';

const decoders: Record<number, (b: Uint8Array) => { ok: boolean }> = {
  [FrameKind.HANDSHAKE]: decodeHandshake,
  [FrameKind.WRAP]: decodeWrap,
  [FrameKind.MESSAGE]: decodeMessage,
  [FrameKind.FILE_CHUNK]: decodeChunk,
};

async function sampleFrames(): Promise<{ sim: RoomSim; frames: Uint8Array[] }> {
  const sim = new RoomSim();
  await sim.join('alice');
  await sim.join('bob');
  const msg = await sim.send('alice', 'a sample message');
  const file = await sim.members
    .get('alice')!
    .session.prepareFile({ name: 'f', mime: 'text/plain', size: 10, chunkSize: 1024 });
  const chunk = await file.sealChunk(0, new Uint8Array(10));
  const hs = sim.log.find((f) => f.payload[1] === FrameKind.HANDSHAKE)!.payload;
  const wrap = sim.log.find((f) => f.payload[1] === FrameKind.WRAP)!.payload;
  return { sim, frames: [hs, wrap, msg.payload, chunk] };
}

export const codecCases: TestCase[] = [
  {
    name: 'content round-trips for every type, and inconsistent manifests are refused',
    run() {
      const manifest = {
        fileId: new Uint8Array(16).fill(1),
        secret: new Uint8Array(32).fill(2),
        name: 'café.png',
        mime: 'image/png',
        size: 70_000,
        chunkSize: 65_536,
        chunkCount: 2,
        preview: { mime: 'image/jpeg', data: Uint8Array.of(1, 2, 3) },
      };
      const contents: Content[] = [
        { type: 'text', text: 'grüße 👋' },
        { type: 'typing', active: true },
        { type: 'typing', active: false },
        { type: 'read', messageId: 'alice/3/17' },
        { type: 'file', manifest },
      ];
      for (const c of contents) {
        equal(JSON.stringify(decodeContent(encodeContent(c))), JSON.stringify(c), c.type);
        check(
          decodeContent(unpad(pad(encodeContent(c)))!) !== undefined,
          `${c.type} through padding`,
        );
      }
      const wrongCount = encodeContent({ type: 'file', manifest: { ...manifest, chunkCount: 3 } });
      equal(decodeContent(wrongCount), undefined, 'chunk count must match size');
      equal(decodeContent(Uint8Array.of(0x02, 7)), undefined, 'typing flag must be 0 or 1');
      equal(decodeContent(Uint8Array.of(0x09)), undefined, 'unknown content type');
      return Promise.resolve();
    },
  },
  {
    name: 'negative: truncated frames of every kind are refused by decoders and the session',
    async run() {
      const { sim, frames } = await sampleFrames();
      for (const frame of frames) {
        const kind = frame[1]!;
        const decode = decoders[kind]!;
        check(decode(frame).ok, `kind ${kind} decodes whole`);
        for (let n = 0; n < frame.byteLength; n++) {
          const prefix = frame.subarray(0, n);
          // Handshakes and wraps are self-delimiting: any prefix fails to parse. Messages and
          // chunks end with the ciphertext, so a cut one may parse but never verifies.
          if (kind === FrameKind.HANDSHAKE || kind === FrameKind.WRAP) {
            equal(decode(prefix).ok, false, `kind ${kind} prefix ${n}`);
          }
          const events = await sim.inject('bob', 'alice', prefix);
          check(
            lastRejection(events) instanceof E2eeError,
            `session refuses kind ${kind} cut at ${n}`,
          );
          check(
            !events.some(
              (e) => e.type === 'message' || e.type === 'file-chunk' || e.type === 'epoch',
            ),
            'nothing delivered',
          );
        }
      }
    },
  },
  {
    name: 'negative: oversized frames are refused before parsing',
    run() {
      for (const kind of [
        FrameKind.HANDSHAKE,
        FrameKind.WRAP,
        FrameKind.MESSAGE,
        FrameKind.FILE_CHUNK,
      ]) {
        const big = new Uint8Array(MAX_FRAME_BYTES[kind] + 1);
        big[0] = 1;
        big[1] = kind;
        const r = peekKind(big);
        check(!r.ok, `kind ${kind} refused`);
        if (!r.ok) isError(r.error, MalformedFrameError, E2eeErrorCode.TOO_LARGE, `kind ${kind}`);
        equal(decoders[kind]!(big).ok, false, `decoder ${kind} refuses too`);
      }
      const r = peekKind(Uint8Array.of(9, 1));
      check(!r.ok && r.error.code === E2eeErrorCode.UNSUPPORTED_VERSION, 'unknown version');
      return Promise.resolve();
    },
  },
  {
    name: 'negative: truncated GCM tag is never accepted (tag length is fixed to 128 bits)',
    async run() {
      const key = await importAesKey(new Uint8Array(32).fill(5));
      const iv = new Uint8Array(12);
      const aad = Uint8Array.of(1, 2, 3);
      const full = new Uint8Array(
        await getSubtle().encrypt(
          { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 },
          key,
          new Uint8Array(40),
        ),
      );
      check((await aesGcmOpen(key, iv, aad, full)) instanceof Uint8Array, 'full tag opens');
      for (const cut of [1, 4, 8, 15, 16, full.byteLength]) {
        isError(
          await aesGcmOpen(key, iv, aad, full.subarray(0, full.byteLength - cut)),
          DecryptError,
          E2eeErrorCode.DECRYPT_FAILED,
          `cut ${cut}`,
        );
      }
      // A ciphertext made with a 96-bit tag (which WebCrypto would accept if asked) is refused.
      const short = new Uint8Array(
        await getSubtle().encrypt(
          { name: 'AES-GCM', iv, additionalData: aad, tagLength: 96 },
          key,
          new Uint8Array(40),
        ),
      );
      isError(
        await aesGcmOpen(key, iv, aad, short),
        DecryptError,
        E2eeErrorCode.DECRYPT_FAILED,
        '96-bit tag',
      );
    },
  },
  {
    name: 'decoders never throw on random input',
    async run() {
      for (let i = 0; i < 3000; i++) {
        const bytes = randomBytes(i % 300);
        if (i % 3 === 0 && bytes.byteLength > 1) {
          bytes[0] = 1;
          bytes[1] = 1 + (i % 4);
        }
        peekKind(bytes);
        for (const d of Object.values(decoders)) d(bytes);
        decodeContent(bytes);
        unpad(bytes);
      }
      await Promise.resolve();
    },
  },
  {
    name: 'PADMÉ keeps overhead under 12% and hides the low bits',
    async run() {
      for (let n = 2; n < 1 << 16; n += 97) {
        const p = padme(n);
        check(p >= n && (p - n) / n <= 0.12, `padme(${n}) = ${p}`);
      }
      await Promise.resolve();
    },
  },
];
