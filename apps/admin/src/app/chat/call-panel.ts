import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { type CallParticipant, describeParticipant } from '@nullroom/client';
import { SupportCall } from './support-call';

interface Tile {
  readonly key: string;
  readonly label: string;
  readonly kind: 'camera' | 'screen';
  readonly stream: MediaStream | undefined;
  readonly video: boolean;
  readonly micOff: boolean;
  readonly deafened: boolean;
  readonly status: string;
}

/** The agent's call with the visitor: call buttons, then the tiles and controls of the call. */
@Component({
  selector: 'nr-call-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: `
    .call {
      margin: 0 0 12px;
      border: 1px solid var(--line);
      border-radius: var(--radius);
      padding: 10px 12px;
    }
    .call.in-call {
      border: 0;
      padding: 0;
    }
    .call-row {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 12px;
    }
    .call-row .grow {
      flex: 1 1 220px;
      min-width: 0;
    }
    .call-row.end {
      justify-content: flex-end;
      margin-top: 6px;
    }
    .hide {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font-size: 13px;
    }
    .stage {
      margin-top: 10px;
      background: #0f1115;
      color: #eef1f5;
      border-radius: 12px;
      padding: 8px;
    }
    .status {
      font-size: 12px;
      color: #b9c0cc;
      margin: 0 4px 8px;
    }
    .call-tiles {
      position: relative;
      display: grid;
      gap: 6px;
      grid-template-columns: repeat(auto-fit, minmax(180px, 1fr));
    }
    .call-tile {
      position: relative;
      margin: 0;
      border-radius: 10px;
      overflow: hidden;
      background: #1d212a;
      aspect-ratio: 16 / 9;
    }
    .call-tile.screen {
      grid-column: 1 / -1;
      order: -1;
      background: #000;
    }
    .call-tile video {
      width: 100%;
      height: 100%;
      object-fit: cover;
      display: block;
    }
    .call-tile.screen video {
      object-fit: contain;
    }
    .call-tile.novideo video {
      visibility: hidden;
    }
    .avatar {
      position: absolute;
      left: 50%;
      top: 45%;
      transform: translate(-50%, -50%);
      width: 56px;
      height: 56px;
      border-radius: 50%;
      background: #3d6df0;
      color: #fff;
      display: flex;
      align-items: center;
      justify-content: center;
      font-weight: 700;
    }
    .call-tile figcaption {
      position: absolute;
      left: 6px;
      bottom: 6px;
      right: 6px;
      display: flex;
      gap: 6px;
      font-size: 12px;
    }
    .call-tile figcaption span {
      background: rgba(0, 0, 0, 0.55);
      border-radius: 6px;
      padding: 2px 6px;
    }
    .call-tile figcaption .flag {
      background: var(--danger);
    }
    .self {
      position: absolute;
      right: 8px;
      top: 8px;
      width: 160px;
      z-index: 2;
      aspect-ratio: 4 / 3;
      border: 1px solid rgba(255, 255, 255, 0.25);
    }
    .self video {
      transform: scaleX(-1);
    }
    .controls {
      display: flex;
      justify-content: center;
      flex-wrap: wrap;
      gap: 8px;
      margin-top: 8px;
    }
    .controls .btn {
      background: #2a2f3a;
      border-color: #2a2f3a;
      color: #eef1f5;
    }
    .controls .btn[aria-pressed='true'] {
      background: #eef1f5;
      color: #15171c;
    }
    .controls .btn.hang {
      background: #d92d20;
      border-color: #d92d20;
      color: #fff;
    }
    .banner {
      background: color-mix(in srgb, var(--ok) 12%, var(--card));
      border-color: color-mix(in srgb, var(--ok) 40%, var(--card));
    }
    @media (max-width: 520px) {
      .self {
        width: 96px;
      }
      .call-tiles {
        grid-template-columns: 1fr;
      }
    }
  `,
  template: `
    @if (call.settings().enabled) {
      <section
        class="call"
        [class.banner]="incoming()"
        [class.in-call]="call.inCall()"
        data-testid="call-panel"
        aria-label="Call"
      >
        @if (incoming(); as inc) {
          <div class="call-row" role="status">
            <span class="grow"
              ><b>Incoming {{ inc.video ? 'video' : 'voice' }} call</b> from the visitor</span
            >
            <button type="button" class="btn small primary" (click)="call.accept(inc.video)">
              Accept
            </button>
            <button type="button" class="btn small danger" (click)="call.decline()">Decline</button>
          </div>
        } @else if (!call.inCall()) {
          <div class="call-row">
            <span class="grow muted small">
              Call the visitor, end to end encrypted: they accept or decline in the widget.
            </span>
          </div>
          <div class="call-row end">
            <label class="hide" [title]="hideTitle()">
              <input
                type="checkbox"
                data-testid="hide-address"
                [checked]="call.hideAddress()"
                [disabled]="!call.settings().turn"
                (change)="setHide($event)"
              />
              Hide my address
            </label>
            <button
              type="button"
              class="btn small"
              data-testid="call-voice"
              [disabled]="!canCall() || call.busy()"
              (click)="call.start(false)"
            >
              Voice call
            </button>
            <button
              type="button"
              class="btn small primary"
              data-testid="call-video"
              [disabled]="!canCall() || call.busy()"
              (click)="call.start(true)"
            >
              Video call
            </button>
          </div>
        }
        @if (call.notice(); as notice) {
          <p class="small" [class.error-text]="notice.warn" role="status" data-testid="call-notice">
            {{ notice.text }}
          </p>
        }
        @if (call.call(); as c) {
          <div class="stage" data-testid="call-stage">
            <div class="status" data-testid="call-status">{{ status() }}</div>
            <div class="call-tiles">
              @for (t of tiles(); track t.key) {
                <figure
                  class="call-tile"
                  [class.screen]="t.kind === 'screen'"
                  [class.novideo]="!t.video"
                >
                  <video autoplay playsinline [muted]="true" [srcObject]="t.stream ?? null"></video>
                  @if (!t.video) {
                    <div class="avatar" aria-hidden="true">V</div>
                  }
                  <figcaption>
                    <span>{{ t.label }}</span>
                    @if (t.micOff) {
                      <span class="flag">muted</span>
                    }
                    @if (t.deafened) {
                      <span class="flag">deafened</span>
                    }
                    @if (t.status) {
                      <span>{{ t.status }}</span>
                    }
                  </figcaption>
                </figure>
              }
              <figure class="call-tile self" [class.novideo]="!c.local.camera">
                <video
                  autoplay
                  playsinline
                  [muted]="true"
                  [srcObject]="call.preview() ?? null"
                ></video>
                @if (!c.local.camera) {
                  <div class="avatar" aria-hidden="true">You</div>
                }
                <figcaption><span>You</span></figcaption>
              </figure>
            </div>
            @for (a of audios(); track a.id) {
              <audio autoplay [srcObject]="a.stream" [muted]="c.local.deafened"></audio>
            }
            <div class="controls" role="toolbar" aria-label="Call controls">
              <button
                type="button"
                class="btn small"
                [attr.aria-pressed]="c.local.muted"
                (click)="call.toggleMute()"
              >
                {{ c.local.muted ? 'Unmute' : 'Mute' }}
              </button>
              <button
                type="button"
                class="btn small"
                [attr.aria-pressed]="c.local.deafened"
                (click)="call.toggleDeafen()"
              >
                {{ c.local.deafened ? 'Undeafen' : 'Deafen' }}
              </button>
              <button
                type="button"
                class="btn small"
                [attr.aria-pressed]="!c.local.camera"
                (click)="call.toggleCamera()"
              >
                {{ c.local.camera ? 'Camera off' : 'Camera on' }}
              </button>
              <button
                type="button"
                class="btn small"
                [attr.aria-pressed]="c.local.screen"
                (click)="call.toggleScreen()"
              >
                {{ c.local.screen ? 'Stop sharing' : 'Share screen' }}
              </button>
              <button type="button" class="btn small hang" (click)="call.hangUp()">Hang up</button>
            </div>
          </div>
        }
      </section>
    }
  `,
})
export class CallPanel {
  protected readonly call = inject(SupportCall);
  /** The chat is connected and the visitor is present. */
  readonly ready = input(false);

  protected readonly canCall = computed(() => this.ready() && this.call.settings().enabled);
  protected readonly incoming = computed(() =>
    this.call.inCall() ? undefined : this.call.snapshot().incoming,
  );
  protected readonly hideTitle = computed(() =>
    this.call.settings().turn
      ? 'Call media only through the relay’s TURN server: the visitor never sees your IP address'
      : 'Not available: this relay has no TURN server',
  );
  protected readonly others = computed<readonly CallParticipant[]>(
    () => this.call.call()?.participants.filter((p) => !p.self) ?? [],
  );
  protected readonly tiles = computed<readonly Tile[]>(() => {
    const media = this.call.media();
    const tiles: Tile[] = [];
    for (const p of this.others()) {
      const m = media.get(p.id) ?? {};
      tiles.push({
        key: `${p.id}:camera`,
        label: 'Visitor',
        kind: 'camera',
        stream: m.camera,
        video: p.media.cam && m.camera !== undefined,
        micOff: !p.media.mic,
        deafened: p.media.deaf,
        status: describeParticipant(p),
      });
      if (p.media.screen && m.screen) {
        tiles.push({
          key: `${p.id}:screen`,
          label: 'Visitor · screen',
          kind: 'screen',
          stream: m.screen,
          video: true,
          micOff: false,
          deafened: false,
          status: '',
        });
      }
    }
    return tiles;
  });
  protected readonly audios = computed(() =>
    [...this.call.media()]
      .filter(([, m]) => m.audio !== undefined)
      .map(([id, m]) => ({ id, stream: m.audio! })),
  );
  protected readonly status = computed(() => {
    const c = this.call.call();
    if (!c) return '';
    const hidden =
      (c.local.hideAddress ? ' · your address is hidden' : '') +
      (c.local.screen ? ' · you are sharing your screen' : '');
    switch (c.status) {
      case 'calling':
        return `Calling the visitor…${hidden}`;
      case 'connecting':
        return `Connecting end to end…${hidden}`;
      case 'active':
        return `In call with the visitor · end-to-end encrypted${hidden}`;
    }
  });

  protected setHide(event: Event): void {
    this.call.setHideAddress((event.target as HTMLInputElement).checked);
  }
}
