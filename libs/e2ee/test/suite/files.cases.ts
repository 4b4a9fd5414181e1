import {
  chunkCountFor,
  concat,
  decodeChunk,
  deriveFileKey,
  E2eeErrorCode,
  FileIntegrityError,
  DecryptError,
  SignatureError,
  sealChunk,
  openChunk,
  type SessionEvent,
} from '../../src';
import { encodeChunkHeader } from '../../src/message-frame';
import { bytesEq, check, equal, isError, rejects, type TestCase } from '../harness';
import { lastRejection, rejections, RoomSim } from '../room-sim';

const CHUNK = 1024;

function fileBytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

async function offer(sim: RoomSim, from: string, data: Uint8Array, name = 'photo.png') {
  const file = await sim.members.get(from)!.session.prepareFile({
    name,
    mime: 'image/png',
    size: data.byteLength,
    chunkSize: CHUNK,
    preview: { mime: 'image/jpeg', data: Uint8Array.of(0xff, 0xd8, 0xff) },
  });
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < file.chunkCount; i++) {
    chunks.push(
      await file.sealChunk(i, data.subarray(i * CHUNK, Math.min(data.byteLength, (i + 1) * CHUNK))),
    );
  }
  return { file, chunks };
}

function received(events: readonly SessionEvent[], fileId: string): Uint8Array {
  return concat(
    ...events.flatMap((e) => (e.type === 'file-chunk' && e.fileId === fileId ? [e.data] : [])),
  );
}

