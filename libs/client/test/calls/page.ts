/**
 * Runs in Chromium: one call participant, driven by the test through `window.callTest`. The
 * SDK here is the real one (browser WebSocket, WebCrypto, RTCPeerConnection, fake media devices).
 */
import { CallManager, NullroomClient, type CallSnapshot } from '../../src';

interface Recorded {
  changes: number;
  ringing: Array<{ callId: string; from: string; video: boolean }>;
  ended: Array<{ reason: string; message: string; detail?: string }>;
  security: Array<{ peerId?: string; message: string }>;
  streams: Array<{ peerId: string; kind: string }>;
  errors: string[];
}

export interface PeerStats {
  connectionState: string;
  pair?: { local: string; remote: string };
  localCandidateTypes: string[];
  remoteCertificate?: string;
  outAudioPackets: number;
  outCameraPackets: number;
  outScreenPackets: number;
  inAudioPackets: number;
  inCameraFrames: number;
  inScreenFrames: number;
}

let client: NullroomClient | undefined;
let calls: CallManager | undefined;
const recorded: Recorded = {
  changes: 0,
  ringing: [],
  ended: [],
  security: [],
  streams: [],
  errors: [],
};

async function init(o: {
  relay: string;
  roomId: string;
  joinToken?: string;
  clientId: string;
  hideAddress?: boolean;
}): Promise<void> {
  client = new NullroomClient({
    url: o.relay,
    roomId: o.roomId,
    clientId: o.clientId,
    ...(o.joinToken ? { joinToken: o.joinToken } : {}),
  });
  calls = new CallManager(client, {
    hideAddress: o.hideAddress ?? false,
    // Small video: three pages encode and decode on two shared cores.
    constraints: { video: { width: 320, height: 240, frameRate: 15 } },
    connectTimeoutMs: 20_000,
  });
  calls.on('change', () => recorded.changes++);
  calls.on('ringing', (r) => recorded.ringing.push(r));
  calls.on('ended', (e) =>
    recorded.ended.push({
      reason: e.reason,
      message: e.message,
      ...(e.detail ? { detail: e.detail } : {}),
    }),
  );
  calls.on('security', (s) => recorded.security.push(s));
  calls.on('stream', ({ peerId, kind }) => recorded.streams.push({ peerId, kind }));
  await client.connect();
}

function manager(): CallManager {
  if (!calls) throw new Error('init first');
  return calls;
}

async function guard<T>(fn: () => Promise<T>): Promise<T | string> {
  try {
    return await fn();
  } catch (error) {
    const message = `${(error as Error).name}: ${(error as Error).message}`;
    recorded.errors.push(message);
    return message;
  }
}

async function stats(peerId: string): Promise<PeerStats | undefined> {
  const pc = manager().peerConnection(peerId);
  if (!pc) return undefined;
  const report = await pc.getStats();
  const out: PeerStats = {
    connectionState: pc.connectionState,
    localCandidateTypes: [],
    outAudioPackets: 0,
    outCameraPackets: 0,
    outScreenPackets: 0,
    inAudioPackets: 0,
    inCameraFrames: 0,
    inScreenFrames: 0,
  };
  let transport: { selectedCandidatePairId?: string; remoteCertificateId?: string } | undefined;
  report.forEach((s: { type: string; candidateType?: string }) => {
    if (s.type === 'transport') transport = s as typeof transport;
    if (s.type === 'local-candidate') out.localCandidateTypes.push(s.candidateType ?? '?');
  });
  const pair = transport?.selectedCandidatePairId
    ? (report.get(transport.selectedCandidatePairId) as
        { localCandidateId: string; remoteCandidateId: string } | undefined)
    : undefined;
  if (pair) {
    const local = report.get(pair.localCandidateId) as { candidateType: string };
    const remote = report.get(pair.remoteCandidateId) as { candidateType: string };
    out.pair = { local: local.candidateType, remote: remote.candidateType };
  }
  if (transport?.remoteCertificateId) {
    const cert = report.get(transport.remoteCertificateId) as { fingerprint: string };
    out.remoteCertificate = cert.fingerprint;
  }
  const transceivers = pc.getTransceivers();
  const sum = async (
    what: 'sender' | 'receiver',
    index: number,
    type: string,
    field: 'packetsSent' | 'packetsReceived' | 'framesDecoded',
  ): Promise<number> => {
    const t = transceivers[index];
    if (!t) return 0;
    const r = await t[what].getStats();
    let n = 0;
    r.forEach((s: Record<string, unknown>) => {
      if (s.type === type && typeof s[field] === 'number') n += s[field];
    });
    return n;
  };
  out.outAudioPackets = await sum('sender', 0, 'outbound-rtp', 'packetsSent');
  out.outCameraPackets = await sum('sender', 1, 'outbound-rtp', 'packetsSent');
  out.outScreenPackets = await sum('sender', 2, 'outbound-rtp', 'packetsSent');
  out.inAudioPackets = await sum('receiver', 0, 'inbound-rtp', 'packetsReceived');
  out.inCameraFrames = await sum('receiver', 1, 'inbound-rtp', 'framesDecoded');
  out.inScreenFrames = await sum('receiver', 2, 'inbound-rtp', 'framesDecoded');
  return out;
}

const api = {
  init,
  start: (video = true) => guard(() => manager().start({ video })),
  accept: () => guard(() => manager().accept()),
  decline: () => guard(() => manager().decline()),
  hangUp: () => manager().hangUp(),
  mute: (on: boolean) => manager().setMuted(on),
  deafen: (on: boolean) => manager().setDeafened(on),
  camera: (on: boolean) => guard(() => manager().setCamera(on)),
  screen: () => guard(() => manager().startScreenShare()),
  stopScreen: () => manager().stopScreenShare(),
  snapshot: (): CallSnapshot => manager().snapshot(),
  recorded: (): Recorded => recorded,
  stats,
  close: () => {
    calls?.dispose();
    client?.close();
  },
};

export type CallTestApi = typeof api;
(globalThis as unknown as { callTest: CallTestApi }).callTest = api;
