import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { AdminSession } from './admin-session';

@Component({
  selector: 'nr-sign-in-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="card sign-in" (submit)="signIn($event)" autocomplete="off">
      <h1>Sign in</h1>
      <p class="muted">
        Enter the relay's admin key (<code>ANOCHAT_ADMIN_KEY</code>). It stays in this browser tab
        only and is sent to this relay alone.
      </p>
      <label for="admin-key">Admin key</label>
      <input
        id="admin-key"
        name="admin-key"
        type="password"
        required
        data-testid="admin-key"
        [value]="adminKey()"
        (input)="adminKey.set(valueOf($event))"
      />
      <label for="api-key">Relay API key <span class="muted">(optional)</span></label>
      <input
        id="api-key"
        name="api-key"
        type="password"
        data-testid="api-key"
        [value]="apiKey()"
        (input)="apiKey.set(valueOf($event))"
      />
      <p class="hint">Only needed to join rooms when the relay runs with REQUIRE_WS_API_KEY=1.</p>
      @if (session.notice(); as notice) {
        <p class="alert" role="alert" data-testid="sign-in-error">{{ notice }}</p>
      }
      <button type="submit" class="btn primary" [disabled]="busy() || adminKey() === ''">
        {{ busy() ? 'Checking…' : 'Sign in' }}
      </button>
    </form>
  `,
})
export class SignInForm {
  protected readonly session = inject(AdminSession);
  protected readonly adminKey = signal('');
  protected readonly apiKey = signal('');
  protected readonly busy = signal(false);

  protected valueOf(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected async signIn(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy() || this.adminKey() === '') return;
    this.busy.set(true);
    try {
      await this.session.signIn(this.adminKey().trim(), this.apiKey().trim());
    } finally {
      this.busy.set(false);
    }
  }
}
