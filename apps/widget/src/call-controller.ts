/**
 * Calls in the widget: a CallManager on the widget's client, its snapshots rendered by CallView.
 * In p2p rooms anyone starts a call; in support rooms the agent calls from the dashboard and the
 * visitor accepts or declines here.
 */
import {
  CallError,
  CallManager,
  type CallSnapshot,
  describeParticipant,
  isCallFailure,
  type NullroomClient,
} from '@nullroom/client';
import { CallView, type TileModel } from './call-view';

export type CallStatus = 'ringing' | 'calling' | 'connecting' | 'active' | 'ended';

export interface CallControllerOptions {
  readonly baseUrl: string;
  /** In support rooms the visitor only answers. */
  readonly canStart: boolean;
  readonly hideAddress: boolean;
  readonly label: (clientId: string) => string;
  readonly system: (text: string, warn?: boolean) => void;
  readonly status: (status: CallStatus, reason?: string) => void;
}

interface PeerStreams {
  camera?: MediaStream;
  screen?: MediaStream;
}

export class CallController {
  readonly view: CallView;
  private readonly calls: CallManager;
  private readonly streams = new Map<string, PeerStreams>();
  private enabled = true;
  private lastStatus: CallStatus | undefined;
  private snapshot: CallSnapshot = {};

  constructor(
    client: NullroomClient,
    private readonly o: CallControllerOptions,
  ) {
    this.calls = new CallManager(client, { hideAddress: o.hideAddress });
    this.view = new CallView({
      start: (video) => void this.run(() => this.calls.start({ video }), 'start the call'),
      accept: (video) =>
        void this.run(() => this.calls.accept(undefined, { video }), 'join the call'),
      decline: () => void this.calls.decline(),
      hangUp: () => this.calls.hangUp(),
      mute: () => this.calls.setMuted(!(this.snapshot.call?.local.muted ?? false)),
      deafen: () => this.calls.setDeafened(!(this.snapshot.call?.local.deafened ?? false)),
      camera: () =>
        void this.run(
          () => this.calls.setCamera(!(this.snapshot.call?.local.camera ?? false)),
          'turn the camera on',
        ),
      screen: () =>
        void this.run(async () => {
          if (this.snapshot.call?.local.screen) this.calls.stopScreenShare();
          else await this.calls.startScreenShare();
        }, 'share the screen'),
      hideAddress: (on) => this.calls.setHideAddress(on),
    });
    this.view.setHideAddress(o.hideAddress);
    this.view.setAvailable(false, false);
    this.calls.on('change', (s) => this.render(s));
    this.calls.on('stream', ({ peerId, kind, stream }) => {
      if (kind === 'audio') {
        this.view.playAudio(peerId, stream, this.snapshot.call?.local.deafened ?? false);
        return;
      }
      const s = this.streams.get(peerId) ?? {};
      s[kind] = stream;
      this.streams.set(peerId, s);
      this.render(this.calls.snapshot());
    });
    this.calls.on('ended', ({ reason, message, detail }) => {
      this.streams.clear();
      const failed = isCallFailure(reason);
      this.o.system(detail && failed ? `${message} (${detail})` : message, failed);
      this.o.status('ended', reason);
    });
    void this.loadSettings();
  }

  /** Start buttons follow the connection and whether anyone else is here. */
  setPresence(ready: boolean, others: number): void {
    this.view.setStartable(
      ready && others > 0,
      ready ? 'Nobody else is here yet' : 'Waiting for the encrypted connection',
    );
  }

  dispose(): void {
    this.calls.dispose();
    this.view.hideCall();
  }

  private async loadSettings(): Promise<void> {
    let turn = false;
    try {
      const res = await fetch(new URL('/public-config', this.o.baseUrl), { credentials: 'omit' });
      const body = (await res.json()) as { calls?: { enabled?: unknown; turn?: unknown } };
      if (body.calls?.enabled === false) this.enabled = false;
      turn = body.calls?.turn === true;
    } catch {
      // An older relay: calls may still work; "hide my address" can't be offered.
    }
    this.view.setAvailable(this.enabled && this.o.canStart, turn);
    if (!turn && this.calls.hideAddress) {
      this.calls.setHideAddress(false);
      this.view.setHideAddress(false);
    }
  }

  private async run(action: () => Promise<unknown>, what: string): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.o.system(
        `Could not ${what}: ${error instanceof CallError ? error.message : 'something went wrong'}.`,
        true,
      );
    }
  }

  private render(s: CallSnapshot): void {
    this.snapshot = s;
    const call = s.call;
    if (s.incoming && !call)
      this.view.showIncoming(this.o.label(s.incoming.from), s.incoming.video);
    else if (s.ongoing && !call && this.enabled) this.view.showOngoing(s.ongoing.members.length);
    else this.view.hideBanner();
    const status: CallStatus | undefined = call ? call.status : s.incoming ? 'ringing' : undefined;
    if (status !== this.lastStatus) {
      this.lastStatus = status;
      if (status) this.o.status(status);
    }
    if (!call) {
      this.view.hideCall();
      return;
    }
    const others = call.participants.filter((p) => !p.self);
    const tiles: TileModel[] = [];
    for (const p of others) {
      const streams = this.streams.get(p.id) ?? {};
      const name = this.o.label(p.id);
      tiles.push({
        key: `${p.id}:camera`,
        name,
        self: false,
        kind: 'camera',
        status: describeParticipant(p),
        micOff: !p.media.mic,
        deafened: p.media.deaf,
        stream: streams.camera,
        showVideo: p.media.cam && streams.camera !== undefined,
      });
      if (p.media.screen && streams.screen) {
        tiles.push({
          key: `${p.id}:screen`,
          name,
          self: false,
          kind: 'screen',
          status: '',
          micOff: false,
          deafened: false,
          stream: streams.screen,
          showVideo: true,
        });
      }
    }
    tiles.push({
      key: 'self',
      name: 'You',
      self: true,
      kind: 'camera',
      status: '',
      micOff: call.local.muted,
      deafened: call.local.deafened,
      stream: this.calls.localPreview(),
      showVideo: call.local.camera,
    });
    this.view.showCall(statusLine(call, others.length, this.o.label), tiles, {
      muted: call.local.muted,
      deafened: call.local.deafened,
      camera: call.local.camera,
      screen: call.local.screen,
      screenAvailable: typeof navigator.mediaDevices?.getDisplayMedia === 'function',
    });
    this.view.setDeafened(call.local.deafened);
  }
}

function statusLine(
  call: NonNullable<CallSnapshot['call']>,
  others: number,
  label: (id: string) => string,
): string {
  const hidden =
    (call.local.hideAddress ? ' · address hidden' : '') +
    (call.local.screen ? ' · sharing your screen' : '');
  switch (call.status) {
    case 'calling':
      return call.declinedBy.length > 0
        ? `Calling… ${call.declinedBy.map(label).join(', ')} declined`
        : `Calling…${hidden}`;
    case 'connecting':
      return `Connecting end to end…${hidden}`;
    case 'active':
      return `In call · ${others + 1} people · end-to-end encrypted${hidden}`;
  }
}
