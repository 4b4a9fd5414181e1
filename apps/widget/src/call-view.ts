/**
 * The widget's call UI, inside its shadow root: start buttons in the header, a banner for an
 * incoming or ongoing call, and the call itself — one tile per participant (camera or initials,
 * name, muted), screen shares as wide tiles, our own camera small in a corner, and the controls.
 * It only renders; CallController decides. Names are inserted as text, never as markup.
 */
import { h, icon } from './dom';

// Material Design icons (Apache-2.0).
export const CALL_ICONS = {
  call: 'M6.62 10.79c1.44 2.83 3.76 5.14 6.59 6.59l2.2-2.2c.27-.27.67-.36 1.02-.24 1.12.37 2.33.57 3.57.57.55 0 1 .45 1 1V20c0 .55-.45 1-1 1-9.39 0-17-7.61-17-17 0-.55.45-1 1-1h3.5c.55 0 1 .45 1 1 0 1.25.2 2.45.57 3.57.11.35.03.74-.25 1.02l-2.2 2.2z',
  video:
    'M17 10.5V7c0-.55-.45-1-1-1H4c-.55 0-1 .45-1 1v10c0 .55.45 1 1 1h12c.55 0 1-.45 1-1v-3.5l4 4v-11l-4 4z',
  videoOff:
    'M21 6.5l-4 4V7c0-.55-.45-1-1-1H9.82L21 17.18V6.5zM3.27 2L2 3.27 4.73 6H4c-.55 0-1 .45-1 1v10c0 .55.45 1 1 1h12c.21 0 .39-.08.54-.18L19.73 21 21 19.73 3.27 2z',
  mic: 'M12 14c1.66 0 2.99-1.34 2.99-3L15 5c0-1.66-1.34-3-3-3S9 3.34 9 5v6c0 1.66 1.34 3 3 3zm5.3-3c0 3-2.54 5.1-5.3 5.1S6.7 14 6.7 11H5c0 3.41 2.72 6.23 6 6.72V21h2v-3.28c3.28-.48 6-3.3 6-6.72h-1.7z',
  micOff:
    'M19 11h-1.7c0 .74-.16 1.43-.43 2.05l1.23 1.23c.56-.98.9-2.09.9-3.28zm-4.02.17c0-.06.02-.11.02-.17V5c0-1.66-1.34-3-3-3S9 3.34 9 5v.18l5.98 5.99zM4.27 3L3 4.27l6.01 6.01V11c0 1.66 1.33 3 2.99 3 .22 0 .44-.03.65-.08l1.66 1.66c-.71.33-1.5.52-2.31.52-2.76 0-5.3-2.1-5.3-5.1H5c0 3.41 2.72 6.23 6 6.72V21h2v-3.28c.91-.13 1.77-.45 2.54-.9L19.73 21 21 19.73 4.27 3z',
  headset:
    'M12 1c-4.97 0-9 4.03-9 9v7c0 1.66 1.34 3 3 3h3v-8H5v-2c0-3.87 3.13-7 7-7s7 3.13 7 7v2h-4v8h3c1.66 0 3-1.34 3-3v-7c0-4.97-4.03-9-9-9z',
  screen:
    'M20 18c1.1 0 1.99-.9 1.99-2L22 6c0-1.11-.9-2-2-2H4c-1.11 0-2 .89-2 2v10c0 1.1.89 2 2 2H0v2h24v-2h-4zm-7-3.53v-2.19c-2.78 0-4.61.85-6 2.72.56-2.67 2.11-5.33 6-5.87V7l4 3.73-4 3.74z',
  person:
    'M12 12c2.21 0 4-1.79 4-4s-1.79-4-4-4-4 1.79-4 4 1.79 4 4 4zm0 2c-2.67 0-8 1.34-8 4v2h16v-2c0-2.66-5.33-4-8-4z',
  hangUp:
    'M12 9c-1.6 0-3.15.25-4.6.72v3.1c0 .39-.23.74-.56.9-.98.49-1.87 1.12-2.66 1.85-.18.18-.43.28-.7.28-.28 0-.53-.11-.71-.29L.29 13.08c-.18-.17-.29-.42-.29-.7 0-.28.11-.53.29-.71C3.34 8.78 7.46 7 12 7s8.66 1.78 11.71 4.67c.18.18.29.43.29.71 0 .28-.11.53-.29.71l-2.48 2.48c-.18.18-.43.29-.71.29-.27 0-.52-.11-.7-.28-.79-.74-1.69-1.36-2.67-1.85-.33-.16-.56-.5-.56-.9v-3.1C15.15 9.25 13.6 9 12 9z',
} as const;

