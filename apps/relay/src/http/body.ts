import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { RelayErrorCode } from '../common/relay.exception';

/**
 * JSON bodies with a size cap. body-parser's own errors would reach Express's default HTML error
 * page; they are answered here with the same `{error, message}` shape as everything else.
 */
export function jsonBody(limitBytes: number): [RequestHandler, ErrorRequestHandler] {
  const parse = express.json({ limit: limitBytes, strict: true, type: 'application/json' });
  const onError: ErrorRequestHandler = (err: { type?: string }, _req, res, next) => {
    if (err?.type === 'entity.too.large') {
      res.status(413).json({
        error: RelayErrorCode.PayloadTooLarge,
        message: `request body exceeds ${limitBytes} bytes`,
      });
      return;
    }
    if (err?.type === 'entity.parse.failed') {
      res
        .status(400)
        .json({ error: RelayErrorCode.InvalidJson, message: 'request body is not valid JSON' });
      return;
    }
    if (err?.type !== undefined) {
      res
        .status(400)
        .json({ error: RelayErrorCode.InvalidRequest, message: 'unreadable request body' });
      return;
    }
    next(err);
  };
  return [parse, onError];
}
