/**
 * Runs in Chromium: a browser member of a real room, using the browser's own WebSocket and
 * WebCrypto. Parameters come from the page URL; progress is reported on `globalThis.__report`.
 */
import { createImagePreview, NullroomClient } from '../../src';

/** What the page reports (read by browser.e2e.spec.ts). */
export interface Report {
  fingerprint?: string;
  safetyNumber?: string;
  received: string[];
  preview?: { mime: string; bytes: number };
  fileId?: string;
  error?: string;
  done: boolean;
}

const report: Report = { received: [], done: false };
(globalThis as { __report?: Report }).__report = report;

async function pngBlob(): Promise<Blob> {
  const canvas = new OffscreenCanvas(640, 480);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#3a6';
  ctx.fillRect(0, 0, 640, 480);
  ctx.fillStyle = '#fff';
  ctx.fillRect(100, 100, 200, 150);
  return canvas.convertToBlob({ type: 'image/png' });
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const client = new NullroomClient({
    url: params.get('relay')!,
    roomId: params.get('room')!,
    joinToken: params.get('token') ?? undefined,
    clientId: 'chromium-alice',
  });
  client.on('message', (m) => {
    report.received.push(`${m.from}: ${m.text}`);
    if (m.text === 'hello from node') {
      void (async () => {
        await client.sendText('hello from chromium');
        const image = await pngBlob();
        const preview = await createImagePreview(image);
        if (preview) report.preview = { mime: preview.mime, bytes: preview.data.byteLength };
        report.fileId = await client.sendFile(image, { name: 'square.png' });
        report.done = true;
      })().catch((e: unknown) => (report.error = String(e)));
    }
  });
  client.on('epoch', (e) => {
    report.fingerprint = e.fingerprint;
    if (e.members.includes('node-bob'))
      void client.safetyNumber('node-bob').then((n) => (report.safetyNumber = n));
  });
  await client.connect();
}

main().catch((e: unknown) => (report.error = String(e)));
