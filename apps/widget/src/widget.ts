/**
 * One embedded chat: creates the room when the page has none (p2p host without a backend, or a
 * support visitor), joins it with the client SDK and maps SDK events onto the view. Reconnects
 * (drain 1012, dropped networks) are the SDK's; the widget only shows them.
 */
import {
  ConnectionClosedError,
  createRoom,
  Emitter,
  HttpError,
  NullroomClient,
  TypingNotifier,
  TypingRoster,
} from '@nullroom/client';
import { describeClose } from './close-text';
import { inviteLink, type ResolvedOptions } from './options';
import { solveChallenge } from './turnstile';
import { type ConnectionLabel, type FileItem, View } from './view';

export interface WidgetEvents extends Record<string, unknown> {
  /** The widget created a room (p2p host or support visitor). */
  room: { readonly roomId: string; readonly joinToken?: string; readonly inviteUrl?: string };
  state: { readonly state: ConnectionLabel };
  /** A group key is in force; `fingerprint` is the safety number shown under "Verify". */
  ready: { readonly fingerprint: string; readonly members: readonly string[] };
  message: { readonly from: string; readonly text: string; readonly own: boolean };
  closed: { readonly code: number; readonly title: string };
  error: { readonly message: string; readonly code?: WidgetErrorCode };
}

/** Why the widget could not start a chat, for pages that want to react (the demo page does). */
export const WidgetErrorCode = {
  /** POST /rooms answered 401: the relay has ANOCHAT_API_KEY set; the site's backend must create rooms. */
  ROOMS_NEED_API_KEY: 'rooms-need-api-key',
  /** The Turnstile challenge could not be shown or solved, or the relay refused its token. */
  TURNSTILE_FAILED: 'turnstile-failed',
  /** Anything else on the way to a room (relay unreachable, busy, rate limit). */
  ROOM_NOT_CREATED: 'room-not-created',
} as const;
export type WidgetErrorCode = (typeof WidgetErrorCode)[keyof typeof WidgetErrorCode];

