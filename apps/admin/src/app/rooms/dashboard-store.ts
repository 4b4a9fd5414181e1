import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { AdminSession } from '../auth/admin-session';
import { AdminApi, type RelayStats, type SupportRoom } from '../shared/admin-api';
import { AdminApiError } from '../shared/admin-api-error';

export const REFRESH_EVERY_MS = 5_000;

/**
 * The open support rooms and the relay's stats, refreshed every few seconds while signed in.
 * A failed refresh keeps the last data on screen and says why; a rejected key signs out.
 */
@Injectable({ providedIn: 'root' })
export class DashboardStore {
  private readonly api = inject(AdminApi);
  private readonly session = inject(AdminSession);

  readonly rooms = signal<readonly SupportRoom[]>([]);
  readonly stats = signal<RelayStats | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly loading = signal(false);
  readonly lastUpdated = signal<number | undefined>(undefined);
  /** Ticks every second so ages on screen move. */
  readonly now = signal(Date.now());
  readonly sortedRooms = computed(() =>
    [...this.rooms()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt)),
  );

  private timer: ReturnType<typeof setInterval> | undefined;
  private clock: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  /** Loads started so far; a load's answer predates every close made after it started. */
  private loads = 0;
  /** Rooms closed from here, with the number of loads started before the close. */
  private readonly closedAfter = new Map<string, number>();

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  start(): void {
    this.stop();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_EVERY_MS);
    this.clock = setInterval(() => this.now.set(Date.now()), 1_000);
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.clock);
    this.timer = this.clock = undefined;
    this.closedAfter.clear();
    this.rooms.set([]);
    this.stats.set(undefined);
    this.error.set(undefined);
    this.lastUpdated.set(undefined);
  }

  /** Loads rooms and stats now; asked while a load runs, loads once more after it. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.load().finally(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.inFlight;
  }

  /** DELETE /admin/api/rooms/:id; a room that is already gone counts as closed. */
  async closeRoom(roomId: string): Promise<void> {
    const key = this.session.adminKey();
    if (key === undefined) return;
    try {
      await this.api.closeRoom(key, roomId);
    } catch (error) {
      if (!(error instanceof AdminApiError && error.kind === 'not-found')) throw error;
    }
    this.closedAfter.set(roomId, this.loads);
    this.rooms.update((rooms) => rooms.filter((r) => r.roomId !== roomId));
    void this.refresh();
  }

  private async load(): Promise<void> {
    const key = this.session.adminKey();
    if (key === undefined) return;
    this.loading.set(true);
    const started = ++this.loads;
    try {
      const [rooms, stats] = await Promise.all([this.api.supportRooms(key), this.api.stats(key)]);
      if (this.session.adminKey() !== key) return; // signed out meanwhile
      // A load that started before a close may still list the room: it stays closed on screen.
      // One that started after it is the relay's word, and the memory of the close goes.
      for (const [id, before] of this.closedAfter)
        if (started > before) this.closedAfter.delete(id);
      this.rooms.set(rooms.filter((r) => !this.closedAfter.has(r.roomId)));
      this.stats.set(stats);
      this.error.set(undefined);
      this.lastUpdated.set(Date.now());
    } catch (error) {
      if (error instanceof AdminApiError && error.kind === 'unauthorized') {
        this.session.forget('The relay rejected the admin key. Sign in again.');
        return;
      }
      this.error.set(error instanceof AdminApiError ? error.message : 'Refresh failed.');
    } finally {
      this.loading.set(false);
    }
  }
}
