import WebSocket from 'ws';
import { type ServerFrame, decodeServerFrame } from '@nullroom/protocol';

/**
 * A test member: a real `ws` client that records every decoded relay frame and its close.
 */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  readonly raw: Buffer[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.notify();
        resolve({ code, reason: this.closeReason });
      });
    });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data: Buffer) => {
      this.raw.push(data);
      const decoded = decodeServerFrame(
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      );
      if (decoded.ok) this.frames.push(decoded.frame);
      this.notify();
    });
  }

  static async join(
    wsUrl: string,
    params: { roomId: string; clientId: string; joinToken?: string; apiKey?: string },
  ): Promise<TestClient> {
    const client = new TestClient(
      `${wsUrl}?${new URLSearchParams(params as Record<string, string>).toString()}`,
    );
    await client.opened;
    return client;
  }

  /** Joins and waits for WELCOME; fails if the relay closes instead. */
  static async member(
    wsUrl: string,
    params: { roomId: string; clientId: string; joinToken?: string; apiKey?: string },
  ): Promise<TestClient> {
    const client = await TestClient.join(wsUrl, params);
    await client.waitFor((f) => f.type === 'welcome');
    return client;
  }

  messages(): Array<Extract<ServerFrame, { type: 'message' }>> {
    return this.frames.filter(
      (f): f is Extract<ServerFrame, { type: 'message' }> => f.type === 'message',
    );
  }

  async waitFor(
    predicate: (frame: ServerFrame) => boolean,
    timeoutMs = 5000,
  ): Promise<ServerFrame> {
    return this.until(() => this.frames.find(predicate), timeoutMs, 'frame');
  }

  async waitForCount(type: ServerFrame['type'], count: number, timeoutMs = 5000): Promise<void> {
    await this.until(
      () => (this.frames.filter((f) => f.type === type).length >= count ? true : undefined),
      timeoutMs,
      `${count} ${type} frames`,
    );
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    await this.until(() => (this.closeCode !== undefined ? true : undefined), timeoutMs, 'close');
    return { code: this.closeCode!, reason: this.closeReason };
  }

  send(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  close(): void {
    this.ws.close();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${what} (close=${this.closeCode ?? 'none'})`);
      }
      if (this.closeCode !== undefined && what !== 'close') {
        throw new Error(`closed (${this.closeCode} ${this.closeReason}) while waiting for ${what}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export interface CreatedRoom {
  roomId: string;
  joinToken?: string;
  mode: string;
  maxParticipants: number;
}

export async function createRoom(
  baseUrl: string,
  body: Record<string, unknown> = { mode: 'p2p' },
  apiKey?: string,
): Promise<CreatedRoom> {
  const res = await fetch(`${baseUrl}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /rooms: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedRoom;
}
