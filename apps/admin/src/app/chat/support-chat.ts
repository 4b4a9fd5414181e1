import { computed, inject, Injectable, InjectionToken, signal } from '@angular/core';
import {
  type ClientState,
  ConnectionClosedError,
  NullroomClient,
  TimeoutError,
  TypingNotifier,
  TypingRoster,
} from '@nullroom/client';
import { describeClose, isRoomGone } from '../shared/close-reasons';

export interface ChatFile {
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  /** Thumbnail sent with the offer (object URL), before the file itself arrives. */
  readonly previewUrl?: string;
  /** The whole file (object URL) once received or, for our own, right away. */
  readonly url?: string;
  readonly transferred: number;
}

export interface ChatItem {
  readonly key: string;
  readonly id?: string;
  readonly from: string;
  readonly mine: boolean;
  readonly at: number;
  readonly text?: string;
  readonly file?: ChatFile;
  readonly read?: boolean;
  readonly failed?: boolean;
}

/** Where the relay is: the page's own origin (the dashboard is served by the relay). */
export const RELAY_ORIGIN = new InjectionToken<string>('relay origin', {
  providedIn: 'root',
  factory: () => location.origin,
});

/**
 * The admin's end of one support room: a {@link NullroomClient} whose events become signals.
 * The admin is an ordinary member (`admin-<random>`); the relay sees only ciphertext.
 */
@Injectable({ providedIn: 'root' })
export class SupportChat {
  readonly roomId = signal<string | undefined>(undefined);
  readonly selfId = signal<string | undefined>(undefined);
  readonly state = signal<ClientState>('idle');
  readonly retryInMs = signal<number | undefined>(undefined);
  readonly members = signal<readonly string[]>([]);
  readonly fingerprint = signal<string | undefined>(undefined);
  readonly safetyNumbers = signal<ReadonlyMap<string, string>>(new Map());
  readonly items = signal<readonly ChatItem[]>([]);
  readonly typing = signal<ReadonlySet<string>>(new Set());
  readonly ended = signal<
    { code: number | undefined; message: string; roomGone: boolean } | undefined
  >(undefined);
  readonly warning = signal<string | undefined>(undefined);

  readonly peers = computed(() => this.members().filter((m) => m !== this.selfId()));
  /** A room is open in the panel (possibly ended, its history still on screen). */
  readonly inRoom = computed(() => this.roomId() !== undefined);
  /** Connected or trying to be: the composer is usable. */
  readonly active = computed(() => this.inRoom() && this.state() !== 'closed');

  private readonly origin = inject(RELAY_ORIGIN);
  private client: NullroomClient | undefined;
  private readonly objectUrls: string[] = [];
  /** Our typing indicator (libs/client's debounce, the same as the widget's). */
  private readonly ownTyping = new TypingNotifier((active) => {
    void this.client?.setTyping(active).catch(() => undefined);
  });
  /** Who else is typing, mirrored into the `typing` signal. */
  private readonly typers = new TypingRoster((set) => this.typing.set(set));
  private sequence = 0;

  /** Joins the room as `admin-<random>`; resolves once the group key is in force. */
  async join(roomId: string, apiKey: string | undefined): Promise<void> {
    this.leave();
    this.ended.set(undefined);
    const client = new NullroomClient({
      url: this.origin,
      roomId,
      clientId: `admin-${randomHex(6)}`,
      ...(apiKey ? { apiKey } : {}),
    });
    this.client = client;
    this.roomId.set(roomId);
    this.selfId.set(client.clientId);
    this.wire(client);
    try {
      await client.connect();
    } catch (error) {
      if (this.client !== client) return;
      if (error instanceof ConnectionClosedError) return; // 'closed' said why
      this.warning.set(
        error instanceof TimeoutError
          ? 'No encrypted session yet: still trying to reach the relay.'
          : 'Could not join the room.',
      );
    }
  }

  /** Leaves the room (the connection closes; the room stays for the visitor). */
  leave(): void {
    const client = this.client;
    this.client = undefined;
    client?.close();
    for (const url of this.objectUrls.splice(0)) URL.revokeObjectURL(url);
    this.ownTyping.reset();
    this.typers.clear();
    this.roomId.set(undefined);
    this.selfId.set(undefined);
    this.state.set('idle');
    this.retryInMs.set(undefined);
    this.members.set([]);
    this.fingerprint.set(undefined);
    this.safetyNumbers.set(new Map());
    this.items.set([]);
    this.typing.set(new Set());
    this.warning.set(undefined);
  }

  /** Clears an ended conversation from the panel. */
  dismiss(): void {
    this.leave();
    this.ended.set(undefined);
  }

  async sendText(text: string): Promise<void> {
    const client = this.client;
    const trimmed = text.trim();
    if (!client || trimmed === '') return;
    this.stopTyping();
    const key = this.nextKey();
    this.items.update((items) => [
      ...items,
      { key, from: client.clientId, mine: true, at: Date.now(), text: trimmed },
    ]);
    try {
      const id = await client.sendText(trimmed);
      this.patch(key, { id });
    } catch {
      this.patch(key, { failed: true });
    }
  }

