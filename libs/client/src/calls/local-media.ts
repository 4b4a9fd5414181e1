/**
 * Our side of a call's media: the microphone, the camera and a shared screen, and which of them
 * leave this device. Muting replaces the outgoing audio with nothing (`replaceTrack(null)`): no
 * packet leaves, not even silence. Turning the camera off stops it (the light goes out);
 * stopping a screen share stops the capture. Peer connections read `outbound(slot)`.
 */

/** The three media sections every call connection has, in this order (m-line = slot). */
export const Slot = { AUDIO: 0, CAMERA: 1, SCREEN: 2 } as const;
export type Slot = (typeof Slot)[keyof typeof Slot];
export const SLOTS: readonly Slot[] = [Slot.AUDIO, Slot.CAMERA, Slot.SCREEN];

/** What the call layer needs from the browser: `navigator.mediaDevices`, or a test's stand-in. */
export interface MediaSource {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia(options?: DisplayMediaStreamOptions): Promise<MediaStream>;
}

export interface MediaConstraints {
  readonly audio?: MediaTrackConstraints;
  readonly video?: MediaTrackConstraints;
  readonly screen?: MediaTrackConstraints;
}

const DEFAULT_AUDIO: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};
// A mesh sends one copy per peer: modest by default, the app may ask for more.
const DEFAULT_VIDEO: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  frameRate: { ideal: 24, max: 30 },
};
const DEFAULT_SCREEN: MediaTrackConstraints = { frameRate: { ideal: 15, max: 30 } };

export class LocalMedia {
  private mic: MediaStreamTrack | undefined;
  private camera: MediaStreamTrack | undefined;
  private screen: MediaStreamTrack | undefined;
  private mutedValue = false;
  private deafenedValue = false;
  /** Muted before deafening, restored when undeafening. */
  private mutedBeforeDeafen = false;
  private stopped = false;
  /** The camera for the self view (no audio: we never play ourselves back). */
  readonly preview: MediaStream | undefined;

  constructor(
    private readonly source: MediaSource,
    private readonly constraints: MediaConstraints,
    /** A slot's outgoing track changed: re-apply it to every peer connection. */
    private readonly changed: (slot: Slot) => void,
  ) {
    this.preview = typeof MediaStream === 'undefined' ? undefined : new MediaStream();
  }

  get muted(): boolean {
    return this.mutedValue;
  }
  get deafened(): boolean {
    return this.deafenedValue;
  }
  get cameraOn(): boolean {
    return this.camera !== undefined;
  }
  get sharingScreen(): boolean {
    return this.screen !== undefined;
  }

  /** Opens the microphone, and the camera for a video call. Throws what getUserMedia throws. */
  async open(video: boolean): Promise<void> {
    const stream = await this.source.getUserMedia({
      audio: this.constraints.audio ?? DEFAULT_AUDIO,
      video: video ? (this.constraints.video ?? DEFAULT_VIDEO) : false,
    });
    if (this.stopped) return stopAll(stream);
    this.mic = stream.getAudioTracks()[0];
    this.camera = stream.getVideoTracks()[0];
    if (this.camera) this.preview?.addTrack(this.camera);
  }

  /** The track a slot sends right now, or null for nothing at all. */
  outbound(slot: Slot): MediaStreamTrack | null {
    switch (slot) {
      case Slot.AUDIO:
        return this.mutedValue ? null : (this.mic ?? null);
      case Slot.CAMERA:
        return this.camera ?? null;
      case Slot.SCREEN:
        return this.screen ?? null;
    }
  }

  setMuted(muted: boolean): void {
    // Deafened means muted, as in every voice app: unmuting undeafens.
    if (!muted && this.deafenedValue) this.deafenedValue = false;
    if (this.mutedValue === muted) return;
    this.mutedValue = muted;
    this.changed(Slot.AUDIO);
  }

  setDeafened(deafened: boolean): void {
    if (this.deafenedValue === deafened) return;
    this.deafenedValue = deafened;
    if (deafened) {
      this.mutedBeforeDeafen = this.mutedValue;
      this.setMutedQuietly(true);
    } else {
      this.setMutedQuietly(this.mutedBeforeDeafen);
    }
  }

  async setCamera(on: boolean): Promise<void> {
    if (on === this.cameraOn) return;
    if (!on) {
      const track = this.camera!;
      this.camera = undefined;
      this.preview?.removeTrack(track);
      track.stop();
      this.changed(Slot.CAMERA);
      return;
    }
    const stream = await this.source.getUserMedia({
      video: this.constraints.video ?? DEFAULT_VIDEO,
    });
    const track = stream.getVideoTracks()[0];
    if (this.stopped || !track || this.camera) return stopAll(stream);
    this.camera = track;
    this.preview?.addTrack(track);
    this.changed(Slot.CAMERA);
  }

  /** Asks the browser for a screen, window or tab; resolves false if the user cancelled. */
  async startScreen(): Promise<boolean> {
    if (this.screen) return true;
    let stream: MediaStream;
    try {
      stream = await this.source.getDisplayMedia({
        video: this.constraints.screen ?? DEFAULT_SCREEN,
        audio: false,
      });
    } catch (error) {
      if ((error as { name?: string }).name === 'NotAllowedError') return false;
      throw error;
    }
    const track = stream.getVideoTracks()[0];
    if (this.stopped || !track) {
      stopAll(stream);
      return false;
    }
    this.screen = track;
    // The browser's own "Stop sharing" button ends the track.
    track.addEventListener('ended', () => {
      if (this.screen === track) this.stopScreen();
    });
    this.changed(Slot.SCREEN);
    return true;
  }

  stopScreen(): void {
    const track = this.screen;
    if (!track) return;
    this.screen = undefined;
    track.stop();
    this.changed(Slot.SCREEN);
  }

  /** Releases every device. */
  stop(): void {
    this.stopped = true;
    for (const track of [this.mic, this.camera, this.screen]) track?.stop();
    this.mic = this.camera = this.screen = undefined;
  }

  private setMutedQuietly(muted: boolean): void {
    if (this.mutedValue === muted) return;
    this.mutedValue = muted;
    this.changed(Slot.AUDIO);
  }
}

function stopAll(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}
