import { Injector, runInInjectionContext } from '@angular/core';
import { AdminSession } from '../auth/admin-session';
import { AdminApi, type RelayStats, type SupportRoom } from '../shared/admin-api';
import { AdminApiError } from '../shared/admin-api-error';
import { DashboardStore } from './dashboard-store';

const room = (roomId: string, createdAt: string): SupportRoom => ({
  roomId,
  mode: 'support',
  participants: 1,
  maxParticipants: 2,
  createdAt,
  lastActivityAt: createdAt,
});

/** The admin API as the store sees it: scripted answers, every call counted. */
class FakeApi {
  rooms: readonly SupportRoom[] = [];
  stats: RelayStats = { rooms: { support: 0 } };
  fail: AdminApiError | undefined;
  calls = 0;
  closed: string[] = [];
  closeError: AdminApiError | undefined;
  /** When set, loads wait for it (a refresh in flight). */
  gate: Promise<void> | undefined;

  async supportRooms(): Promise<readonly SupportRoom[]> {
    this.calls++;
    await this.gate;
    if (this.fail) throw this.fail;
    return this.rooms;
  }
  async statsOf(): Promise<RelayStats> {
    await this.gate;
    if (this.fail) throw this.fail;
    return this.stats;
  }
  health(): Promise<{ ok: boolean }> {
    return Promise.resolve({ ok: true });
  }
  closeRoom(_key: string, roomId: string): Promise<void> {
    if (this.closeError) return Promise.reject(this.closeError);
    this.closed.push(roomId);
    return Promise.resolve();
  }
}

function setUp() {
  const api = new FakeApi();
  const injector = Injector.create({
    providers: [
      {
        provide: AdminApi,
        useValue: {
          supportRooms: () => api.supportRooms(),
          stats: () => api.statsOf(),
          health: () => api.health(),
          closeRoom: (key: string, id: string) => api.closeRoom(key, id),
        },
      },
      { provide: AdminSession, useClass: AdminSession },
      { provide: DashboardStore, useClass: DashboardStore },
    ],
  });
  const session = runInInjectionContext(injector, () => injector.get(AdminSession));
  const store = runInInjectionContext(injector, () => injector.get(DashboardStore));
  return { api, session, store };
}

describe('DashboardStore', () => {
  it('loads the rooms (oldest first) and the stats, and says when', async () => {
    const { api, session, store } = setUp();
    await session.signIn('admin-key', '');
    api.rooms = [room('b', '2026-01-01T10:05:00Z'), room('a', '2026-01-01T10:00:00Z')];
    api.stats = { rooms: { support: 2 } };
    await store.refresh();
    expect(store.sortedRooms().map((r) => r.roomId)).toEqual(['a', 'b']);
    expect(store.stats()).toEqual({ rooms: { support: 2 } });
    expect(store.lastUpdated()).toBeGreaterThan(0);
    expect(store.error()).toBeUndefined();
    expect(store.loading()).toBe(false);
  });

  it('runs one load at a time: a refresh asked during a load runs once after it', async () => {
    const { api, session, store } = setUp();
    await session.signIn('admin-key', '');
    let release!: () => void;
    api.gate = new Promise((r) => (release = r));
    const first = store.refresh();
    void store.refresh();
    void store.refresh();
    expect(api.calls).toBe(1);
    api.gate = undefined;
    release();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    await store.refresh();
    // the first load, one coalesced follow-up, and the last explicit one
    expect(api.calls).toBe(3);
  });

  it('keeps the last data on a failed refresh and says why; a rejected key signs out', async () => {
    const { api, session, store } = setUp();
    await session.signIn('admin-key', '');
    api.rooms = [room('a', '2026-01-01T10:00:00Z')];
    await store.refresh();
    api.fail = new AdminApiError('unreachable', 0, 'The relay is unreachable.');
    await store.refresh();
    expect(store.error()).toBe('The relay is unreachable.');
    expect(store.rooms().map((r) => r.roomId)).toEqual(['a']);
    api.fail = new AdminApiError('unauthorized', 401, 'Wrong admin key.');
    await store.refresh();
    expect(session.signedIn()).toBe(false);
    expect(session.notice()).toBe('The relay rejected the admin key. Sign in again.');
  });

  it('closes a room (already gone counts as closed), and reports other failures', async () => {
    const { api, session, store } = setUp();
    await session.signIn('admin-key', '');
    api.rooms = [room('a', '2026-01-01T10:00:00Z'), room('b', '2026-01-01T10:01:00Z')];
    await store.refresh();
    api.rooms = [room('b', '2026-01-01T10:01:00Z')];
    await store.closeRoom('a');
    expect(api.closed).toEqual(['a']);
    expect(store.rooms().map((r) => r.roomId)).toEqual(['b']);
    api.closeError = new AdminApiError('not-found', 404, 'Not found: the room is gone.');
    await expect(store.closeRoom('b')).resolves.toBeUndefined();
    expect(store.rooms()).toEqual([]);
    api.closeError = new AdminApiError('rate-limited', 429, 'Too many requests.');
    await expect(store.closeRoom('c')).rejects.toBe(api.closeError);
  });

  it('shows nothing once signed out, and ignores a load that finishes after', async () => {
    const { api, session, store } = setUp();
    await session.signIn('admin-key', '');
    let release!: () => void;
    api.gate = new Promise((r) => (release = r));
    api.rooms = [room('a', '2026-01-01T10:00:00Z')];
    const load = store.refresh();
    session.forget();
    release();
    await load;
    expect(store.rooms()).toEqual([]);
    store.start();
    store.stop();
    expect(store.lastUpdated()).toBeUndefined();
  });
});
