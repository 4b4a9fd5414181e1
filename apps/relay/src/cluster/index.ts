// Cluster foundations: the room directory (who owns which room, where pods listen).
// Plain classes, no Nest decorators: the relay wraps them in its own module.
export * from './directory/room-key';
export * from './directory/room-directory';
export * from './directory/directory.exception';
export * from './directory/memory-room-directory';
export * from './directory/redis-room-directory';
