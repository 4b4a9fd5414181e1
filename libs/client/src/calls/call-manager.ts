/**
 * Calls in one room, on top of a connected NullroomClient: a WebRTC mesh (everyone connects to
 * everyone, up to the relay's CALL_MAX_PARTICIPANTS), voice or video, mute, deafen, camera,
 * screen share, ringing, decline, hang up.
 *
 * Who sees what (docs/calls.md):
 * - The room sees, inside the end-to-end session, that a call exists and who joined it, with
 *   each participant's per-call public key and DTLS fingerprint (CallSignal: join/leave/decline).
 * - Each pair of participants signals over its own CallChannel (SDP, ICE candidates, media
 *   state): the other members can't read it, the relay can't read or alter it.
 * - The relay learns that a connection joined or left the room's call (CALL_JOIN/CALL_LEAVE:
 *   it hands out TURN credentials and holds the size limit) and sees unicast frames between
 *   participants; never the call id, SDP, candidates, media kinds or mute state.
 *
 * A peer's DTLS fingerprint is accepted only from its own signed announcement (the session binds
 * it to the member it came from), its SDP must pin exactly that fingerprint, and the certificate
 * DTLS negotiated must match it; any mismatch ends the call with a `security` event. The media
 * then flows peer to peer (or through TURN), DTLS-SRTP encrypted end to end.
 */
import { type CallCredentials } from '@nullroom/protocol';
import {
  CallChannel,
  decodeCallFrameHeader,
  type EphemeralKeyPair,
  fromHex,
  generateCallKey,
  randomBytes,
  toHex,
} from '@nullroom/e2ee';
import { type NullroomClient } from '../client';
import { Emitter } from '../emitter';
import { CallEndReason, CallError, CallErrorCode, describeCallEnd } from './call-error';
import { type CallId, type CallSignal, decodeCallSignal, encodeCallSignal } from './call-message';
import { LocalMedia, type MediaConstraints, type MediaSource, Slot } from './local-media';
import { type LinkFailure, type LinkState, PeerLink, type RemoteMedia } from './peer-link';
import { canonicalFingerprint } from './sdp-fingerprint';

export interface CallManagerOptions {
  /** navigator.mediaDevices by default. */
  readonly media?: MediaSource;
  /** `new RTCPeerConnection(configuration)` by default. */
  readonly createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
  /** One certificate per call; ECDSA P-256 by default. */
  readonly generateCertificate?: () => Promise<RTCCertificate>;
  readonly constraints?: MediaConstraints;
  /** "Hide my address": relay-only ICE, so peers see the TURN server's address, never ours. */
  readonly hideAddress?: boolean;
  /** How long a call rings before it gives up (default 45 s). */
  readonly ringTimeoutMs?: number;
  /** How long a peer connection may take to come up (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** A participant whose relay connection dropped stays in the call this long (default 20 s). */
  readonly awayGraceMs?: number;
}

export type ParticipantState = 'self' | 'waiting' | LinkState;

export interface CallParticipant {
  readonly id: string;
  readonly self: boolean;
  readonly state: ParticipantState;
  /** What they send, and whether they hear (as they told us). */
  readonly media: RemoteMedia;
  /** Their relay connection is up (they may be reconnecting). */
  readonly present: boolean;
}

export interface CallView {
  readonly callId: CallId;
  /** calling: nobody else joined yet; connecting: joined, media not up; active: media flowing. */
  readonly status: 'calling' | 'connecting' | 'active';
  readonly video: boolean;
  readonly startedBy: string;
  /** Ourselves first, then the others in the order they joined. */
  readonly participants: readonly CallParticipant[];
  readonly local: {
    readonly muted: boolean;
    readonly deafened: boolean;
    readonly camera: boolean;
    readonly screen: boolean;
    readonly hideAddress: boolean;
  };
  readonly declinedBy: readonly string[];
  readonly maxParticipants: number;
}

