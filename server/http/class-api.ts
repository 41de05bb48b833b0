/**
 * Classroom HTTP routes: resolve a join code; for the teacher (the board's owner key as a bearer token or
 * `?key=`), the answers as CSV and the whole class as JSON.
 */
import { Router, type Request, type Response } from 'express';
import { IdSchema, JoinCodeSchema, type ResolveCodeResponse } from '../../shared/protocol.ts';
import { keyMatches } from '../auth/keys.ts';
import { answerRows, answersCsv } from '../classroom/answers.ts';
import type { BoardMeta, BoardStore } from '../store/board-store.ts';
import { StoreUnavailableError } from '../store/board-store.ts';
import { sendError } from './errors.ts';
import { rateLimit } from './rate-limit.ts';

export interface ClassApiOptions {
  store: BoardStore;
  /** Join code look-ups per minute per IP (codes are short: this keeps guessing slow). Default 30. */
  codesPerMinute?: number;
}

export function classRouter(opts: ClassApiOptions): Router {
  const r = Router();
  const { store } = opts;

  r.get('/codes/:code', rateLimit(opts.codesPerMinute ?? 30, 60), async (req, res) => {
    const code = JoinCodeSchema.safeParse(req.params.code);
    if (!code.success) return sendError(res, 'BAD_MESSAGE', 'a join code is 6 letters and digits');
    const boardId = await guard(res, () => store.resolveCode(code.data));
    if (boardId === null) return;
    if (!boardId) return sendError(res, 'NOT_FOUND', 'no board has this code');
    const body: ResolveCodeResponse = { boardId, url: `${req.protocol}://${req.get('host')}/b/${boardId}` };
    res.json(body);
  });

  /** The board's meta if the request carries its teacher key; otherwise answers the error. */
  async function teacher(req: Request, res: Response): Promise<BoardMeta | undefined> {
    const id = IdSchema.safeParse(req.params.boardId);
    if (!id.success) return void sendError(res, 'BAD_MESSAGE', 'bad board id');
    const meta = await guard(res, () => store.getMeta(id.data));
    if (meta === null) return undefined;
    if (!meta || meta.parentId) return void sendError(res, 'BOARD_NOT_FOUND', 'no such board');
    const auth = req.get('authorization');
    const key = auth?.startsWith('Bearer ')
      ? auth.slice(7)
      : typeof req.query.key === 'string'
        ? req.query.key
        : '';
    if (!keyMatches(key, meta.ownerKeyHash))
      return void sendError(
        res,
        'FORBIDDEN',
        "this needs the board's teacher key (Authorization: Bearer <key>)",
      );
    return meta;
  }

  r.get('/boards/:boardId/answers.csv', rateLimit(60, 60), async (req, res) => {
    const meta = await teacher(req, res);
    if (!meta) return;
    const out = await guard(res, async () => {
      const [rows, c] = await Promise.all([answerRows(store, meta.id), store.getClassroom(meta.id)]);
      return answersCsv(rows, c?.answerKey);
    });
    if (out === null) return;
    res
      .type('text/csv; charset=utf-8')
      .set('content-disposition', `attachment; filename="answers-${meta.id.slice(0, 8)}.csv"`)
      .send(out);
  });

  r.get('/boards/:boardId/export.json', rateLimit(60, 60), async (req, res) => {
    const meta = await teacher(req, res);
    if (!meta) return;
    const out = await guard(res, async () => {
      const [board, c, answers] = await Promise.all([
        store.snapshot(meta.id),
        store.getClassroom(meta.id),
        answerRows(store, meta.id),
      ]);
      const spaces = await Promise.all(
        (c?.students ?? []).map(async (s) => ({ student: s, board: await store.snapshot(s.spaceId) })),
      );
      return {
        exportedAt: new Date().toISOString(),
        classroom: meta.classroom ?? false,
        joinCode: meta.joinCode ?? null,
        board,
        controls: c ?? null,
        spaces,
        answers,
      };
    });
    if (out === null) return;
    res.set('content-disposition', `attachment; filename="board-${meta.id.slice(0, 8)}.json"`).json(out);
  });

  return r;
}

/** Runs a store read; a store outage answers DEGRADED and gives null. */
async function guard<T>(res: Response, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      sendError(res, 'DEGRADED', 'the board store is unreachable; try again shortly');
      return null;
    }
    throw err;
  }
}
