/** Per-IP rate limiting of HTTP routes (rate-limiter-flexible, in memory). */
import type { NextFunction, Request, Response } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { sendError } from './errors.ts';

/** `points` requests per `seconds` per client IP. */
export function rateLimit(points: number, seconds: number) {
  const limiter = new RateLimiterMemory({ points, duration: seconds });
  return (req: Request, res: Response, next: NextFunction): void => {
    limiter
      .consume(req.ip ?? 'unknown')
      .then(() => next())
      .catch(() => sendError(res, 'RATE_LIMITED', 'too many requests; slow down'));
  };
}
