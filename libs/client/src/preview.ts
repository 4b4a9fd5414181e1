/**
 * Image previews for the widget: a small JPEG thumbnail made in the browser before sending, so
 * recipients can show the image before (or instead of) downloading it. Returns undefined where
 * the platform can't decode images (Node, old browsers); the file is sent without a preview.
 */
import { MAX_PREVIEW_BYTES } from '@nullroom/e2ee';

export interface Preview {
  readonly mime: string;
  readonly data: Uint8Array;
}

interface BitmapLike {
  readonly width: number;
  readonly height: number;
  close(): void;
}

export async function createImagePreview(image: Blob, maxSide = 160): Promise<Preview | undefined> {
  const g = globalThis as {
    createImageBitmap?: (b: Blob) => Promise<BitmapLike>;
    OffscreenCanvas?: new (
      w: number,
      h: number,
    ) => {
      getContext(
        kind: '2d',
      ): { drawImage(img: BitmapLike, x: number, y: number, w: number, h: number): void } | null;
      convertToBlob(options: { type: string; quality: number }): Promise<Blob>;
    };
  };
  if (!g.createImageBitmap || !g.OffscreenCanvas || !image.type.startsWith('image/'))
    return undefined;
  try {
    const bitmap = await g.createImageBitmap(image);
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new g.OffscreenCanvas(w, h);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, w, h);
    bitmap.close();
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.7 });
    const data = new Uint8Array(await blob.arrayBuffer());
    return data.byteLength <= MAX_PREVIEW_BYTES ? { mime: 'image/jpeg', data } : undefined;
  } catch {
    return undefined;
  }
}