export interface CallSnapshot {
  /** A call rings for us: accept or decline it. */
  readonly incoming?: { readonly callId: CallId; readonly from: string; readonly video: boolean };
  /** A call goes on in the room without us: join it with accept(callId). */
  readonly ongoing?: { readonly callId: CallId; readonly members: readonly string[] };
  /** Our call. */
  readonly call?: CallView;
}

export interface CallEvents extends Record<string, unknown> {
  /** Anything changed: render from this. */
  change: CallSnapshot;
  /** Someone rings us. */
  ringing: { readonly callId: CallId; readonly from: string; readonly video: boolean };
  /** A participant's media: play `audio`, show `camera` and `screen`. */
  stream: {
    readonly peerId: string;
    readonly kind: 'audio' | 'camera' | 'screen';
    readonly stream: MediaStream;
  };
  ended: {
    readonly callId: CallId;
    readonly reason: CallEndReason;
    readonly message: string;
    readonly detail?: string;
  };
  /** Something failed verification: the relay (or someone) tampered with the call. */
  security: { readonly peerId?: string; readonly message: string };
}

interface Announcement {
  readonly key: string;
  readonly fp: string;
  readonly video: boolean;
  readonly ring: boolean;
}

interface Ringing {
  readonly callId: CallId;
  readonly from: string;
  readonly video: boolean;
  readonly timer: ReturnType<typeof setTimeout>;
}

const SLOT_KIND = {
  [Slot.AUDIO]: 'audio',
  [Slot.CAMERA]: 'camera',
  [Slot.SCREEN]: 'screen',
} as const;
/**
 * Frames from a participant whose announcement is still being processed wait, but only a few:
 * per sender, and in all (a member or the relay could otherwise park megabytes here).
 */
const MAX_EARLY_FRAMES = 32;
const MAX_EARLY_BYTES = 512 * 1024;

class ActiveCall {
  readonly links = new Map<string, PeerLink>();
  readonly linking = new Set<string>();
  readonly early = new Map<string, Uint8Array[]>();
  earlyBytes = 0;
  readonly declined = new Set<string>();
  readonly away = new Map<string, ReturnType<typeof setTimeout>>();
  /** Members whose epoch we announced ourselves to (re-announce to newcomers). */
  readonly announcedTo = new Set<string>();
  ringTimer: ReturnType<typeof setTimeout> | undefined;
  refreshTimer: ReturnType<typeof setTimeout> | undefined;
  everJoined = false;

  constructor(
    readonly callId: CallId,
    readonly startedBy: string,
    readonly video: boolean,
    readonly key: EphemeralKeyPair,
    readonly certificate: RTCCertificate,
    readonly fingerprint: string,
    readonly local: LocalMedia,
    public credentials: CallCredentials,
    /** "Hide my address" as it was when we joined: it holds for the whole call. */
    readonly relayOnly: boolean,
  ) {}

  status(): CallView['status'] {
    if (!this.everJoined) return 'calling';
    return [...this.links.values()].some((l) => l.state === 'connected') ? 'active' : 'connecting';
  }
}

export class CallManager extends Emitter<CallEvents> {
  private readonly options: CallManagerOptions;
  private readonly offs: Array<() => void> = [];
  /** Every call the room has told us about: callId → member → announcement. */
  private readonly roomCalls = new Map<CallId, Map<string, Announcement>>();
  private ringing: Ringing | undefined;
  private current: ActiveCall | undefined;
  private joining = false;
  private hideAddressValue: boolean;
  private lastEpochMembers = new Set<string>();
  private disposed = false;

  constructor(
    private readonly client: NullroomClient,
    options: CallManagerOptions = {},
  ) {
    super();
    this.options = options;
    this.hideAddressValue = options.hideAddress ?? false;
    this.offs.push(
      client.on('call-signal', ({ from, data }) => this.onSignal(from, data)),
      client.on('call-frame', ({ from, payload }) => this.onFrame(from, payload)),
      client.on('presence', ({ event, clientId }) => this.onPresence(event, clientId)),
      client.on('epoch', ({ members }) => this.onEpoch(members)),
      client.on('state', ({ state }) => {
        if (state === 'ready') void this.rejoinRelay();
      }),
      client.on('closed', () => this.endCall(CallEndReason.LEFT_ROOM, false)),
    );
  }

