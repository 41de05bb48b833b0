/** The JSON API: create a board, recognise strokes. */
import express, { Router } from 'express';
import type { CreateBoardResponse } from '../../shared/protocol.ts';
import { CreateBoardRequestSchema, RecognizeRequestSchema } from '../../shared/protocol.ts';
import { hashKey, newBoardId, newJoinCode, newOwnerKey } from '../auth/keys.ts';
import type { RegionRecognizer } from '../../shared/recognition-contract.ts';
import type { BoardStore } from '../store/board-store.ts';
import { StoreUnavailableError } from '../store/board-store.ts';
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
}

export function apiRouter(opts: ApiOptions): Router {
  const r = Router();
  const json = express.json({ limit: '2mb' });

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

  r.post('/recognize', rateLimit(opts.recognizePerSecond ?? 50, 1), json, async (req, res) => {
    const parsed = RecognizeRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const code = parsed.error.issues.some((i) => i.code === 'too_big') ? 'TOO_LARGE' : 'BAD_MESSAGE';
      return sendError(res, code, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid request'}`);
    }
    const recognizer = await opts.recognizer();
    if (!recognizer) return sendError(res, 'DEGRADED', 'no recognizer available on this server');
    if (parsed.data.strokes.length === 0) return res.json({ text: '', digits: [] });
    const [result] = await recognizer.recognize([parsed.data.strokes]);
    res.json(result ?? { text: '', digits: [] });
  });

  r.use((_req, res) => sendError(res, 'NOT_FOUND', 'no such API route'));
  return r;
}