export interface CallViewHandlers {
  readonly start: (video: boolean) => void;
  readonly accept: (video: boolean) => void;
  readonly decline: () => void;
  readonly hangUp: () => void;
  readonly mute: () => void;
  readonly deafen: () => void;
  readonly camera: () => void;
  readonly screen: () => void;
  readonly hideAddress: (on: boolean) => void;
}

export interface TileModel {
  readonly key: string;
  readonly name: string;
  readonly self: boolean;
  readonly kind: 'camera' | 'screen';
  /** Shown under the name: "Connecting…", "Reconnecting…", "" when fine. */
  readonly status: string;
  readonly micOff: boolean;
  readonly deafened: boolean;
  readonly stream: MediaStream | undefined;
  readonly showVideo: boolean;
}

export interface ControlsModel {
  readonly muted: boolean;
  readonly deafened: boolean;
  readonly camera: boolean;
  readonly screen: boolean;
  readonly screenAvailable: boolean;
}

export class CallView {
  /** Goes in the header, before "Verify". */
  readonly startButtons: HTMLElement;
  /** Goes under the notices. */
  readonly area: HTMLElement;
  /** A row for the verify panel: the "hide my address" switch. */
  readonly privacyRow: HTMLElement;
  private readonly voiceButton: HTMLButtonElement;
  private readonly videoButton: HTMLButtonElement;
  private readonly banner: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly tiles: HTMLElement;
  private readonly status: HTMLElement;
  private readonly controls: Record<
    keyof Omit<ControlsModel, 'screenAvailable'>,
    HTMLButtonElement
  >;
  private readonly audios = new Map<string, HTMLAudioElement>();
  private readonly tileElements = new Map<
    string,
    { root: HTMLElement; video: HTMLVideoElement; update: (m: TileModel) => void }
  >();
  private readonly hideAddressBox: HTMLInputElement;
  private readonly hideAddressHint: HTMLElement;

  constructor(private readonly handlers: CallViewHandlers) {
    this.voiceButton = iconButton(CALL_ICONS.call, 'Start a voice call', 'call-start', () =>
      handlers.start(false),
    );
    this.videoButton = iconButton(CALL_ICONS.video, 'Start a video call', 'call-start', () =>
      handlers.start(true),
    );
    this.startButtons = h(
      'div',
      { class: 'call-start-buttons' },
      this.voiceButton,
      this.videoButton,
    );
    this.banner = h('div', { class: 'call-banner', hidden: true, role: 'status' });
    this.status = h('div', { class: 'call-status', 'aria-live': 'polite' });
    this.tiles = h('div', { class: 'call-tiles' });
    this.controls = {
      muted: toggleButton(
        'mute',
        CALL_ICONS.mic,
        CALL_ICONS.micOff,
        'Mute',
        'Unmute',
        handlers.mute,
      ),
      deafened: toggleButton(
        'deafen',
        CALL_ICONS.headset,
        CALL_ICONS.headset,
        'Deafen',
        'Undeafen',
        handlers.deafen,
      ),
      camera: toggleButton(
        'camera',
        CALL_ICONS.videoOff,
        CALL_ICONS.video,
        'Turn camera on',
        'Turn camera off',
        handlers.camera,
      ),
      screen: toggleButton(
        'screen',
        CALL_ICONS.screen,
        CALL_ICONS.screen,
        'Share screen',
        'Stop sharing',
        handlers.screen,
      ),
    };
    const hangUp = iconButton(CALL_ICONS.hangUp, 'Hang up', 'call-hangup', handlers.hangUp);
    this.stage = h(
      'section',
      { class: 'call-stage', hidden: true, 'aria-label': 'Call' },
      this.status,
      this.tiles,
      h(
        'div',
        { class: 'call-controls', role: 'toolbar', 'aria-label': 'Call controls' },
        this.controls.muted,
        this.controls.deafened,
        this.controls.camera,
        this.controls.screen,
        hangUp,
      ),
    );
    this.area = h('div', { class: 'call-area' }, this.banner, this.stage);
    this.hideAddressBox = h('input', { type: 'checkbox', id: 'nr-hide-address' });
    this.hideAddressBox.addEventListener('change', () =>
      handlers.hideAddress(this.hideAddressBox.checked),
    );
    this.hideAddressHint = h(
      'span',
      { class: 'call-privacy-hint' },
      'Call media goes only through the relay’s TURN server: the others never see your IP address.',
    );
    this.privacyRow = h(
      'div',
      { class: 'call-privacy' },
      h('label', { for: 'nr-hide-address' }, this.hideAddressBox, ' Hide my address in calls'),
      this.hideAddressHint,
    );
    this.setAvailable(false, false);
  }

