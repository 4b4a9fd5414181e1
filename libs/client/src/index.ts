export {
  NullroomClient,
  type ClientOptions,
  type ClientEvents,
  type ClientState,
  type SendFileOptions,
  type SessionFactoryOptions,
} from './client';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export {
  ClientError,
  ClientErrorCode,
  ConnectionClosedError,
  TimeoutError,
  HttpError,
} from './errors';
export { createRoom, type CreatedRoom, type CreateRoomExtras } from './rest';
export { createImagePreview, type Preview } from './preview';
export { buildWsUrl, globalWebSocket, type SocketLike, type WebSocketFactory } from './transport';
export { Emitter } from './emitter';
export { CloseMeaning, closeMeaning, roomIsGone, type CloseWording } from './close-meaning';
export {
  TYPING_IDLE_MS,
  TYPING_SHOWN_MS,
  TypingNotifier,
  TypingRoster,
  type TypingTimers,
} from './typing';
export * from './code-room';
