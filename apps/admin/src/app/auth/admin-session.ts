import { computed, inject, Injectable, signal } from '@angular/core';
import { AdminApi } from '../shared/admin-api';
import { AdminApiError } from '../shared/admin-api-error';

const ADMIN_KEY = 'nullroom.admin.key';
const API_KEY = 'nullroom.admin.apiKey';

/**
 * The admin key (and the optional relay API key) for this tab. Kept in sessionStorage only —
 * never localStorage, never a cookie — so it is gone when the tab closes, and "Forget" wipes it.
 */
@Injectable({ providedIn: 'root' })
export class AdminSession {
  private readonly api = inject(AdminApi);
  private readonly storage = sessionStorageOrNull();

  readonly adminKey = signal<string | undefined>(this.storage?.getItem(ADMIN_KEY) ?? undefined);
  readonly apiKey = signal<string | undefined>(this.storage?.getItem(API_KEY) ?? undefined);
  readonly signedIn = computed(() => this.adminKey() !== undefined);
  /** Why the last sign-in failed or why the session ended (shown on the sign-in form). */
  readonly notice = signal<string | undefined>(undefined);

  /** Checks the key against GET /admin/api/health and keeps it on success. */
  async signIn(adminKey: string, apiKey: string): Promise<boolean> {
    this.notice.set(undefined);
    try {
      await this.api.health(adminKey);
    } catch (error) {
      this.notice.set(
        error instanceof AdminApiError ? error.message : 'Sign-in failed unexpectedly.',
      );
      return false;
    }
    this.storage?.setItem(ADMIN_KEY, adminKey);
    if (apiKey) this.storage?.setItem(API_KEY, apiKey);
    else this.storage?.removeItem(API_KEY);
    this.adminKey.set(adminKey);
    this.apiKey.set(apiKey || undefined);
    return true;
  }

  /** Drops both keys from memory and from sessionStorage. */
  forget(notice?: string): void {
    this.storage?.removeItem(ADMIN_KEY);
    this.storage?.removeItem(API_KEY);
    this.adminKey.set(undefined);
    this.apiKey.set(undefined);
    this.notice.set(notice);
  }
}

function sessionStorageOrNull(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled: keys live in memory only
  }
}
