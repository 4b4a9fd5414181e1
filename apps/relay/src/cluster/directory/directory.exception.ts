/**
 * Errors of the room directory. Messages never carry a room key, pod address or Redis reply text
 * that could; the transport error (if any) is kept as `cause` for debugging only.
 */
export const DirectoryErrorCode = {
  /** Redis is not connected (or did not answer in time): fall back to local ownership. */
  UNAVAILABLE: 'DIRECTORY_UNAVAILABLE',
  /** Redis answered something the scripts never return: a bug or a foreign writer. */
  PROTOCOL: 'DIRECTORY_PROTOCOL',
  /** The directory was closed by its owner; calls after close() are programming errors. */
  CLOSED: 'DIRECTORY_CLOSED',
} as const;
export type DirectoryErrorCode = (typeof DirectoryErrorCode)[keyof typeof DirectoryErrorCode];

export class DirectoryError extends Error {
  override name = 'DirectoryError';
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The directory can't be reached right now. Thrown fast (no offline queue, no long retry), so a
 * join never waits on a dead Redis: the caller treats the room as locally owned and reconciles
 * once `health().state` is `up` again.
 */
export class DirectoryUnavailableError extends DirectoryError {
  override name = 'DirectoryUnavailableError';
  constructor(message = 'room directory unavailable', options?: { cause?: unknown }) {
    super(DirectoryErrorCode.UNAVAILABLE, message, options);
  }
}

export class DirectoryProtocolError extends DirectoryError {
  override name = 'DirectoryProtocolError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(DirectoryErrorCode.PROTOCOL, message, options);
  }
}

export class DirectoryClosedError extends DirectoryError {
  override name = 'DirectoryClosedError';
  constructor() {
    super(DirectoryErrorCode.CLOSED, 'room directory is closed');
  }
}