  get hideAddress(): boolean {
    return this.hideAddressValue;
  }

  /** "Hide my address" for the next call (relay-only ICE through the relay's TURN server); a call
   * in progress keeps what it started with. */
  setHideAddress(on: boolean): void {
    this.hideAddressValue = on;
    this.changed();
  }

  snapshot(): CallSnapshot {
    const call = this.current;
    const ringing = this.ringing;
    let ongoing: CallSnapshot['ongoing'];
    if (!call) {
      for (const [callId, members] of this.roomCalls) {
        if (members.size > 0) ongoing = { callId, members: [...members.keys()] };
      }
    }
    return {
      ...(ringing
        ? { incoming: { callId: ringing.callId, from: ringing.from, video: ringing.video } }
        : {}),
      ...(ongoing ? { ongoing } : {}),
      ...(call ? { call: this.view(call) } : {}),
    };
  }

  /** Our camera, for a self view. */
  localPreview(): MediaStream | undefined {
    return this.current?.local.preview;
  }

  /** A participant's media stream of one kind, if it has arrived. */
  remoteStream(peerId: string, kind: 'audio' | 'camera' | 'screen'): MediaStream | undefined {
    const slot = kind === 'audio' ? Slot.AUDIO : kind === 'camera' ? Slot.CAMERA : Slot.SCREEN;
    return this.current?.links.get(peerId)?.stream(slot);
  }

  /** The peer connection to a participant: for diagnostics and tests (getStats). */
  peerConnection(peerId: string): RTCPeerConnection | undefined {
    return this.current?.links.get(peerId)?.pc;
  }

  /** Starts a call in the room (or joins the one already going on), and rings the others. */
  async start(options: { readonly video?: boolean } = {}): Promise<CallId> {
    const existing = this.ringing?.callId ?? this.snapshot().ongoing?.callId;
    if (existing !== undefined) return this.accept(existing, options);
    const callId = toHex(randomBytes(16));
    await this.join(callId, this.client.clientId, options.video ?? true, true);
    return callId;
  }

  /** Answers a ringing call, or joins one going on in the room. */
  async accept(callId?: CallId, options: { readonly video?: boolean } = {}): Promise<CallId> {
    const id = callId ?? this.ringing?.callId ?? this.snapshot().ongoing?.callId;
    const members = id === undefined ? undefined : this.roomCalls.get(id);
    if (id === undefined || !members || members.size === 0)
      throw new CallError(CallErrorCode.NO_SUCH_CALL, 'that call is over');
    const ringing = this.ringing?.callId === id ? this.ringing : undefined;
    const startedBy = ringing?.from ?? [...members.keys()][0]!;
    const video = options.video ?? ringing?.video ?? [...members.values()][0]!.video;
    await this.join(id, startedBy, video, false);
    return id;
  }

  /** Declines a ringing call: the caller is told, nobody else. */
  async decline(callId?: CallId): Promise<void> {
    const ringing = this.ringing;
    if (!ringing || (callId !== undefined && callId !== ringing.callId)) return;
    this.stopRinging();
    await this.signal({ t: 'decline', call: ringing.callId }).catch(() => undefined);
  }

  /** Leaves our call. With nobody else left, it is over for them too. */
  hangUp(): void {
    this.endCall(CallEndReason.HUNG_UP, true);
  }

  setMuted(muted: boolean): void {
    this.current?.local.setMuted(muted);
    this.mediaChanged();
  }

  setDeafened(deafened: boolean): void {
    const call = this.current;
    if (!call) return;
    call.local.setDeafened(deafened);
    for (const link of call.links.values()) link.setDeafened(deafened);
    this.mediaChanged();
  }

  async setCamera(on: boolean): Promise<void> {
    const call = this.current;
    if (!call) return;
    try {
      await call.local.setCamera(on);
    } catch (error) {
      throw new CallError(
        CallErrorCode.MEDIA,
        `the camera could not be opened (${errorName(error)})`,
      );
    }
    this.mediaChanged();
  }

