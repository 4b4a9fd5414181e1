/**
 * One RTCPeerConnection to one other participant of the call.
 *
 * - Signalling goes only through this participant's CallChannel (end to end, see call-channel.ts
 *   in libs/e2ee); nothing here ever reaches the relay in clear.
 * - Three transceivers in a fixed order (audio, camera, screen; see local-media.ts). The member
 *   with the lower client id creates them and makes the first offer; the other answers on them.
 *   Media changes (mute, camera, screen) are `replaceTrack`, so they never renegotiate.
 * - Later negotiations (ICE restarts) follow "perfect negotiation" (W3C WebRTC 1.0 §10.7): the
 *   higher id is polite and yields when both offer at once.
 * - DTLS: the peer announced its certificate fingerprint inside the group session. Its SDP must
 *   pin exactly that fingerprint (every a=fingerprint line), or the link fails with `security`
 *   before anything is applied; once connected, the certificate DTLS actually negotiated
 *   (getStats → transport → remoteCertificateId) must have it too.
 * - ICE: a failed connection gets one ICE restart (with fresh TURN credentials when the TURN
 *   server refused ours); a second failure, or no connection within `connectTimeoutMs`, fails it.
 */
import { type CallChannel } from '@nullroom/e2ee';
import { decodePeerMessage, encodePeerMessage, type PeerMessage } from './call-message';
import { type LocalMedia, Slot, SLOTS } from './local-media';
import { canonicalFingerprint, checkSdpFingerprint } from './sdp-fingerprint';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface RemoteMedia {
  readonly mic: boolean;
  readonly cam: boolean;
  readonly screen: boolean;
  readonly deaf: boolean;
}

export type LinkFailure =
  | { readonly kind: 'security'; readonly message: string }
  | { readonly kind: 'turn'; readonly message: string }
  | { readonly kind: 'ice'; readonly message: string };

export interface LinkEvents {
  state(state: LinkState): void;
  media(media: RemoteMedia): void;
  track(slot: Slot, stream: MediaStream): void;
  failed(failure: LinkFailure): void;
  /** A signalling frame could not be opened or read: logged by the manager as a security event. */
  refused(message: string): void;
  /** ICE failed once: fresh TURN credentials before the restart, if the manager can get them. */
  refreshIceServers(): Promise<RTCIceServer[] | undefined>;
}

export interface LinkOptions {
  readonly peerId: string;
  readonly selfId: string;
  readonly channel: CallChannel;
  /** The fingerprint the peer announced in the session: the only one we accept. */
  readonly fingerprint: string;
  readonly configuration: RTCConfiguration;
  /** "Hide my address": only relay candidates ever leave this device. */
  readonly relayOnly: boolean;
  readonly local: LocalMedia;
  readonly transmit: (frame: Uint8Array) => void;
  readonly events: LinkEvents;
  readonly createPeerConnection: (configuration: RTCConfiguration) => RTCPeerConnection;
  readonly connectTimeoutMs: number;
}

const CERT_CHECK_ATTEMPTS = 10;
const CERT_CHECK_DELAY_MS = 200;

export class PeerLink {
  readonly peerId: string;
  readonly pc: RTCPeerConnection;
  private readonly initiator: boolean;
  private readonly polite: boolean;
  private stateValue: LinkState = 'connecting';
  private makingOffer = false;
  private ignoreOffer = false;
  private attached = false;
  private restarted = false;
  private everConnected = false;
  private turnRejected = false;
  private relayCandidates = 0;
  private sending: Promise<void> = Promise.resolve();
  private receiving: Promise<void> = Promise.resolve();
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly remoteStreams = new Map<Slot, MediaStream>();
  private mediaState: RemoteMedia = { mic: true, cam: false, screen: false, deaf: false };

