/** The JSON API: create a board, recognise strokes. */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { CreateBoardResponse } from '../../shared/protocol.ts';
import { CreateBoardRequestSchema, LIMITS, RecognizeRequestSchema } from '../../shared/protocol.ts';
import { hashKey, newBoardId, newJoinCode, newOwnerKey } from '../auth/keys.ts';
import type { AddressLimits } from '../limits/address-limits.ts';
import type { RegionRecognizer } from '../../shared/recognition-contract.ts';
import type { BoardStore } from '../store/board-store.ts';
import { BoardLimitError, StoreUnavailableError } from '../store/board-store.ts';
import { sendError } from './errors.ts';
import { rateLimit } from './rate-limit.ts';

export interface ApiOptions {
  store: BoardStore;
  /** The recognizer for POST /api/v1/recognize; undefined answers 503. */
  recognizer: () => Promise<RegionRecognizer | undefined>;
  /** Boards one IP may create per minute. Default 60. */
  boardsPerMinute?: number;
  /** Recognize requests per second per IP. Default 50. */
  recognizePerSecond?: number;
  /** Recognize requests running at once on this server; more answer 503 BUSY. Default 4. */
  recognizeConcurrency?: number;
  /** Recognize requests running at once per address; more answer 429 RATE_LIMITED. Default 2. */
  recognizePerAddress?: number;
  /** Per-address byte budget, charged with each request's body length before it is parsed. Default none. */
  limits?: AddressLimits;
}

/** Largest request body, bytes. */
const BODY_LIMIT = 2 * 1024 * 1024;

export function apiRouter(opts: ApiOptions): Router {
  const r = Router();
  const json = express.json({ limit: BODY_LIMIT });
  const concurrency = opts.recognizeConcurrency ?? 4;
  const perAddress = opts.recognizePerAddress ?? 2;
  let running = 0;
  const runningBy = new Map<string, number>();

  /** Charges the body's declared length (or the largest allowed) to the address before parsing it. */
  const bytes = (req: Request, res: Response, next: NextFunction): void => {
    if (!opts.limits) return next();
    const n = Number(req.headers['content-length'] ?? BODY_LIMIT) || 0;
    opts.limits
      .bytes(req.ip ?? 'unknown', n)
      .then(
        (ok) => (ok ? next() : sendError(res, 'RATE_LIMITED', 'too many bytes from this address; slow down')),
        next,
      );
  };

  r.post('/boards', rateLimit(opts.boardsPerMinute ?? 60, 60), json, async (req, res) => {
    const parsed = CreateBoardRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success)
      return sendError(res, 'BAD_MESSAGE', `body: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    if (opts.store.degraded)
      return sendError(res, 'DEGRADED', 'the board store is unreachable; try again shortly');
    const boardId = newBoardId();
    const ownerKey = newOwnerKey();
    const classroom = parsed.data.classroom ?? false;
    let joinCode: string;
    for (let attempt = 0; ; attempt++) {
      joinCode = newJoinCode();
      try {
        await opts.store.createBoard({
          id: boardId,
          createdAt: Date.now(),
          ownerKeyHash: hashKey(ownerKey),
          joinCode,
          ...(classroom ? { classroom } : {}),
        });
        break;
      } catch (err) {
        if (err instanceof StoreUnavailableError)
          return sendError(res, 'DEGRADED', 'the board store is unreachable');
        if (err instanceof BoardLimitError)
          return sendError(res, 'LIMIT_REACHED', `no more boards can be created here (${err.message})`);
        // A join code already taken (one in a billion): draw another.
        if (attempt >= 4) throw err;
      }
    }
    const url = `${req.protocol}://${req.get('host')}/b/${boardId}`;
    const body: CreateBoardResponse = {
      boardId,
      ownerKey,
      url,
      joinCode,
      teacherUrl: `${url}#teacher=${ownerKey}`,
      classroom,
    };
    res.status(201).json(body);
  });

  /** Admission before the body is read: per-address and per-server caps on requests running at once. */
  const admit = (req: Request, res: Response, next: NextFunction): void => {
    const address = req.ip ?? 'unknown';
    const mine = runningBy.get(address) ?? 0;
    if (mine >= perAddress)
      return sendError(res, 'RATE_LIMITED', `at most ${perAddress} recognize requests at once per address`);
    if (running >= concurrency) return sendError(res, 'BUSY', 'recognition is busy; try again in a moment');
    running++;
    runningBy.set(address, mine + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running--;
      const left = (runningBy.get(address) ?? 1) - 1;
      if (left > 0) runningBy.set(address, left);
      else runningBy.delete(address);
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };

  r.post('/recognize', rateLimit(opts.recognizePerSecond ?? 50, 1), admit, bytes, json, async (req, res) => {
    const parsed = RecognizeRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const code = parsed.error.issues.some((i) => i.code === 'too_big') ? 'TOO_LARGE' : 'BAD_MESSAGE';
      return sendError(res, code, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid request'}`);
    }
    const { strokes } = parsed.data;
    const points = strokes.reduce((n, s) => n + s.length, 0);
    if (points > LIMITS.maxPointsPerRecognize)
      return sendError(
        res,
        'TOO_LARGE',
        `strokes: ${points} points in all (at most ${LIMITS.maxPointsPerRecognize})`,
      );
    if (strokes.length === 0) return res.json({ text: '', digits: [] });
    const recognizer = await opts.recognizer();
    if (!recognizer) return sendError(res, 'DEGRADED', 'no recognizer available on this server');
    try {
      // Background work: it never delays board labels, and addresses take turns.
      const lane = `http:${req.ip ?? 'unknown'}`;
      const [result] = await recognizer.recognize([strokes], { lane, background: true });
      res.json(result ?? { text: '', digits: [] });
    } catch (err) {
      if ((err as Error)?.name === 'PoolBusyError')
        return sendError(res, 'BUSY', 'recognition is busy; try again in a moment');
      throw err;
    }
  });

  r.use((_req, res) => sendError(res, 'NOT_FOUND', 'no such API route'));
  return r;
}
