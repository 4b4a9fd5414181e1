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
export { createRoom, type CreatedRoom } from './rest';
export { createImagePreview, type Preview } from './preview';
export { buildWsUrl, globalWebSocket, type SocketLike, type WebSocketFactory } from './transport';
export { Emitter } from './emitter';
export * from './code-room';
