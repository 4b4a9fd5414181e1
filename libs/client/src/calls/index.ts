export {
  CallManager,
  describeParticipant,
  type CallManagerOptions,
  type CallEvents,
  type CallParticipant,
  type CallSnapshot,
  type CallView,
  type ParticipantState,
} from './call-manager';
export {
  CallError,
  CallErrorCode,
  CallEndReason,
  describeCallEnd,
  isCallFailure,
} from './call-error';
export { type CallId, type CallSignal, type PeerMessage } from './call-message';
export { type MediaConstraints, type MediaSource } from './local-media';
export { type LinkState, type RemoteMedia } from './peer-link';
export { canonicalFingerprint, checkSdpFingerprint, sdpFingerprints } from './sdp-fingerprint';
