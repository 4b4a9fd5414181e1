import { computed, Injectable, signal } from '@angular/core';
import {
  CallError,
  CallManager,
  type CallSnapshot,
  isCallFailure,
  type NullroomClient,
} from '@nullroom/client';

export interface PeerMedia {
  readonly audio?: MediaStream;
  readonly camera?: MediaStream;
  readonly screen?: MediaStream;
}

/**
 * The agent's calls in one support room: a {@link CallManager} on the chat's client, its
 * snapshots and media as signals. The agent calls; the visitor accepts or declines in the widget.
 * Signalling is end to end encrypted like the chat (docs/calls.md).
 */
@Injectable({ providedIn: 'root' })
export class SupportCall {
  readonly snapshot = signal<CallSnapshot>({});
  readonly media = signal<ReadonlyMap<string, PeerMedia>>(new Map());
  readonly preview = signal<MediaStream | undefined>(undefined);
  /** The last call's end, or a failure to start one. */
  readonly notice = signal<{ readonly text: string; readonly warn: boolean } | undefined>(
    undefined,
  );
  readonly hideAddress = signal(false);
  /** The relay has calls on, and a TURN server (for "hide my address"). */
  readonly settings = signal<{ readonly enabled: boolean; readonly turn: boolean }>({
    enabled: true,
    turn: false,
  });
  readonly busy = signal(false);

  readonly call = computed(() => this.snapshot().call);
  readonly inCall = computed(() => this.call() !== undefined);

  private calls: CallManager | undefined;

  /** Called by SupportChat for every client it creates, with the relay's origin. */
  attach(client: NullroomClient, origin: string): void {
    this.detach();
    const calls = new CallManager(client, { hideAddress: this.hideAddress() });
    this.calls = calls;
    calls.on('change', (s) => {
      if (this.calls !== calls) return;
      this.snapshot.set(s);
      this.preview.set(calls.localPreview());
    });
    calls.on('stream', ({ peerId, kind, stream }) => {
      if (this.calls !== calls) return;
      this.media.update((m) => new Map(m).set(peerId, { ...m.get(peerId), [kind]: stream }));
    });
    calls.on('ended', ({ reason, message, detail }) => {
      if (this.calls !== calls) return;
      const warn = isCallFailure(reason);
      this.notice.set({ text: warn && detail ? `${message} (${detail})` : message, warn });
      this.media.set(new Map());
    });
    void this.loadSettings(origin);
  }

  detach(): void {
    this.calls?.dispose();
    this.calls = undefined;
    this.snapshot.set({});
    this.media.set(new Map());
    this.preview.set(undefined);
    this.busy.set(false);
  }

  start(video: boolean): Promise<void> {
    this.notice.set(undefined);
    return this.run(() => this.calls?.start({ video }), 'start the call');
  }

  accept(video: boolean): Promise<void> {
    this.notice.set(undefined);
    return this.run(() => this.calls?.accept(undefined, { video }), 'join the call');
  }

  decline(): void {
    void this.calls?.decline();
  }

  hangUp(): void {
    this.calls?.hangUp();
  }

  toggleMute(): void {
    this.calls?.setMuted(!(this.call()?.local.muted ?? false));
  }

  toggleDeafen(): void {
    this.calls?.setDeafened(!(this.call()?.local.deafened ?? false));
  }

  toggleCamera(): Promise<void> {
    return this.run(
      () => this.calls?.setCamera(!(this.call()?.local.camera ?? false)),
      'turn the camera on',
    );
  }

  toggleScreen(): Promise<void> {
    return this.run(async () => {
      if (this.call()?.local.screen) this.calls?.stopScreenShare();
      else await this.calls?.startScreenShare();
    }, 'share the screen');
  }

  setHideAddress(on: boolean): void {
    this.hideAddress.set(on);
    this.calls?.setHideAddress(on);
  }

  private async run(action: () => Promise<unknown> | undefined, what: string): Promise<void> {
    this.busy.set(true);
    try {
      await action();
    } catch (error) {
      this.notice.set({
        text: `Could not ${what}: ${error instanceof CallError ? error.message : 'something went wrong'}.`,
        warn: true,
      });
    } finally {
      this.busy.set(false);
    }
  }

  private async loadSettings(origin: string): Promise<void> {
    try {
      const res = await fetch(new URL('/public-config', origin));
      const body = (await res.json()) as { calls?: { enabled?: unknown; turn?: unknown } };
      this.settings.set({
        enabled: body.calls?.enabled !== false,
        turn: body.calls?.turn === true,
      });
    } catch {
      // The dashboard is served by the relay; if this fails, calls will say why when tried.
    }
  }
}