  /** Shares a screen, window or tab; false if the user cancelled the picker. */
  async startScreenShare(): Promise<boolean> {
    const call = this.current;
    if (!call) return false;
    let started: boolean;
    try {
      started = await call.local.startScreen();
    } catch (error) {
      throw new CallError(
        CallErrorCode.MEDIA,
        `the screen could not be shared (${errorName(error)})`,
      );
    }
    this.mediaChanged();
    return started;
  }

  stopScreenShare(): void {
    this.current?.local.stopScreen();
    this.mediaChanged();
  }

  /** Hangs up and stops listening to the client. */
  dispose(): void {
    if (this.disposed) return;
    this.endCall(CallEndReason.HUNG_UP, true);
    this.stopRinging();
    this.disposed = true;
    for (const off of this.offs.splice(0)) off();
  }

  // --- joining and leaving ------------------------------------------------------------------

  private async join(
    callId: CallId,
    startedBy: string,
    video: boolean,
    ring: boolean,
  ): Promise<void> {
    if (this.disposed)
      throw new CallError(CallErrorCode.NOT_CONNECTED, 'the call manager is closed');
    if (this.current || this.joining) throw new CallError(CallErrorCode.BUSY, 'already in a call');
    this.joining = true;
    let credentials: CallCredentials | undefined;
    let local: LocalMedia | undefined;
    try {
      credentials = await this.client.joinCallAtRelay();
      const relayOnly = this.hideAddressValue;
      if (relayOnly && !hasTurn(credentials)) {
        throw new CallError(
          CallErrorCode.NO_TURN,
          '"Hide my address" needs a TURN server, and this relay has none (TURN_URLS)',
        );
      }
      const source = this.options.media ?? globalMediaDevices();
      local = new LocalMedia(source, this.options.constraints ?? {}, (slot) =>
        this.trackChanged(slot),
      );
      try {
        await local.open(video);
      } catch (error) {
        throw new CallError(
          CallErrorCode.MEDIA,
          `the microphone${video ? ' or camera' : ''} could not be opened (${errorName(error)})`,
        );
      }
      const certificate = await (this.options.generateCertificate ?? defaultCertificate)();
      const fingerprint = certificateFingerprint(certificate);
      const key = await generateCallKey();
      const call = new ActiveCall(
        callId,
        startedBy,
        video,
        key,
        certificate,
        fingerprint,
        local,
        credentials,
        relayOnly,
      );
      this.current = call;
      // Answering (or joining) a call someone is already in: it has been joined.
      call.everJoined = [...(this.roomCalls.get(callId)?.keys() ?? [])].some(
        (m) => m !== this.client.clientId,
      );
      if (this.ringing?.callId === callId) this.stopRinging();
      this.scheduleRefresh(call);
      if (ring) {
        call.ringTimer = setTimeout(() => {
          if (this.current === call && !call.everJoined)
            this.endCall(CallEndReason.NO_ANSWER, true);
        }, this.options.ringTimeoutMs ?? 45_000);
      }
      await this.announce(call, ring);
      // Connect to everyone already in the call.
      for (const peerId of this.roomCalls.get(callId)?.keys() ?? [])
        void this.ensureLink(call, peerId);
      this.changed();
      // Someone else's ring arrived while we were opening our own call.
      if (this.current === call) queueMicrotask(() => this.mergeIfRungByLower(call));
    } catch (error) {
      if (this.current === undefined || this.current.local === local) {
        local?.stop();
        this.current = undefined;
        if (credentials) this.client.leaveCallAtRelay();
      }
      throw error;
    } finally {
      this.joining = false;
    }
  }

  private async announce(call: ActiveCall, ring: boolean): Promise<void> {
    for (const m of this.client.presentMembers()) call.announcedTo.add(m);
    await this.signal({
      t: 'join',
      call: call.callId,
      video: call.video,
      key: toHex(call.key.publicKey),
      fp: call.fingerprint,
      ring,
    });
  }

