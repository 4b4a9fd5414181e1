// Code rooms (seed 001): codes, the PAKE handshake over the relay, and a member connection.
export {
  CodeHandshake,
  DEFAULT_LOCAL_MAX_FAILED_ATTEMPTS,
  type CodeHandshakeEvents,
  type CodeHandshakeOptions,
} from './code-handshake';
export {
  CodeRoomLink,
  type CodeRoomJoined,
  type CodeRoomLinkEvents,
  type CodeRoomLinkOptions,
} from './code-room-link';
export {
  CodeRoomError,
  CodeRoomErrorCode,
  codeRoomErrorForClose,
  codeRoomErrorForPake,
} from './code-room-error';
export { createCodeRoom, type CreateCodeRoomOptions, type CreatedCodeRoom } from './code-room-rest';
