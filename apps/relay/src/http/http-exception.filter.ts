import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { RelayError, RelayErrorCode, toHttpStatus } from '../common/relay.exception';
import { type AppLogger } from '../common/logger';

/** Every HTTP error leaves as `{error, message}` with a 4xx/5xx status; nothing else leaks. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: AppLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body, retryAfter } = this.describe(exception);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json(body);
  }

  private describe(exception: unknown): {
    status: number;
    body: { error: string; message: string };
    retryAfter?: number;
  } {
    if (exception instanceof RelayError) {
      return {
        status: toHttpStatus(exception.code),
        body: { error: exception.code, message: exception.message },
        retryAfter: exception.retryAfterSeconds,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest's own exceptions: unknown routes (404) and unsupported methods.
      const error = status === 404 ? RelayErrorCode.NotFound : RelayErrorCode.InvalidRequest;
      const message = status === 404 ? 'no such route' : 'invalid request';
      return { status: status >= 500 ? 500 : status, body: { error, message } };
    }
    this.logger.error('unhandled error in an HTTP handler');
    return { status: 500, body: { error: RelayErrorCode.Internal, message: 'internal error' } };
  }
}
