import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  type ElementRef,
  inject,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { AdminSession } from '../auth/admin-session';
import { ChatPanel } from '../chat/chat-panel';
import { SupportChat } from '../chat/support-chat';
import { DashboardStore } from '../rooms/dashboard-store';
import { RoomList } from '../rooms/room-list';
import { StatsPanel } from '../stats/stats-panel';
import { AdminApiError } from '../shared/admin-api-error';
import { formatAge, shortId } from '../shared/format';

@Component({
  selector: 'nr-dashboard',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [StatsPanel, RoomList, ChatPanel],
  template: `
    <nr-stats-panel [stats]="store.stats()" />
    <div class="columns" [class.with-chat]="chat.inRoom() || chat.ended()">
      <section class="card rooms-card">
        <header class="card-head">
          <h2>Support rooms</h2>
          <span class="muted small" data-testid="updated">{{ updated() }}</span>
          <button type="button" class="btn small ghost" (click)="refreshNow()">Refresh</button>
        </header>
        @if (store.error(); as error) {
          <p class="alert" role="alert" data-testid="refresh-error">{{ error }}</p>
        }
        @if (actionError(); as error) {
          <p class="alert" role="alert">{{ error }}</p>
        }
        <nr-room-list
          [rooms]="store.sortedRooms()"
          [now]="store.now()"
          [joinedRoomId]="chat.roomId()"
          (join)="joinRoom($event)"
          (close)="askToClose($event)"
        />
      </section>
      @if (chat.inRoom() || chat.ended()) {
        <nr-chat-panel (closeRoom)="askToClose($event)" />
      }
    </div>

    <dialog
      #confirm
      class="dialog"
      data-testid="close-dialog"
      (close)="pendingClose.set(undefined)"
    >
      <form method="dialog" (submit)="confirmClose($event)">
        <h2>Close this room?</h2>
        <p>
          Room <code>{{ pendingShortId() }}</code> is destroyed for everyone in it. Participants are
          disconnected and nothing of the conversation remains. This can't be undone.
        </p>
        <div class="dialog-actions">
          <button type="button" class="btn ghost" (click)="cancelClose()">Cancel</button>
          <button
            type="submit"
            class="btn danger"
            data-testid="confirm-close"
            [disabled]="closing()"
          >
            {{ closing() ? 'Closing…' : 'Close room' }}
          </button>
        </div>
      </form>
    </dialog>
  `,
})
export class Dashboard {
  protected readonly store = inject(DashboardStore);
  protected readonly chat = inject(SupportChat);
  private readonly session = inject(AdminSession);
  private readonly confirmDialog = viewChild.required<ElementRef<HTMLDialogElement>>('confirm');

  protected readonly pendingClose = signal<string | undefined>(undefined);
  protected readonly closing = signal(false);
  protected readonly actionError = signal<string | undefined>(undefined);
  protected readonly pendingShortId = computed(() => shortId(this.pendingClose() ?? '', 12));
  protected readonly updated = computed(() => {
    const at = this.store.lastUpdated();
    if (at === undefined) return this.store.loading() ? 'Loading…' : '';
    return `Updated ${formatAge(new Date(at).toISOString(), this.store.now())} ago · every 5s`;
  });

  constructor() {
    // Joining, leaving and the visitor coming or going change the list: don't wait for the timer.
    effect(() => {
      this.chat.state();
      this.chat.peers();
      untracked(() => void this.store.refresh());
    });
  }

  protected refreshNow(): void {
    void this.store.refresh();
  }

  protected joinRoom(roomId: string): void {
    this.actionError.set(undefined);
    void this.chat.join(roomId, this.session.apiKey());
  }

  protected askToClose(roomId: string): void {
    this.actionError.set(undefined);
    this.pendingClose.set(roomId);
    this.confirmDialog().nativeElement.showModal();
  }

  protected cancelClose(): void {
    this.confirmDialog().nativeElement.close();
  }

  protected async confirmClose(event: Event): Promise<void> {
    event.preventDefault();
    const roomId = this.pendingClose();
    if (roomId === undefined) return;
    this.closing.set(true);
    try {
      await this.store.closeRoom(roomId);
    } catch (error) {
      this.actionError.set(
        `Could not close the room: ${error instanceof AdminApiError ? error.message : 'unexpected error'}`,
      );
    } finally {
      this.closing.set(false);
      this.confirmDialog().nativeElement.close();
    }
  }
}