  /**
   * Two members started a call at the same moment: each rings the other. Both end up in the
   * lower call id — the one with the higher id leaves its own (quietly) and joins the other.
   */
  private mergeIfRungByLower(call: ActiveCall): boolean {
    if (this.current !== call || call.status() !== 'calling' || this.joining) return false;
    const self = this.client.clientId;
    for (const [callId, members] of this.roomCalls) {
      if (callId >= call.callId) continue;
      const ringer = [...members].find(([id, a]) => id !== self && a.ring)?.[0];
      if (ringer === undefined) continue;
      this.endCall(CallEndReason.HUNG_UP, true, undefined, true);
      void this.join(callId, ringer, call.video, false).catch(() => undefined);
      return true;
    }
    return false;
  }

  private endCall(
    reason: CallEndReason,
    tellOthers: boolean,
    detail?: string,
    /** Leaving one call for another: nothing to tell the user. */
    quiet = false,
  ): void {
    const call = this.current;
    if (!call) return;
    this.current = undefined;
    clearTimeout(call.ringTimer);
    clearTimeout(call.refreshTimer);
    for (const t of call.away.values()) clearTimeout(t);
    for (const link of call.links.values()) link.close();
    call.local.stop();
    this.roomCalls.get(call.callId)?.delete(this.client.clientId);
    if (tellOthers) {
      this.client.leaveCallAtRelay();
      void this.signal({ t: 'leave', call: call.callId }).catch(() => undefined);
    }
    if (!quiet) {
      this.emit('ended', {
        callId: call.callId,
        reason,
        message: describeCallEnd(reason),
        ...(detail === undefined ? {} : { detail }),
      });
    }
    this.changed();
  }

  /** After a reconnect the relay has forgotten we were in the call: tell it again. */
  private async rejoinRelay(): Promise<void> {
    const call = this.current;
    if (!call || this.joining) return;
    try {
      call.credentials = await this.client.joinCallAtRelay();
    } catch {
      // The media may still flow; the next refresh tries again.
    }
  }

  private scheduleRefresh(call: ActiveCall): void {
    const ttlS = call.credentials.ttlS;
    if (ttlS <= 0) return;
    // Well before coturn refuses them (it checks on every allocation refresh, too).
    call.refreshTimer = setTimeout(async () => {
      if (this.current !== call) return;
      try {
        call.credentials = await this.client.joinCallAtRelay();
        const servers = iceServers(call.credentials);
        for (const link of call.links.values()) link.updateIceServers(servers);
      } catch {
        // Not connected: the reconnect path (rejoinRelay) renews them.
      }
      this.scheduleRefresh(call);
    }, ttlS * 800);
  }

  // --- what the room says -------------------------------------------------------------------

  private onSignal(from: string, data: Uint8Array): void {
    if (from === this.client.clientId) return;
    const signal = decodeCallSignal(data);
    if (!signal) {
      this.emit('security', { peerId: from, message: `unreadable call message from ${from}` });
      return;
    }
    switch (signal.t) {
      case 'join':
        return this.onJoin(from, signal);
      case 'leave':
        return this.onLeave(from, signal.call);
      case 'decline':
        return this.onDecline(from, signal.call);
    }
  }

  private onJoin(from: string, s: Extract<CallSignal, { t: 'join' }>): void {
    // A member is in one call at a time: joining one leaves any other (so a member announcing
    // call after call can't grow this map, nor ring more than once).
    for (const [callId, others] of this.roomCalls) {
      if (callId === s.call || !others.delete(from)) continue;
      if (others.size === 0) this.roomCalls.delete(callId);
      if (this.ringing?.callId === callId && others.size === 0) this.stopRinging();
      if (this.current?.callId === callId) this.removeParticipant(this.current, from);
    }
    let members = this.roomCalls.get(s.call);
    if (!members) this.roomCalls.set(s.call, (members = new Map<string, Announcement>()));
    const before = members.get(from);
    members.set(from, { key: s.key, fp: s.fp, video: s.video, ring: s.ring });
    const call = this.current;
    if (call?.callId === s.call) {
      call.everJoined = true;
      clearTimeout(call.ringTimer);
      this.clearAway(call, from);
      if (before && (before.key !== s.key || before.fp !== s.fp)) {
        // They left and came back (a new key for the same call): a new connection.
        call.links.get(from)?.close();
        call.links.delete(from);
      }
      void this.ensureLink(call, from);
    } else if (call && this.mergeIfRungByLower(call)) {
      return;
    } else if (!call && s.ring && !this.ringing && !before) {
      const timer = setTimeout(() => {
        if (this.ringing?.callId === s.call) this.stopRinging();
      }, this.options.ringTimeoutMs ?? 45_000);
      this.ringing = { callId: s.call, from, video: s.video, timer };
      this.emit('ringing', { callId: s.call, from, video: s.video });
    }
    this.changed();
  }

