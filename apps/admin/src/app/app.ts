import { ChangeDetectionStrategy, Component, effect, inject } from '@angular/core';
import { AdminSession } from './auth/admin-session';
import { SignInForm } from './auth/sign-in-form';
import { SupportChat } from './chat/support-chat';
import { Dashboard } from './dashboard/dashboard';
import { DashboardStore } from './rooms/dashboard-store';

/** The shell: sign-in form until a key is accepted, then the dashboard. */
@Component({
  selector: 'nr-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [SignInForm, Dashboard],
  template: `
    <header class="topbar">
      <div class="brand">
        <span class="logo" aria-hidden="true">◼</span>
        <span>Nullroom</span>
        <span class="brand-sub">support admin</span>
      </div>
      @if (session.signedIn()) {
        <button
          type="button"
          class="btn ghost"
          data-testid="forget-key"
          title="Forget the keys in this tab and sign out"
          (click)="forgetKey()"
        >
          <span class="wide-only">Forget key &amp; sign out</span>
          <span class="narrow-only">Sign out</span>
        </button>
      }
    </header>
    <main>
      @if (session.signedIn()) {
        <nr-dashboard />
      } @else {
        <nr-sign-in-form />
      }
    </main>
  `,
})
export class App {
  protected readonly session = inject(AdminSession);
  private readonly store = inject(DashboardStore);
  private readonly chat = inject(SupportChat);

  constructor() {
    effect(() => {
      if (this.session.signedIn()) {
        this.store.start();
      } else {
        this.store.stop();
        this.chat.dismiss();
      }
    });
  }

  protected forgetKey(): void {
    this.session.forget('Keys forgotten. They were kept in this tab only.');
  }
}