  /** Whether calls can be started now (connected, someone else here); why not, as a tooltip. */
  setStartable(startable: boolean, why: string): void {
    for (const b of [this.voiceButton, this.videoButton]) {
      b.disabled = !startable;
      b.title = startable ? (b.getAttribute('aria-label') ?? '') : why;
    }
  }

  /** Calls exist on this relay (and may be started here), and a TURN server for "hide". */
  setAvailable(canStart: boolean, turn: boolean): void {
    this.startButtons.hidden = !canStart;
    this.hideAddressBox.disabled = !turn;
    this.hideAddressHint.textContent = turn
      ? 'Call media goes only through the relay’s TURN server: the others never see your IP address.'
      : 'Not available: this relay has no TURN server.';
  }

  setHideAddress(on: boolean): void {
    this.hideAddressBox.checked = on;
  }

  showIncoming(from: string, video: boolean): void {
    this.banner.hidden = false;
    this.banner.dataset.kind = 'incoming';
    this.banner.replaceChildren(
      h(
        'div',
        { class: 'call-banner-text' },
        icon(video ? CALL_ICONS.video : CALL_ICONS.call),
        h('span', {}, h('b', {}, `Incoming ${video ? 'video' : 'voice'} call`), ` from ${from}`),
      ),
      h(
        'div',
        { class: 'call-banner-actions' },
        textButton('Accept', 'call-accept', () => this.handlers.accept(video)),
        video
          ? textButton('Voice only', 'call-accept-voice', () => this.handlers.accept(false))
          : null,
        textButton('Decline', 'call-decline', () => this.handlers.decline()),
      ),
    );
  }

  showOngoing(count: number): void {
    this.banner.hidden = false;
    this.banner.dataset.kind = 'ongoing';
    this.banner.replaceChildren(
      h(
        'div',
        { class: 'call-banner-text' },
        icon(CALL_ICONS.call),
        h(
          'span',
          {},
          h('b', {}, 'A call is going on'),
          ` · ${count} ${count === 1 ? 'person' : 'people'}`,
        ),
      ),
      h(
        'div',
        { class: 'call-banner-actions' },
        textButton('Join', 'call-accept', () => this.handlers.accept(false)),
        textButton('Join with video', 'call-accept-video', () => this.handlers.accept(true)),
      ),
    );
  }

  hideBanner(): void {
    this.banner.hidden = true;
    this.banner.replaceChildren();
  }

  /** The call: status line, tiles (in order), controls. */
  showCall(statusText: string, tiles: readonly TileModel[], controls: ControlsModel): void {
    this.stage.hidden = false;
    this.startButtons.classList.add('in-call');
    this.status.textContent = statusText;
    const keep = new Set(tiles.map((t) => t.key));
    for (const [key, el] of this.tileElements) {
      if (!keep.has(key)) {
        el.root.remove();
        this.tileElements.delete(key);
      }
    }
    for (const model of tiles) {
      let el = this.tileElements.get(model.key);
      if (!el) this.tileElements.set(model.key, (el = makeTile()));
      el.update(model);
      this.tiles.append(el.root); // keeps the given order
    }
    this.tiles.dataset.count = String(tiles.filter((t) => !t.self).length);
    this.tiles.dataset.screen = String(tiles.some((t) => t.kind === 'screen'));
    for (const key of ['muted', 'deafened', 'camera', 'screen'] as const) {
      const b = this.controls[key];
      b.setAttribute('aria-pressed', String(controls[key]));
      b.dispatchEvent(new Event('nr-refresh'));
    }
    this.controls.screen.hidden = !controls.screenAvailable;
  }