  private onLeave(from: string, callId: CallId): void {
    const members = this.roomCalls.get(callId);
    members?.delete(from);
    if (members?.size === 0) this.roomCalls.delete(callId);
    if (this.ringing?.callId === callId && (members?.size ?? 0) === 0) this.stopRinging();
    const call = this.current;
    if (call?.callId === callId) this.removeParticipant(call, from);
    this.changed();
  }

  private onDecline(from: string, callId: CallId): void {
    const call = this.current;
    if (call?.callId !== callId) return;
    call.declined.add(from);
    if (call.status() === 'calling') {
      const others = this.client.presentMembers().filter((m) => m !== this.client.clientId);
      if (others.length > 0 && others.every((m) => call.declined.has(m))) {
        this.endCall(CallEndReason.DECLINED, true);
        return;
      }
    }
    this.changed();
  }

  private onPresence(event: 'joined' | 'left' | 'welcome', clientId: string): void {
    if (event !== 'left' || clientId === this.client.clientId) return;
    if (this.ringing?.from === clientId) this.stopRinging();
    const call = this.current;
    if (call && this.roomCalls.get(call.callId)?.has(clientId) && !call.away.has(clientId)) {
      // Their relay connection dropped (a drain, a network change): the media may well still
      // flow. Give them time to come back before dropping them from the call.
      call.away.set(
        clientId,
        setTimeout(() => {
          call.away.delete(clientId);
          this.roomCalls.get(call.callId)?.delete(clientId);
          if (this.current === call) this.removeParticipant(call, clientId);
        }, this.options.awayGraceMs ?? 20_000),
      );
    } else if (!call) {
      for (const [callId, members] of this.roomCalls) {
        members.delete(clientId);
        if (members.size === 0) this.roomCalls.delete(callId);
      }
    }
    this.changed();
  }

  /** A new epoch: anyone in it we haven't announced our call to hears about it now. */
  private onEpoch(members: readonly string[]): void {
    const fresh = members.filter((m) => !this.lastEpochMembers.has(m));
    this.lastEpochMembers = new Set(members);
    const call = this.current;
    if (!call || this.joining) return;
    if (fresh.some((m) => m !== this.client.clientId && !call.announcedTo.has(m))) {
      void this.announce(call, call.status() === 'calling').catch(() => undefined);
    }
  }

  private stopRinging(): void {
    const ringing = this.ringing;
    if (!ringing) return;
    clearTimeout(ringing.timer);
    this.ringing = undefined;
    this.changed();
  }

  // --- peer connections ---------------------------------------------------------------------