const SHOWN_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export class Widget extends Emitter<WidgetEvents> {
  private readonly view: View;
  private client: NullroomClient | undefined;
  private destroyed = false;
  private roomIdValue: string | undefined;
  private readonly urls: string[] = [];
  private readonly incoming = new Map<string, FileItem>();
  private readonly sent = new Map<string, (text: string) => void>();
  /** Our typing indicator (libs/client's debounce, the same as the admin dashboard's). */
  private readonly ownTyping = new TypingNotifier((active) => {
    this.client?.setTyping(active).catch(() => undefined);
  });
  /** Who else is typing. */
  private readonly typers = new TypingRoster(() => this.renderTyping());
  private unread: string[] = [];
  private others = 0;
  private readonly onVisible = (): void => this.flushReadReceipts();

  constructor(private readonly options: ResolvedOptions) {
    super();
    this.view = new View(options.container, options.title, {
      send: (text) => void this.send(text),
      typing: () => this.typing(),
      files: (files) => void this.sendFiles(files),
    });
    document.addEventListener('visibilitychange', this.onVisible);
  }

  get roomId(): string | undefined {
    return this.roomIdValue;
  }

  async start(): Promise<void> {
    let { roomId, joinToken } = this.options;
    try {
      if (roomId === undefined) {
        this.view.showNotice('wait', 'Creating a private room…');
        const room = await this.createRoom();
        if (!room || this.destroyed) return;
        roomId = room.roomId;
        // p2p: the join token; support: the visitor token, joined with the same way.
        joinToken = room.joinToken ?? room.visitorToken;
        let inviteUrl: string | undefined;
        if (this.options.mode === 'p2p' && joinToken !== undefined) {
          inviteUrl = inviteLink(this.options.inviteUrl, roomId, joinToken);
          this.view.showInvite(inviteUrl);
        }
        this.emit('room', {
          roomId,
          ...(joinToken === undefined ? {} : { joinToken }),
          ...(inviteUrl === undefined ? {} : { inviteUrl }),
        });
      }
      this.roomIdValue = roomId;
      await this.join(roomId, joinToken);
    } catch (error) {
      if (this.destroyed || error instanceof ConnectionClosedError) return;
      this.fail('Could not connect', 'The chat relay could not be reached. Try again later.');
    }
  }

  /** Leaves the room, drops every key and removes the widget from the page. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.client?.close();
    this.client = undefined;
    this.ownTyping.reset();
    this.typers.clear();
    for (const url of this.urls.splice(0)) URL.revokeObjectURL(url);
    document.removeEventListener('visibilitychange', this.onVisible);
    this.view.remove();
  }

  private async createRoom(): Promise<
    { roomId: string; joinToken?: string; visitorToken?: string } | undefined
  > {
    const base = this.options.baseUrl;
    const config = await this.publicConfig();
    let turnstileToken: string | undefined;
    if (config.turnstile) {
      if (config.siteKey === undefined) {
        this.fail(
          'Chat not available',
          'This relay protects room creation with Turnstile but publishes no site key.',
          WidgetErrorCode.TURNSTILE_FAILED,
        );
        return undefined;
      }
      this.view.showNotice('wait', 'One moment…', ' Confirm you are a person to start the chat.');
      try {
        turnstileToken = await solveChallenge(this.view.challengeHost(), config.siteKey);
      } catch {
        if (this.destroyed) return undefined;
        this.fail(
          'Could not start the chat',
          'The human check could not be completed. Reload the page to try again.',
          WidgetErrorCode.TURNSTILE_FAILED,
        );
        return undefined;
      }
      if (this.destroyed) return undefined;
      this.view.showNotice('wait', 'Creating a private room…');
    }
    try {
      return await createRoom(base, undefined, this.options.mode, {
        ...(turnstileToken === undefined ? {} : { turnstileToken }),
      });
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 0;
      if (status === 401) {
        this.fail(
          'Chat not available',
          "This relay only creates rooms for the site's backend. The site must create the room " +
            'on its server and pass roomId and joinToken to the widget.',
          WidgetErrorCode.ROOMS_NEED_API_KEY,
        );
      } else if (status === 403 && turnstileToken !== undefined) {
        this.fail(
          'Could not start the chat',
          'The relay did not accept the human check. Reload the page to try again.',
          WidgetErrorCode.TURNSTILE_FAILED,
        );
      } else if (status === 429) {
        this.fail(
          'Too many chats',
          'Too many rooms were created from here. Try again in a minute.',
        );
      } else if (status === 503) {
        this.fail(
          'Chat is busy',
          'The relay has no room for new chats right now. Try again later.',
        );
      } else if (status !== 0) {
        this.fail('Could not start the chat', `The relay answered HTTP ${status}.`);
      } else {
        this.fail('Could not start the chat', 'The chat relay could not be reached.');
      }
      return undefined;
    }
  }

  /** GET /public-config; a relay without it (or unreachable) is treated as "no Turnstile". */
  private async publicConfig(): Promise<{ turnstile: boolean; siteKey?: string }> {
    try {
      const res = await fetch(new URL('/public-config', this.options.baseUrl), {
        credentials: 'omit',
      });
      if (!res.ok) return { turnstile: false };
      const body = (await res.json()) as { turnstile?: unknown; turnstileSiteKey?: unknown };
      const siteKey =
        typeof body.turnstileSiteKey === 'string' && body.turnstileSiteKey !== ''
          ? body.turnstileSiteKey
          : undefined;
      return { turnstile: body.turnstile === true, ...(siteKey ? { siteKey } : {}) };
    } catch {
      return { turnstile: false };
    }
  }

  private async join(roomId: string, joinToken: string | undefined): Promise<void> {
    const client = new NullroomClient({
      url: this.options.baseUrl,
      roomId,
      ...(joinToken === undefined ? {} : { joinToken }),
    });
    this.client = client;
    const self = client.clientId;

    client.on('state', ({ state }) => {
      if (state === 'closed' || state === 'idle') return; // 'closed' below has the code
      this.view.setState(state);
      this.emit('state', { state });
      if (state === 'reconnecting')
        this.view.showNotice('wait', 'Reconnecting…', ' Your messages stay encrypted.');
    });
    client.on('epoch', ({ members, fingerprint }) => {
      this.others = members.length - 1;
      this.view.setFingerprint(fingerprint);
      this.updateWaiting();
      this.emit('ready', { fingerprint, members });
    });
    client.on('presence', ({ event, clientId }) => {
      if (clientId === self) return;
      if (event === 'joined') {
        this.view.addSystem(`${this.label(clientId)} joined`);
        this.view.hideInvite();
      } else if (event === 'left') {
        this.view.addSystem(`${this.label(clientId)} left`);
        this.stopTyping(clientId);
      }
    });
    client.on('peer', ({ clientId, safetyNumber }) =>
      this.view.setPeerSafetyNumber(this.label(clientId), safetyNumber),
    );
    client.on('message', ({ id, from, text }) => {
      this.stopTyping(from);
      this.view.addMessage(false, this.label(from), text);
      this.emit('message', { from, text, own: false });
      this.unread.push(id);
      this.flushReadReceipts();
    });
    client.on('read', ({ messageId }) => this.sent.get(messageId)?.('Read'));
    client.on('typing', ({ from, active }) =>
      active ? this.startTyping(from) : this.stopTyping(from),
    );
    client.on('file-offer', ({ from, fileId, offer }) => {
      this.stopTyping(from);
      const preview = offer.preview
        ? this.objectUrl(new Blob([offer.preview.data], { type: offer.preview.mime }))
        : undefined;
      this.incoming.set(
        `${from}:${fileId}`,
        this.view.addFile(false, this.label(from), offer.name, offer.size, preview),
      );
    });
    client.on('file-progress', ({ direction, fileId, bytes, total }) => {
      if (direction !== 'in') return;
      for (const [key, item] of this.incoming)
        if (key.endsWith(`:${fileId}`)) item.progress(bytes, total);
    });
    client.on('file', ({ from, fileId, mime, data }) => {
      const key = `${from}:${fileId}`;
      const item = this.incoming.get(key);
      this.incoming.delete(key);
      // A hostile peer picks the MIME type: only raster images are ever shown inline, and the
      // download is served as opaque bytes so nothing the peer sent can run as a page.
      const showImage = SHOWN_IMAGE_TYPES.has(mime);
      const url = this.objectUrl(
        new Blob([data as Uint8Array<ArrayBuffer>], {
          type: showImage ? mime : 'application/octet-stream',
        }),
      );
      item?.complete(url, showImage);
    });
    client.on('security', () =>
      this.view.addSystem('A message failed verification and was dropped.', true),
    );
    client.on('relay-error', ({ message }) => this.emit('error', { message }));
    client.on('closed', ({ code }) => {
      if (this.destroyed) return;
      const text = describeClose(code);
      this.view.setState('closed', text.title);
      this.view.hideInvite();
      this.view.showNotice('closed', text.title, ` ${text.detail}`);
      this.emit('closed', { code, title: text.title });
    });

    try {
      await client.connect();
    } catch (error) {
      if (error instanceof ConnectionClosedError || this.destroyed) return;
      throw error;
    }
  }

  private updateWaiting(): void {
    if (this.others > 0) {
      this.view.clearNotice();
      return;
    }
    if (this.options.mode === 'support') {
      this.view.showNotice(
        'wait',
        'Waiting for support…',
        ' An agent will join this chat shortly.',
      );
    } else if (this.options.isP2PGuest) {
      this.view.showNotice('wait', 'Waiting for the other person…');
    } else {
      this.view.showNotice(
        'wait',
        'Waiting for someone to join…',
        this.options.roomId === undefined ? ' Send them the invite link above.' : '',
      );
    }
  }

  private async send(text: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.endTyping();
    const item = this.view.addMessage(true, 'You', text);
    this.emit('message', { from: client.clientId, text, own: true });
    try {
      const id = await client.sendText(text);
      this.sent.set(id, item.setReceipt);
      item.setReceipt(this.others > 0 ? 'Sent' : 'Sent · nobody else is here yet');
    } catch {
      item.element.classList.add('failed');
      item.setReceipt('Not sent');
    }
  }

  private async sendFiles(files: readonly File[]): Promise<void> {
    for (const file of files) {
      const client = this.client;
      if (!client || this.destroyed) return;
      const shownLocally = SHOWN_IMAGE_TYPES.has(file.type);
      const item = this.view.addFile(
        true,
        'You',
        file.name,
        file.size,
        shownLocally ? this.objectUrl(file) : undefined,
      );
      if (file.size > this.options.maxFileBytes) {
        item.fail('Too large to send');
        continue;
      }
      try {
        await client.sendFile(file, { name: file.name, onProgress: (s, t) => item.progress(s, t) });
        item.complete(this.objectUrl(file), false);
      } catch {
        item.fail('Not sent — try again');
      }
    }
  }

  private typing(): void {
    if (this.client?.state === 'ready') this.ownTyping.keystroke();
  }

  private endTyping(): void {
    this.ownTyping.stop();
  }

  private startTyping(from: string): void {
    this.typers.set(from, true);
  }

  private stopTyping(from: string): void {
    this.typers.set(from, false);
  }

  private renderTyping(): void {
    const names = [...this.typers.typers].map((id) => this.label(id));
    this.view.setTyping(
      names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`,
    );
  }

  /** Read receipts only while the page is visible: a hidden tab hasn't read anything. */
  private flushReadReceipts(): void {
    const client = this.client;
    if (!client || document.visibilityState !== 'visible') return;
    for (const id of this.unread.splice(0)) client.markRead(id).catch(() => undefined);
  }

  private label(clientId: string): string {
    // SDK ids are c-<16 hex>: 6 are plenty to tell people apart. Others (agents) as they are.
    const short = /^c-[0-9a-f]{16}$/.test(clientId) ? clientId.slice(-6) : clientId.slice(0, 16);
    return this.options.mode === 'support' ? `Support · ${short}` : `Peer · ${short}`;
  }

  private objectUrl(blob: Blob): string {
    const url = URL.createObjectURL(blob);
    this.urls.push(url);
    return url;
  }

  private fail(
    title: string,
    detail: string,
    code: WidgetErrorCode = WidgetErrorCode.ROOM_NOT_CREATED,
  ): void {
    this.view.setState('error');
    this.view.showNotice('error', title, ` ${detail}`);
    this.emit('error', { message: `${title}: ${detail}`, code });
  }
}