  async sendFile(file: File): Promise<void> {
    const client = this.client;
    if (!client) return;
    const key = this.nextKey();
    const url = this.track(URL.createObjectURL(file));
    this.items.update((items) => [
      ...items,
      {
        key,
        from: client.clientId,
        mine: true,
        at: Date.now(),
        file: { name: file.name, mime: file.type, size: file.size, url, transferred: 0 },
      },
    ]);
    try {
      await client.sendFile(file, {
        name: file.name,
        onProgress: (sent) => this.patchFile(key, { transferred: sent }),
      });
    } catch {
      this.patch(key, { failed: true });
    }
  }

  /** Call on every keystroke: sends "typing" once, and "stopped" after a pause. */
  noteTyping(): void {
    if (this.client?.state === 'ready') this.ownTyping.keystroke();
  }

  private stopTyping(): void {
    this.ownTyping.stop();
  }

  private wire(client: NullroomClient): void {
    const mine =
      <T>(fn: (event: T) => void) =>
      (event: T) => {
        if (this.client === client) fn(event);
      };
    client.on(
      'state',
      mine((e) => {
        this.state.set(e.state);
        this.retryInMs.set(e.retryInMs);
        if (e.state === 'ready') this.warning.set(undefined);
      }),
    );
    client.on(
      'presence',
      mine((e) => {
        this.members.set(e.members);
        if (e.event === 'left') this.setTyping(e.clientId, false);
      }),
    );
    client.on(
      'epoch',
      mine((e) => {
        this.fingerprint.set(e.fingerprint);
        this.members.set(e.members);
      }),
    );
    client.on(
      'peer',
      mine((e) => this.safetyNumbers.update((m) => new Map(m).set(e.clientId, e.safetyNumber))),
    );
    client.on(
      'message',
      mine((e) => {
        this.setTyping(e.from, false);
        this.items.update((items) => [
          ...items,
          {
            key: this.nextKey(),
            id: e.id,
            from: e.from,
            mine: false,
            at: Date.now(),
            text: e.text,
          },
        ]);
        void client.markRead(e.id).catch(() => undefined);
      }),
    );
    client.on(
      'read',
      mine((e) =>
        this.items.update((items) =>
          items.map((i) => (i.mine && i.id === e.messageId ? { ...i, read: true } : i)),
        ),
      ),
    );
    client.on(
      'typing',
      mine((e) => this.setTyping(e.from, e.active)),
    );
    client.on(
      'file-offer',
      mine((e) => {
        const preview = e.offer.preview;
        const previewUrl = preview
          ? this.track(URL.createObjectURL(new Blob([copy(preview.data)], { type: preview.mime })))
          : undefined;
        this.setTyping(e.from, false);
        this.items.update((items) => [
          ...items,
          {
            key: `file:${e.from}:${e.fileId}`,
            from: e.from,
            mine: false,
            at: Date.now(),
            file: {
              name: e.offer.name,
              mime: e.offer.mime,
              size: e.offer.size,
              transferred: 0,
              ...(previewUrl ? { previewUrl } : {}),
            },
          },
        ]);
      }),
    );
    client.on(
      'file-progress',
      mine((e) => {
        if (e.direction === 'in') this.patchIncoming(e.fileId, { transferred: e.bytes });
      }),
    );
    client.on(
      'file',
      mine((e) => {
        const url = this.track(URL.createObjectURL(new Blob([copy(e.data)], { type: e.mime })));
        this.patchIncoming(e.fileId, { url, transferred: e.data.byteLength });
      }),
    );
    client.on(
      'security',
      mine((e) =>
        this.warning.set(
          `A frame failed end-to-end verification and was dropped (${e.error.code}).`,
        ),
      ),
    );
    client.on(
      'closed',
      mine((e) => {
        this.state.set('closed');
        this.ended.set({
          code: e.code,
          message: describeClose(e.code),
          roomGone: isRoomGone(e.code),
        });
      }),
    );
  }

  private setTyping(from: string, active: boolean): void {
    this.typers.set(from, active);
  }

  private patch(key: string, change: Partial<ChatItem>): void {
    this.items.update((items) => items.map((i) => (i.key === key ? { ...i, ...change } : i)));
  }

  private patchFile(key: string, change: Partial<ChatFile>): void {
    this.items.update((items) =>
      items.map((i) => (i.key === key && i.file ? { ...i, file: { ...i.file, ...change } } : i)),
    );
  }

  private patchIncoming(fileId: string, change: Partial<ChatFile>): void {
    this.items.update((items) =>
      items.map((i) =>
        !i.mine && i.file && i.key.endsWith(`:${fileId}`)
          ? { ...i, file: { ...i.file, ...change } }
          : i,
      ),
    );
  }

  private track(url: string): string {
    this.objectUrls.push(url);
    return url;
  }

  private nextKey(): string {
    return `item-${++this.sequence}`;
  }
}

function randomHex(bytes: number): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A Blob part over its own ArrayBuffer (the SDK's arrays may view a larger buffer). */
function copy(data: Uint8Array): ArrayBuffer {
  return data.slice().buffer;
}