  private async ensureLink(call: ActiveCall, peerId: string): Promise<void> {
    if (peerId === this.client.clientId || call.links.has(peerId) || call.linking.has(peerId))
      return;
    const announcement = this.roomCalls.get(call.callId)?.get(peerId);
    if (!announcement) return;
    if (call.links.size + 1 >= call.credentials.maxParticipants) return;
    call.linking.add(peerId);
    try {
      const channel = await CallChannel.open(
        {
          roomId: this.client.roomId,
          callId: fromHex(call.callId),
          selfId: this.client.clientId,
          peerId,
        },
        call.key,
        fromHex(announcement.key),
      );
      if (this.current !== call) return;
      if (!channel.ok) {
        this.security(peerId, `${peerId} announced an invalid call key`);
        return;
      }
      const link = new PeerLink({
        peerId,
        selfId: this.client.clientId,
        channel: channel.value,
        fingerprint: announcement.fp,
        configuration: {
          iceServers: iceServers(call.credentials),
          iceTransportPolicy: call.relayOnly ? 'relay' : 'all',
          certificates: [call.certificate],
          bundlePolicy: 'max-bundle',
          rtcpMuxPolicy: 'require',
        },
        relayOnly: call.relayOnly,
        local: call.local,
        transmit: (frame) => this.client.sendCallFrame(peerId, frame),
        createPeerConnection:
          this.options.createPeerConnection ?? ((c) => new RTCPeerConnection(c)),
        connectTimeoutMs: this.options.connectTimeoutMs ?? 30_000,
        events: {
          state: () => this.changed(),
          media: () => this.changed(),
          track: (slot, stream) => {
            if (slot === Slot.AUDIO) link.setDeafened(call.local.deafened);
            this.emit('stream', { peerId, kind: SLOT_KIND[slot], stream });
          },
          failed: (failure) => this.linkFailed(call, peerId, failure),
          refused: (message) => this.security(peerId, message),
          refreshIceServers: async () => {
            try {
              call.credentials = await this.client.joinCallAtRelay();
              return iceServers(call.credentials);
            } catch {
              return undefined;
            }
          },
        },
      });
      call.links.set(peerId, link);
      link.start();
      for (const frame of call.early.get(peerId)?.splice(0) ?? []) {
        call.earlyBytes -= frame.byteLength;
        link.receive(frame);
      }
      call.early.delete(peerId);
      this.changed();
    } finally {
      call.linking.delete(peerId);
    }
  }

  private onFrame(from: string, payload: Uint8Array): void {
    const call = this.current;
    if (!call) return;
    const header = decodeCallFrameHeader(payload);
    // Frames of another (an earlier) call: late candidates, or a replay. Not ours to open.
    if (!header.ok || toHex(header.value.callId) !== call.callId) return;
    const link = call.links.get(from);
    if (link) return link.receive(payload);
    // Its announcement is still being processed: keep a few frames until the link exists.
    // Only from members of the room, and within the bounds above; the rest is dropped.
    if (!this.client.presentMembers().includes(from)) return;
    let early = call.early.get(from);
    if (!early) call.early.set(from, (early = []));
    if (early.length >= MAX_EARLY_FRAMES || call.earlyBytes + payload.byteLength > MAX_EARLY_BYTES)
      return;
    early.push(payload);
    call.earlyBytes += payload.byteLength;
  }

  private trackChanged(slot: Slot): void {
    for (const link of this.current?.links.values() ?? []) link.apply(slot);
  }

  private mediaChanged(): void {
    for (const link of this.current?.links.values() ?? []) link.sendMedia();
    this.changed();
  }

  private removeParticipant(call: ActiveCall, peerId: string): void {
    this.clearAway(call, peerId);
    call.links.get(peerId)?.close();
    call.links.delete(peerId);
    for (const frame of call.early.get(peerId) ?? []) call.earlyBytes -= frame.byteLength;
    call.early.delete(peerId);
    const others = [...(this.roomCalls.get(call.callId)?.keys() ?? [])].filter(
      (m) => m !== this.client.clientId,
    );
    if (call.everJoined && others.length === 0) this.endCall(CallEndReason.REMOTE_HUNG_UP, true);
  }

  private clearAway(call: ActiveCall, peerId: string): void {
    clearTimeout(call.away.get(peerId));
    call.away.delete(peerId);
  }

  private linkFailed(call: ActiveCall, peerId: string, failure: LinkFailure): void {
    if (this.current !== call) return;
    if (failure.kind === 'security') return this.security(peerId, failure.message);
    const alive = [...call.links.values()].some(
      (l) =>
        l.peerId !== peerId &&
        (l.state === 'connected' || l.state === 'reconnecting' || l.state === 'connecting'),
    );
    if (alive) {
      this.changed();
      return;
    }
    this.endCall(
      failure.kind === 'turn' ? CallEndReason.TURN_REJECTED : CallEndReason.FAILED,
      true,
      turnDetail(failure, call.credentials),
    );
  }

