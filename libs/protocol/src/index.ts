export * from './client-frame';
export * from './server-frame';
export * from './close-codes';
export * from './limits';
export * from './code-room';
export * from './code-frames';
export { utf8Decode, utf8Encode } from './text';
export * from './room-closed';
