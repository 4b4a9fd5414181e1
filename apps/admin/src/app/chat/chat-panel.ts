import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  type ElementRef,
  inject,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { formatBytes, shortId } from '../shared/format';
import { type ChatItem, SupportChat } from './support-chat';

const STATE_LABELS: Record<string, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  keying: 'Securing…',
  ready: 'Encrypted',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** The E2EE chat with the visitor of one support room. */
@Component({
  selector: 'nr-chat-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card chat" data-testid="chat-panel" aria-label="Support chat">
      <header class="card-head chat-head">
        <div>
          <h2>
            Room <code [title]="chat.roomId() ?? ''">{{ roomLabel() }}</code>
          </h2>
          <div class="presence" data-testid="presence">
            <span class="dot" [class.on]="peer() !== undefined && chat.active()"></span>
            {{ presence() }}
          </div>
        </div>
        <span class="pill" [class]="'pill ' + chat.state()" data-testid="connection-state">
          {{ stateLabel() }}
        </span>
        <div class="chat-actions">
          @if (chat.active()) {
            <button
              type="button"
              class="btn small ghost"
              data-testid="leave-room"
              (click)="chat.leave()"
            >
              Leave
            </button>
            <button
              type="button"
              class="btn small danger"
              data-testid="chat-close-room"
              (click)="closeRoom.emit(chat.roomId()!)"
            >
              Close room
            </button>
          } @else {
            <button type="button" class="btn small ghost" (click)="chat.dismiss()">Dismiss</button>
          }
        </div>
      </header>

      @if (chat.ended(); as ended) {
        <p class="alert" [class.info]="!ended.roomGone" role="status" data-testid="chat-ended">
          {{ ended.message }}
        </p>
      }
      @if (chat.warning(); as warning) {
        <p class="alert" role="alert">{{ warning }}</p>
      }
      @if (reconnectNote(); as note) {
        <p class="alert info" role="status">{{ note }}</p>
      }

      @if (chat.active()) {
        <div class="verify">
          <div>
            <div class="verify-label">Safety number with the visitor</div>
            <div class="digits" data-testid="safety-number">{{ safetyNumber() ?? '—' }}</div>
          </div>
          <div>
            <div class="verify-label">Group fingerprint</div>
            <div class="digits" data-testid="fingerprint">{{ chat.fingerprint() ?? '—' }}</div>
          </div>
          <p class="hint">
            Compare one of these with the visitor over another channel (phone, in person). Same
            digits: nobody is in the middle.
          </p>
        </div>
      }

      @if (chat.inRoom()) {
        <ol class="messages" #messages data-testid="messages" aria-live="polite">
          @for (item of chat.items(); track item.key) {
            <li class="msg" [class.mine]="item.mine" [class.failed]="item.failed">
              <div class="bubble">
                @if (item.text !== undefined) {
                  <span class="text">{{ item.text }}</span>
                }
                @if (item.file; as file) {
                  <div class="file">
                    @if (file.mime.startsWith('image/') && (file.url ?? file.previewUrl); as src) {
                      <img [src]="src" [alt]="file.name" class="thumb" />
                    }
                    <div class="file-meta">
                      @if (file.url) {
                        <a [href]="file.url" [attr.download]="file.name">{{ file.name }}</a>
                      } @else {
                        <span>{{ file.name }}</span>
                      }
                      <span class="muted small">{{ fileStatus(item) }}</span>
                    </div>
                  </div>
                }
              </div>
              <div class="meta">
                {{ item.mine ? 'You' : 'Visitor' }} · {{ time(item.at) }}
                @if (item.mine && item.read) {
                  · <span data-testid="read">read</span>
                }
                @if (item.failed) {
                  · <span class="error-text">not sent</span>
                }
              </div>
            </li>
          } @empty {
            <li class="empty">No messages yet. Say hello to the visitor.</li>
          }
        </ol>
      }
      @if (chat.active()) {
        <div class="typing" data-testid="typing">
          @if (typingLine(); as line) {
            {{ line }}
          }
        </div>

        <form class="composer" (submit)="sendMessage($event)">
          <label
            class="btn ghost attach"
            title="Send a file (end-to-end encrypted)"
            aria-label="Send a file"
          >
            <span class="wide-only">Attach…</span>
            <span class="narrow-only" aria-hidden="true">+</span>
            <input
              type="file"
              data-testid="file-input"
              (change)="sendSelectedFile($event)"
              [disabled]="!ready()"
            />
          </label>
          <input
            type="text"
            class="grow"
            data-testid="message-input"
            placeholder="Write a message…"
            aria-label="Message"
            [value]="draft()"
            (input)="updateDraft($event)"
          />
          <button
            type="submit"
            class="btn primary"
            data-testid="send"
            [disabled]="!ready() || draft().trim() === ''"
          >
            Send
          </button>
        </form>
      }
    </section>
  `,
})
export class ChatPanel {
  protected readonly chat = inject(SupportChat);
  readonly closeRoom = output<string>();

  private readonly messageList = viewChild<ElementRef<HTMLOListElement>>('messages');
  protected readonly draft = signal('');

  protected readonly ready = computed(() => this.chat.state() === 'ready');
  protected readonly peer = computed(() => this.chat.peers()[0]);
  protected readonly roomLabel = computed(() => shortId(this.chat.roomId() ?? '', 12));
  protected readonly stateLabel = computed(
    () => STATE_LABELS[this.chat.state()] ?? this.chat.state(),
  );
  protected readonly safetyNumber = computed(() => {
    const peer = this.peer();
    return peer === undefined ? undefined : this.chat.safetyNumbers().get(peer);
  });
  protected readonly presence = computed(() => {
    const peer = this.peer();
    if (!this.chat.active()) return 'Not connected to the room';
    return peer === undefined ? 'Waiting for the visitor to connect' : `Visitor online (${peer})`;
  });
  protected readonly typingLine = computed(() =>
    this.chat.typing().size > 0 ? 'Visitor is typing…' : '',
  );
  protected readonly reconnectNote = computed(() => {
    if (this.chat.state() !== 'reconnecting') return undefined;
    const ms = this.chat.retryInMs();
    return `Relay unreachable: reconnecting${ms === undefined ? '' : ` in ${Math.ceil(ms / 1000)}s`}…`;
  });

  constructor() {
    // Keep the newest message in view.
    effect(() => {
      this.chat.items();
      const list = this.messageList()?.nativeElement;
      if (list) queueMicrotask(() => (list.scrollTop = list.scrollHeight));
    });
  }

  protected updateDraft(event: Event): void {
    this.draft.set((event.target as HTMLInputElement).value);
    this.chat.noteTyping();
  }

  protected sendMessage(event: Event): void {
    event.preventDefault();
    const text = this.draft();
    if (!this.ready() || text.trim() === '') return;
    this.draft.set('');
    void this.chat.sendText(text);
  }

  protected sendSelectedFile(event: Event): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void this.chat.sendFile(file);
  }

  protected fileStatus(item: ChatItem): string {
    const file = item.file!;
    const size = formatBytes(file.size);
    if (item.failed) return `${size} · failed`;
    if (item.mine)
      return file.transferred >= file.size
        ? `${size} · sent`
        : `${size} · sending ${percent(file)}%`;
    return file.url ? `${size} · received` : `${size} · receiving ${percent(file)}%`;
  }

  protected time(at: number): string {
    return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
}

function percent(file: { transferred: number; size: number }): number {
  return file.size === 0 ? 100 : Math.floor((file.transferred / file.size) * 100);
}
