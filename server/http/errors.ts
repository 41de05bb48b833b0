/** HTTP errors: the protocol's one error shape, `{ error: { code, message } }`, with a fitting status. */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../shared/logger.ts';
import type { ErrorCode, HttpErrorBody } from '../../shared/protocol.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_MESSAGE: 400,
  TOO_LARGE: 413,
  NOT_FOUND: 404,
  BOARD_NOT_FOUND: 404,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  DEGRADED: 503,
  BUSY: 503,
  LIMIT_REACHED: 409,
  ID_TAKEN: 409,
  INTERNAL: 500,
};

export function sendError(res: Response, code: ErrorCode, message: string): void {
  const body: HttpErrorBody = { error: { code, message } };
  if (code === 'BUSY') res.set('Retry-After', '1');
  res.status(STATUS[code] ?? 400).json(body);
}

/** Express error handler: body-parser failures become BAD_MESSAGE / TOO_LARGE, the rest INTERNAL. */
export function errorHandler(log: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return sendError(res, 'TOO_LARGE', 'request body too large');
    if (type === 'entity.parse.failed')
      return sendError(res, 'BAD_MESSAGE', 'request body is not valid JSON');
    log.error({ err }, 'http handler failed');
    sendError(res, 'INTERNAL', 'internal error');
  };
}