  /** Anything that fails verification ends the call: we fail closed and say why. */
  private security(peerId: string, message: string): void {
    this.emit('security', { peerId, message });
    this.endCall(CallEndReason.SECURITY, true, message);
  }

  // --- views --------------------------------------------------------------------------------

  private async signal(signal: CallSignal): Promise<void> {
    await this.client.sendCallSignal(encodeCallSignal(signal));
  }

  private changed(): void {
    if (!this.disposed) this.emit('change', this.snapshot());
  }

  private view(call: ActiveCall): CallView {
    const self = this.client.clientId;
    const present = new Set(this.client.presentMembers());
    const members = [...(this.roomCalls.get(call.callId)?.keys() ?? [])].filter((m) => m !== self);
    const participants: CallParticipant[] = [
      {
        id: self,
        self: true,
        state: 'self',
        present: true,
        media: {
          mic: !call.local.muted,
          cam: call.local.cameraOn,
          screen: call.local.sharingScreen,
          deaf: call.local.deafened,
        },
      },
      ...members.map((id) => {
        const link = call.links.get(id);
        return {
          id,
          self: false,
          state: link?.state ?? ('waiting' as const),
          present: present.has(id),
          media: link?.media ?? { mic: true, cam: false, screen: false, deaf: false },
        };
      }),
    ];
    return {
      callId: call.callId,
      status: call.status(),
      video: call.video,
      startedBy: call.startedBy,
      participants,
      local: {
        muted: call.local.muted,
        deafened: call.local.deafened,
        camera: call.local.cameraOn,
        screen: call.local.sharingScreen,
        hideAddress: call.relayOnly,
      },
      declinedBy: [...call.declined],
      maxParticipants: call.credentials.maxParticipants,
    };
  }
}

function hasTurn(c: CallCredentials): boolean {
  return c.username !== undefined && c.urls.some((u) => /^turns?:/.test(u));
}

function iceServers(c: CallCredentials): RTCIceServer[] {
  if (c.urls.length === 0) return [];
  return [
    {
      urls: [...c.urls],
      ...(c.username === undefined ? {} : { username: c.username, credential: c.credential! }),
    },
  ];
}

function turnDetail(failure: LinkFailure, c: CallCredentials): string {
  if (failure.kind !== 'turn' || c.username === undefined) return failure.message;
  const expiry = Number(/^(\d+):/.exec(c.username)?.[1]);
  if (Number.isFinite(expiry) && expiry * 1000 <= Date.now()) {
    return `${failure.message}: they expired at ${new Date(expiry * 1000).toISOString()} (is the relay's clock behind the TURN server's?)`;
  }
  return `${failure.message}: the relay's TURN_SECRET may not match the TURN server's static-auth-secret`;
}

function defaultCertificate(): Promise<RTCCertificate> {
  const algorithm: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
  return RTCPeerConnection.generateCertificate(algorithm);
}

function certificateFingerprint(certificate: RTCCertificate): string {
  for (const f of certificate.getFingerprints()) {
    const fp = f.algorithm && f.value ? canonicalFingerprint(f.algorithm, f.value) : undefined;
    if (fp) return fp;
  }
  throw new CallError(CallErrorCode.MEDIA, 'this browser gives no SHA-256 certificate fingerprint');
}

function globalMediaDevices(): MediaSource {
  const devices = (globalThis as { navigator?: { mediaDevices?: MediaSource } }).navigator
    ?.mediaDevices;
  if (!devices)
    throw new CallError(
      CallErrorCode.MEDIA,
      'no camera or microphone access here (calls need https or localhost)',
    );
  return devices;
}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? 'Error';
}

/** What to show under a participant's name: "" while all is well. */
export function describeParticipant(p: CallParticipant): string {
  if (!p.present) return 'Reconnecting…';
  switch (p.state) {
    case 'waiting':
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'failed':
      return 'Could not connect';
    case 'self':
    case 'connected':
    case 'closed':
      return '';
  }
}