  constructor(private readonly o: LinkOptions) {
    this.peerId = o.peerId;
    this.initiator = o.selfId < o.peerId;
    this.polite = !this.initiator;
    this.pc = o.createPeerConnection(o.configuration);
    const pc = this.pc;
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate) return;
      if (candidate.type === 'relay') this.relayCandidates++;
      // Belt and braces for "hide my address": iceTransportPolicy 'relay' already gathers
      // nothing else, and nothing else is ever sent.
      if (o.relayOnly && candidate.type !== 'relay') return;
      this.send({
        t: 'ice',
        candidate: candidate.candidate,
        mid: candidate.sdpMid,
        index: candidate.sdpMLineIndex,
      });
    };
    pc.onicecandidateerror = (event) => {
      const e = event;
      if (e.errorCode === 401 && /^turns?:/.test(e.url)) this.turnRejected = true;
    };
    pc.onicegatheringstatechange = () => {
      // Relay-only and the TURN server refused us: no candidate will ever exist.
      if (pc.iceGatheringState === 'complete' && o.relayOnly && this.relayCandidates === 0)
        void this.iceFailed();
    };
    pc.onnegotiationneeded = () => void this.negotiate();
    pc.onconnectionstatechange = () => this.onConnectionState();
    pc.ontrack = (event) => {
      const slot = this.slotOf(event.transceiver);
      if (slot === undefined) return;
      let stream = this.remoteStreams.get(slot);
      if (!stream) this.remoteStreams.set(slot, (stream = new MediaStream()));
      for (const t of stream.getTracks()) stream.removeTrack(t);
      stream.addTrack(event.track);
      o.events.track(slot, stream);
    };
    this.connectTimer = setTimeout(() => {
      if (!this.everConnected) this.fail({ kind: 'ice', message: 'no connection in time' });
    }, o.connectTimeoutMs);
  }

  get state(): LinkState {
    return this.stateValue;
  }

  get media(): RemoteMedia {
    return this.mediaState;
  }

  stream(slot: Slot): MediaStream | undefined {
    return this.remoteStreams.get(slot);
  }

  /** Creates the transceivers (initiator) or waits for the peer's offer. */
  start(): void {
    if (!this.initiator) return;
    for (const slot of SLOTS) {
      this.pc.addTransceiver(slot === Slot.AUDIO ? 'audio' : 'video', { direction: 'sendrecv' });
    }
    this.attached = true;
    this.applyAll();
    // negotiationneeded fires by itself once the transceivers exist.
  }

  /** A slot's outgoing track changed (mute, camera, screen). */
  apply(slot: Slot): void {
    if (!this.attached) return;
    const transceiver = this.pc.getTransceivers()[slot];
    if (!transceiver || this.stateValue === 'closed') return;
    void transceiver.sender.replaceTrack(this.o.local.outbound(slot)).catch(() => undefined);
  }

  /** Tells the peer what we send and whether we hear them. */
  sendMedia(): void {
    const l = this.o.local;
    this.send({
      t: 'media',
      mic: !l.muted,
      cam: l.cameraOn,
      screen: l.sharingScreen,
      deaf: l.deafened,
    });
  }

  /** Remote audio plays only while we are not deafened. */
  setDeafened(deafened: boolean): void {
    this.remoteStreams
      .get(Slot.AUDIO)
      ?.getAudioTracks()
      .forEach((t) => (t.enabled = !deafened));
  }

  /** A sealed frame from this peer, in the order the relay delivered them. */
  receive(frame: Uint8Array): void {
    this.receiving = this.receiving.then(async () => {
      if (this.stateValue === 'closed') return;
      const opened = await this.o.channel.open(frame);
      if (!opened.ok) {
        // Forged, altered, replayed or redirected: whoever sent it is not the peer, or the relay
        // tampered with it. Nothing from it is used.
        this.o.events.refused(`signalling from ${this.peerId} failed verification`);
        return;
      }
      const message = decodePeerMessage(opened.value);
      if (!message) {
        this.o.events.refused(`unreadable signalling from ${this.peerId}`);
        return;
      }
      await this.onMessage(message);
    });
  }

  /** Fresh TURN credentials (a refresh before they expire): new relay candidates via a restart. */
  updateIceServers(iceServers: RTCIceServer[]): void {
    if (this.stateValue === 'closed') return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
      this.pc.restartIce();
    } catch {
      // A configuration the browser refuses keeps the old one; the call goes on.
    }
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    clearTimeout(this.connectTimer);
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.onnegotiationneeded = null;
    this.pc.onicegatheringstatechange = null;
    this.pc.onicecandidateerror = null;
    this.pc.close();
  }

  // --- signalling ---------------------------------------------------------------------------

  private send(message: PeerMessage): void {
    this.sending = this.sending.then(async () => {
      if (this.stateValue === 'closed') return;
      try {
        this.o.transmit(await this.o.channel.seal(encodePeerMessage(message)));
      } catch {
        // Not connected to the relay right now: the call recovers (ICE restart) once we are.
      }
    });
  }

  private async negotiate(): Promise<void> {
    if (this.stateValue === 'closed') return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const d = this.pc.localDescription;
      if (d) this.send({ t: 'sdp', type: d.type as 'offer' | 'answer', sdp: d.sdp });
    } catch {
      // A glare rolled our offer back; the peer's offer wins and we answer it.
    } finally {
      this.makingOffer = false;
    }
  }

  private async onMessage(message: PeerMessage): Promise<void> {
    switch (message.t) {
      case 'sdp':
        return this.onDescription(message.type, message.sdp);
      case 'ice':
        try {
          await this.pc.addIceCandidate({
            candidate: message.candidate,
            sdpMid: message.mid,
            sdpMLineIndex: message.index,
          });
        } catch {
          // A candidate for an offer we ignored, or one the browser can't use: harmless.
        }
        return;
      case 'media': {
        const { mic, cam, screen, deaf } = message;
        this.mediaState = { mic, cam, screen, deaf };
        this.o.events.media(this.mediaState);
        return;
      }
    }
  }

  private async onDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    // The only fingerprint we accept is the one this member announced in the session.
    const check = checkSdpFingerprint(sdp, this.o.fingerprint);
    if (check !== 'ok') {
      this.fail({
        kind: 'security',
        message:
          check === 'missing'
            ? `${this.peerId} sent an SDP without a DTLS fingerprint`
            : `the DTLS fingerprint in ${this.peerId}'s SDP is not the one ${this.peerId} announced in the encrypted session`,
      });
      return;
    }
    const collision = type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    try {
      await this.pc.setRemoteDescription({ type, sdp });
      if (type !== 'offer') return;
      if (!this.attached) {
        // Answerer: send on the transceivers the initiator's offer created.
        for (const t of this.pc.getTransceivers()) t.direction = 'sendrecv';
        this.attached = true;
        this.applyAll();
      }
      await this.pc.setLocalDescription();
      const d = this.pc.localDescription;
      if (d) this.send({ t: 'sdp', type: 'answer', sdp: d.sdp });
    } catch {
      this.fail({ kind: 'ice', message: `could not apply ${this.peerId}'s connection offer` });
    }
  }

  private applyAll(): void {
    for (const slot of SLOTS) this.apply(slot);
    this.sendMedia();
  }

  private slotOf(transceiver: RTCRtpTransceiver): Slot | undefined {
    const index = this.pc.getTransceivers().indexOf(transceiver);
    return index >= 0 && index < SLOTS.length ? SLOTS[index] : undefined;
  }

  // --- connection state ---------------------------------------------------------------------

  private onConnectionState(): void {
    switch (this.pc.connectionState) {
      case 'connected':
        this.everConnected = true;
        clearTimeout(this.connectTimer);
        void this.verifyCertificate();
        return;
      case 'disconnected':
        if (this.stateValue === 'connected') this.setState('reconnecting');
        return;
      case 'failed':
        void this.iceFailed();
        return;
      default:
        return;
    }
  }

  /** The DTLS certificate the peer actually used must be the one it announced. */
  private async verifyCertificate(): Promise<void> {
    for (let attempt = 0; attempt < CERT_CHECK_ATTEMPTS; attempt++) {
      if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
      const negotiated = await this.remoteCertificate();
      if (negotiated !== undefined) {
        if (negotiated === this.o.fingerprint) {
          this.setState('connected');
        } else {
          this.fail({
            kind: 'security',
            message: `the DTLS certificate of the connection to ${this.peerId} is not the one ${this.peerId} announced in the encrypted session`,
          });
        }
        return;
      }
      await new Promise((r) => setTimeout(r, CERT_CHECK_DELAY_MS));
    }
    // We can't tell who is at the other end: fail closed.
    this.fail({
      kind: 'security',
      message: `could not verify the DTLS certificate of the connection to ${this.peerId}`,
    });
  }

  private async remoteCertificate(): Promise<string | undefined> {
    let report: RTCStatsReport;
    try {
      report = await this.pc.getStats();
    } catch {
      return undefined;
    }
    let certificateId: string | undefined;
    report.forEach((s: { type: string; remoteCertificateId?: string; dtlsState?: string }) => {
      if (s.type === 'transport' && s.dtlsState === 'connected' && s.remoteCertificateId)
        certificateId = s.remoteCertificateId;
    });
    if (!certificateId) return undefined;
    const cert = report.get(certificateId) as
      { fingerprint?: string; fingerprintAlgorithm?: string } | undefined;
    if (!cert?.fingerprint || !cert.fingerprintAlgorithm) return undefined;
    return canonicalFingerprint(cert.fingerprintAlgorithm, cert.fingerprint) ?? 'unsupported';
  }

  private async iceFailed(): Promise<void> {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    if (!this.restarted) {
      this.restarted = true;
      this.setState(this.everConnected ? 'reconnecting' : 'connecting');
      const servers = this.turnRejected ? await this.o.events.refreshIceServers() : undefined;
      this.relayCandidates = 0;
      this.turnRejected = false;
      if (servers) this.updateIceServers(servers);
      else this.pc.restartIce();
      return;
    }
    this.fail(
      this.turnRejected
        ? {
            kind: 'turn',
            message: 'the TURN server refused the credentials from the relay (401 Unauthorized)',
          }
        : { kind: 'ice', message: `no network path to ${this.peerId}` },
    );
  }

  private setState(state: LinkState): void {
    if (this.stateValue === state || this.stateValue === 'closed') return;
    this.stateValue = state;
    this.o.events.state(state);
  }

  private fail(failure: LinkFailure): void {
    if (this.stateValue === 'failed' || this.stateValue === 'closed') return;
    this.setState('failed');
    clearTimeout(this.connectTimer);
    this.o.events.failed(failure);
  }
}
