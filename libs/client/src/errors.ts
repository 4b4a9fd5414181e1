/** Errors the client SDK throws or rejects with. Each sets `name`; `code` is stable. */
export const ClientErrorCode = {
  CLOSED: 'closed',
  CONNECT_FAILED: 'connect_failed',
  TIMEOUT: 'timeout',
  HTTP: 'http',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

/** The connection ended for good: closed by the app, or a close code reconnecting can't fix. */
export class ConnectionClosedError extends ClientError {
  constructor(
    readonly closeCode: number,
    readonly reason: string,
  ) {
    super(ClientErrorCode.CLOSED, `connection closed (${closeCode})`);
    this.name = 'ConnectionClosedError';
  }
}

export class TimeoutError extends ClientError {
  constructor(message: string) {
    super(ClientErrorCode.TIMEOUT, message);
    this.name = 'TimeoutError';
  }
}

export class HttpError extends ClientError {
  constructor(readonly status: number) {
    super(ClientErrorCode.HTTP, `relay answered HTTP ${status}`);
    this.name = 'HttpError';
  }
}