  hideCall(): void {
    this.stage.hidden = true;
    this.startButtons.classList.remove('in-call');
    for (const el of this.tileElements.values()) el.root.remove();
    this.tileElements.clear();
    for (const a of this.audios.values()) a.remove();
    this.audios.clear();
  }

  /** Plays a participant's audio (hidden element); muted while we are deafened. */
  playAudio(peerId: string, stream: MediaStream, deafened: boolean): void {
    let audio = this.audios.get(peerId);
    if (!audio) {
      audio = h('audio', { autoplay: true, 'data-peer': peerId });
      this.audios.set(peerId, audio);
      this.area.append(audio);
    }
    if (audio.srcObject !== stream) audio.srcObject = stream;
    audio.muted = deafened;
  }

  setDeafened(deafened: boolean): void {
    for (const a of this.audios.values()) a.muted = deafened;
  }

  removeAudio(peerId: string): void {
    this.audios.get(peerId)?.remove();
    this.audios.delete(peerId);
  }
}

function makeTile(): {
  root: HTMLElement;
  video: HTMLVideoElement;
  update: (m: TileModel) => void;
} {
  const video = h('video', { autoplay: true, playsinline: true, muted: true });
  video.muted = true; // audio plays from its own element; video elements never do
  const avatar = h('div', { class: 'tile-avatar', 'aria-hidden': 'true' }, icon(CALL_ICONS.person));
  const name = h('span', { class: 'tile-name' });
  const flags = h('span', { class: 'tile-flags' });
  const status = h('span', { class: 'tile-status' });
  const root = h(
    'figure',
    { class: 'tile' },
    video,
    avatar,
    h('figcaption', {}, name, flags, status),
  );
  return {
    root,
    video,
    update: (m) => {
      root.dataset.kind = m.kind;
      root.dataset.self = String(m.self);
      root.dataset.video = String(m.showVideo);
      root.setAttribute('aria-label', m.kind === 'screen' ? `${m.name}'s screen` : m.name);
      if (m.stream && video.srcObject !== m.stream) video.srcObject = m.stream;
      if (!m.stream) video.srcObject = null;
      name.textContent = m.kind === 'screen' ? `${m.name} · screen` : m.name;
      status.textContent = m.status;
      flags.replaceChildren(
        m.micOff && m.kind === 'camera' ? flag(CALL_ICONS.micOff, 'muted') : '',
        m.deafened && m.kind === 'camera' ? flag(CALL_ICONS.headset, 'deafened') : '',
      );
    },
  };
}

function flag(path: string, label: string): HTMLElement {
  return h('span', { class: `flag ${label}`, title: label, 'aria-label': label }, icon(path));
}

function iconButton(
  path: string,
  label: string,
  cls: string,
  onClick: () => void,
): HTMLButtonElement {
  const b = h(
    'button',
    { type: 'button', class: `icon ${cls}`, 'aria-label': label, title: label },
    icon(path),
  );
  b.addEventListener('click', onClick);
  return b;
}

function textButton(label: string, cls: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button', class: cls }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** aria-pressed shows the state; the icon and label follow it. */
function toggleButton(
  name: string,
  offPath: string,
  onPath: string,
  offLabel: string,
  onLabel: string,
  onClick: () => void,
): HTMLButtonElement {
  const b = h('button', {
    type: 'button',
    class: `icon call-toggle ctl-${name}`,
    'aria-pressed': 'false',
  });
  const refresh = () => {
    const on = b.getAttribute('aria-pressed') === 'true';
    const label = on ? onLabel : offLabel;
    b.setAttribute('aria-label', label);
    b.title = label;
    b.replaceChildren(icon(on ? onPath : offPath));
  };
  b.addEventListener('nr-refresh', refresh);
  b.addEventListener('click', onClick);
  refresh();
  return b;
}