export const fileCases: TestCase[] = [
  {
    name: 'files: chunked stream with a signed manifest and preview round-trips to every member',
    async run() {
      const sim = new RoomSim();
      for (const id of ['alice', 'bob', 'carol']) await sim.join(id);
      const data = fileBytes(2500);
      const { file, chunks } = await offer(sim, 'alice', data);
      equal(file.chunkCount, chunkCountFor(2500, CHUNK), 'chunk count');
      sim.broadcast('alice', file.manifestFrame);
      for (const c of chunks) sim.broadcast('alice', c);
      await sim.flush();
      for (const id of ['bob', 'carol']) {
        const m = sim.members.get(id)!;
        const manifest = m.events.find((e) => e.type === 'message' && e.content.type === 'file');
        check(
          manifest?.type === 'message' && manifest.content.type === 'file',
          `${id} got the manifest`,
        );
        equal(manifest.content.manifest.name, 'photo.png', 'name');
        equal(manifest.content.manifest.preview?.mime, 'image/jpeg', 'preview');
        check(!('secret' in manifest.content.manifest), 'the file secret is not handed to the app');
        bytesEq(received(m.events, file.fileId), data, `${id} reassembled`);
        equal(rejections(m).length, 0, 'no rejections');
      }
      // Every chunk ciphertext has the same size: the last one is padded to the chunk size.
      equal(new Set(chunks.map((c) => c.byteLength)).size, 1, 'uniform chunk frames');
    },
  },
  {
    name: 'negative: swapped file chunks (delivery order)',
    async run() {
      const sim = new RoomSim();
      await sim.join('alice');
      await sim.join('bob');
      const { file, chunks } = await offer(sim, 'alice', fileBytes(3000));
      await sim.inject('bob', 'alice', file.manifestFrame);
      const events = await sim.inject('bob', 'alice', chunks[1]!);
      isError(
        lastRejection(events),
        FileIntegrityError,
        E2eeErrorCode.FILE_INTEGRITY,
        'chunk 1 before 0',
      );
      const later = await sim.inject('bob', 'alice', chunks[0]!);
      isError(
        lastRejection(later),
        FileIntegrityError,
        E2eeErrorCode.FILE_INTEGRITY,
        'stream stays failed',
      );
      equal(
        received(sim.members.get('bob')!.events, file.fileId).byteLength,
        0,
        'nothing delivered',
      );
    },
  },
  {
    name: 'negative: spliced file chunks (header rewritten, or a chunk from another file)',
    async run() {
      const sim = new RoomSim();
      await sim.join('alice');
      await sim.join('bob');
      const one = await offer(sim, 'alice', fileBytes(2048, 1), 'one');
      const two = await offer(sim, 'alice', fileBytes(2048, 2), 'two');
      await sim.inject('bob', 'alice', one.file.manifestFrame);
      await sim.inject('bob', 'alice', two.file.manifestFrame);
      // The relay moves file two's chunk 0 into file one's stream by rewriting the file id.
      const target = decodeChunk(one.chunks[0]!);
      check(target.ok, 'chunk decodes');
      const moved = new Uint8Array(two.chunks[0]!);
      moved.set(target.value.fileId, 10);
      isError(
        lastRejection(await sim.inject('bob', 'alice', moved)),
        SignatureError,
        E2eeErrorCode.BAD_SIGNATURE,
        'rewritten header',
      );
      // Even the sender itself (who can sign) can't splice: the AEAD binds file id and index.
      const roomTag = (
        sim.members.get('alice')!.session as unknown as { ctx: { roomTag: Uint8Array } }
      ).ctx.roomTag;
      const ctx = { roomId: sim.roomId, roomTag, sender: 'alice' };
      // File keys live inside sessions; derive two files' keys here to splice at the AEAD layer.
      const secret = new Uint8Array(32).fill(9);
      const fileA = Uint8Array.from({ length: 16 }, (_, i) => i);
      const fileB = Uint8Array.from({ length: 16 }, (_, i) => 100 + i);
      const keyA = await deriveFileKey(secret, sim.roomId, fileA, 'alice');
      const keyB = await deriveFileKey(secret, sim.roomId, fileB, 'alice');
      const identity = sim.members.get('alice')!.identity;
      const a0 = decodeChunk(
        await sealChunk(ctx, keyA, identity, fileA, 0, false, fileBytes(CHUNK, 3), CHUNK),
      );
      const a1 = decodeChunk(
        await sealChunk(ctx, keyA, identity, fileA, 1, true, fileBytes(10, 4), CHUNK),
      );
      check(a0.ok && a1.ok, 'sealed');
      // Chunk 1's ciphertext under chunk 0's header (swap inside the stream).
      const swapped = { ...a0.value, ciphertext: a1.value.ciphertext };
      isError(
        await openChunk(ctx, swapped, keyA),
        DecryptError,
        E2eeErrorCode.DECRYPT_FAILED,
        'swapped ciphertext',
      );
      // File A's chunk presented as file B's (same secret even), header rewritten.
      const spliced = {
        ...a0.value,
        fileId: fileB,
        header: encodeChunkHeader(roomTag, fileB, 0, false),
      };
      isError(
        await openChunk(ctx, spliced, keyB),
        DecryptError,
        E2eeErrorCode.DECRYPT_FAILED,
        'spliced across files',
      );
      bytesEq(
        (await openChunk(ctx, a0.value, keyA)) as Uint8Array,
        fileBytes(CHUNK, 3),
        'genuine chunk opens',
      );
    },
  },
  {
    name: 'negative: truncated file stream (last chunk dropped) fails when it stalls',
    async run() {
      const sim = new RoomSim();
      await sim.join('alice');
      await sim.join('bob');
      const { file, chunks } = await offer(sim, 'alice', fileBytes(3000));
      await sim.inject('bob', 'alice', file.manifestFrame);
      for (const c of chunks.slice(0, -1)) await sim.inject('bob', 'alice', c);
      const out = await sim.members.get('bob')!.session.expire(Date.now() + 10 * 60_000);
      isError(
        lastRejection(out.events),
        FileIntegrityError,
        E2eeErrorCode.FILE_INTEGRITY,
        'truncated',
      );
      check(
        !sim.members.get('bob')!.events.some((e) => e.type === 'file-chunk' && e.last),
        'never completed',
      );
    },
  },
  {
    name: 'files: an outgoing stream stops when a member who holds the file key leaves',
    async run() {
      const sim = new RoomSim();
      for (const id of ['alice', 'bob', 'carol']) await sim.join(id);
      const data = fileBytes(3000);
      const file = await sim.members.get('alice')!.session.prepareFile({
        name: 'x',
        mime: 'application/octet-stream',
        size: 3000,
        chunkSize: CHUNK,
      });
      await file.sealChunk(0, data.subarray(0, CHUNK));
      await sim.leave('carol');
      await rejects(
        () => file.sealChunk(1, data.subarray(CHUNK, 2 * CHUNK)),
        (e) => isError(e, FileIntegrityError, E2eeErrorCode.FILE_INTEGRITY, 'after leave'),
      );
      await rejects(
        () => file.sealChunk(0, data.subarray(0, CHUNK)),
        (e) => check(e instanceof RangeError, 'a chunk index can never be sealed twice'),
      );
    },
  },
];
