/**
 * What travels inside a MESSAGE's AEAD (after unpadding):
 *
 *   TEXT    0x01 | utf8…
 *   TYPING  0x02 | active u8
 *   READ    0x03 | messageId str8                 (a read receipt for another message)
 *   FILE    0x04 | fileId 16 | fileSecret 32 | size u32 | chunkSize u32 | chunkCount u32
 *               | name u16+utf8 | mime str8 | previewMime str8 | preview u32+bytes
 *   CALL    0x0C | bytes…                         (call signalling for the whole room: ringing,
 *                                                  who joins with which keys; libs/client/calls)
 *
 * Typing indicators and read receipts are therefore as opaque to the relay as text. A FILE
 * content is the file's manifest; since every MESSAGE is signed, so is the manifest, and it pins
 * the chunk count and size the stream must have.
 */
import { ByteReader, type Bytes, ByteWriter, utf8, utf8Decode } from './bytes';
import { FILE_ID_BYTES } from './message-frame';

export const ContentType = {
  TEXT: 0x01,
  TYPING: 0x02,
  READ: 0x03,
  FILE: 0x04,
  CALL: 0x0c,
} as const;

/** A call announcement is a few hundred bytes; anything near this is not one. */
export const MAX_CALL_CONTENT_BYTES = 8 * 1024;

export const MIN_CHUNK_SIZE = 1024;
export const MAX_CHUNK_SIZE = 512 * 1024;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
export const MAX_CHUNKS = 65536;
export const MAX_PREVIEW_BYTES = 64 * 1024;
export const FILE_SECRET_BYTES = 32;

export interface FileManifest {
  readonly fileId: Bytes;
  readonly secret: Bytes;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
  readonly preview?: { readonly mime: string; readonly data: Bytes };
}

export type Content =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'typing'; readonly active: boolean }
  | { readonly type: 'read'; readonly messageId: string }
  | { readonly type: 'file'; readonly manifest: FileManifest }
  /** Opaque to this library: the call layer's own encoding (libs/client/src/calls). */
  | { readonly type: 'call'; readonly data: Bytes };

/** A manifest as shown to the application: the file secret stays inside the session. */
export type FileOffer = Omit<FileManifest, 'secret'>;

export function toOffer(manifest: FileManifest): FileOffer {
  const { fileId, name, mime, size, chunkSize, chunkCount, preview } = manifest;
  return { fileId, name, mime, size, chunkSize, chunkCount, ...(preview ? { preview } : {}) };
}

/** What an application may send with `encrypt`; files go through `prepareFile`. */
export type ChatContent = Exclude<Content, { readonly type: 'file' }>;

/** What an application receives. */
export type DeliveredContent =
  ChatContent | { readonly type: 'file'; readonly manifest: FileOffer };

export function chunkCountFor(size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize));
}

export function encodeContent(content: Content): Bytes {
  const w = new ByteWriter();
  switch (content.type) {
    case 'text':
      return w.u8(ContentType.TEXT).bytes(utf8(content.text)).finish();
    case 'typing':
      return w
        .u8(ContentType.TYPING)
        .u8(content.active ? 1 : 0)
        .finish();
    case 'read':
      return w.u8(ContentType.READ).str8(content.messageId).finish();
    case 'call':
      if (content.data.byteLength > MAX_CALL_CONTENT_BYTES)
        throw new RangeError('data: a call message is at most 8 KiB');
      return w.u8(ContentType.CALL).bytes(content.data).finish();
    case 'file': {
      const m = content.manifest;
      const preview = m.preview;
      if (preview && preview.data.byteLength > MAX_PREVIEW_BYTES)
        throw new RangeError('preview: larger than 64 KiB');
      return w
        .u8(ContentType.FILE)
        .bytes(m.fileId)
        .bytes(m.secret)
        .u32(m.size)
        .u32(m.chunkSize)
        .u32(m.chunkCount)
        .bytes16(utf8(m.name))
        .str8(m.mime)
        .str8(preview?.mime ?? '')
        .u32(preview?.data.byteLength ?? 0)
        .bytes(preview?.data ?? new Uint8Array(0))
        .finish();
    }
  }
}

/** Decodes a content body; undefined for anything malformed or inconsistent. Never throws. */
export function decodeContent(body: Uint8Array): Content | undefined {
  const r = new ByteReader(body);
  switch (r.u8()) {
    case ContentType.TEXT: {
      const text = utf8Decode(body.subarray(1));
      return text === undefined ? undefined : { type: 'text', text };
    }
    case ContentType.TYPING: {
      const v = r.u8();
      return r.done && (v === 0 || v === 1) ? { type: 'typing', active: v === 1 } : undefined;
    }
    case ContentType.READ: {
      const messageId = r.str8();
      return r.done && messageId !== undefined && messageId.length > 0
        ? { type: 'read', messageId }
        : undefined;
    }
    case ContentType.CALL: {
      const data = body.slice(1);
      return data.byteLength > 0 && data.byteLength <= MAX_CALL_CONTENT_BYTES
        ? { type: 'call', data }
        : undefined;
    }
    case ContentType.FILE: {
      const fileId = r.bytes(FILE_ID_BYTES);
      const secret = r.bytes(FILE_SECRET_BYTES);
      const size = r.u32();
      const chunkSize = r.u32();
      const chunkCount = r.u32();
      const nameBytes = r.bytes16();
      const mime = r.str8();
      const previewMime = r.str8();
      const previewLength = r.u32();
      if (previewLength === undefined || previewLength > MAX_PREVIEW_BYTES) return undefined;
      const previewData = r.bytes(previewLength);
      const name = nameBytes && utf8Decode(nameBytes);
      if (
        !r.done ||
        !fileId ||
        !secret ||
        size === undefined ||
        chunkSize === undefined ||
        chunkCount === undefined
      )
        return undefined;
      if (name === undefined || mime === undefined || previewMime === undefined || !previewData)
        return undefined;
      if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) return undefined;
      if (chunkCount !== chunkCountFor(size, chunkSize) || chunkCount > MAX_CHUNKS)
        return undefined;
      const manifest: FileManifest = {
        fileId,
        secret,
        name,
        mime,
        size,
        chunkSize,
        chunkCount,
        ...(previewLength > 0 ? { preview: { mime: previewMime, data: previewData } } : {}),
      };
      return { type: 'file', manifest };
    }
    default:
      return undefined;
  }
}
