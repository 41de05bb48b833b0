/**
 * Embedded-mode board store: boards in memory, each persisted to its journal in DATA_DIR.
 *
 * Bounded: at most `maxLoaded` boards are held in memory (least recently used ones are unloaded, and
 * boards idle for `idleMs`); an unloaded board's journal file is closed, so open files stay bounded too,
 * and it is loaded again from its journal when next used. At most `maxBoards` boards can be created.
 *
 * A change is broadcast (`onApplied`) only once it is on disk. If writing it fails, the board is dropped
 * from memory (its journal is the truth), the change and those queued behind it are refused, and the next
 * use loads the board again.
 *
 * The recognition outbox is kept in memory only: after a restart, a board's regions without a label of
 * their current version are pending again once the board is loaded (by its first reader or writer).
 */
import { readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../shared/logger.ts';
import type { BoardSnapshot, RegionLabel } from '../../shared/protocol.ts';
import type { RecognitionJob } from '../../shared/recognition-contract.ts';
import {
  BoardLimitError,
  BoardNotFoundError,
  byCommitOrder,
  type BoardMeta,
  type BoardStore,
  type UserHistory,
  type WriteOp,
} from './board-store.ts';
import {
  applyLabel,
  applyWrite,
  currentCorrections,
  emptyBoard,
  stateTx,
  type BoardState,
} from './board-state.ts';
import { historyDelta } from './history-delta.ts';
import { BoardJournal, JournalCorruptError, type JournalOp } from './journal.ts';
import { KeyedMutex } from './keyed-mutex.ts';

export interface MemoryStoreOptions {
  /** Data directory; journals go to `<dataDir>/boards/`. */
  dataDir: string;
  /** fdatasync journal appends before acknowledging. Default true. */
  fsync?: boolean;
  /** Rewrite a board's journal compacted once this many bytes were appended to it. Default 16 MiB. */
  compactBytes?: number;
  /** Boards held in memory at most (MAX_LOADED_BOARDS). Default 200. */
  maxLoaded?: number;
  /** A board unused this long (ms) is unloaded (BOARD_IDLE_MS). Default 600000. */
  idleMs?: number;
  /** Boards that can exist at most (MAX_BOARDS). Default 100000. */
  maxBoards?: number;
  log?: Logger;
}

interface Loaded {
  state: BoardState;
  journal: BoardJournal;
}

interface Entry {
  loading: Promise<Loaded | undefined>;
  loaded?: Loaded;
  usedAt: number;
  /** Transactions running or waiting on this board. */
  users: number;
}

export function createMemoryStore(opts: MemoryStoreOptions): BoardStore {
  const dir = path.join(opts.dataDir, 'boards');
  const jopts = { dir, fsync: opts.fsync ?? true, log: opts.log };
  const boards = new Map<string, Entry>();
  const mutex = new KeyedMutex();
  const compactBytes = opts.compactBytes ?? 16 * 1024 * 1024;
  const maxLoaded = opts.maxLoaded ?? 200;
  const idleMs = opts.idleMs ?? 600_000;
  const maxBoards = opts.maxBoards ?? 100_000;
  let boardCount = 0;
  try {
    boardCount = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length;
  } catch {
    // no data yet
  }
  /** Join codes: one file per code holding the board id. */
  const codesDir = path.join(opts.dataDir, 'codes');
  let closed = false;

  /** Region versions not yet reported queued: key board/region/version. */
  const outbox = new Map<string, { boardId: string; regionId: string; version: number; at: number }>();
  const pend = (boardId: string, regionId: string, version: number, at: number) =>
    void outbox.set(`${boardId}\u0000${regionId}\u0000${version}`, { boardId, regionId, version, at });

  /** Unloads a board (closing its journal) if nothing is using it. */
  function unload(boardId: string, e: Entry, reason: string): boolean {
    if (e.users > 0 || !e.loaded || e.loaded.journal.busy || boards.get(boardId) !== e) return false;
    boards.delete(boardId);
    void e.loaded.journal.close().catch(() => {});
    opts.log?.debug({ boardId, reason }, 'board unloaded');
    return true;
  }

  function evict(): void {
    if (boards.size <= maxLoaded) return;
    // Map order is least recently used first (entries are re-inserted on use).
    for (const [id, e] of boards) {
      if (boards.size <= maxLoaded) break;
      unload(id, e, 'lru');
    }
  }

  const sweep = setInterval(
    () => {
      const before = Date.now() - idleMs;
      for (const [id, e] of boards) if (e.usedAt < before) unload(id, e, 'idle');
    },
    Math.min(60_000, Math.max(250, idleMs / 4)),
  );
  sweep.unref();

  /**
   * Boards whose journal is corrupt where their state should be: refused until a restart, so the file is
   * copied aside and the error logged once, however often someone asks for the board.
   */
  const corrupt = new Map<string, Error>();

  /** The board, loaded if need be. */
  function entry(boardId: string): Entry {
    const broken = corrupt.get(boardId);
    if (broken) return { loading: Promise.reject(broken), usedAt: Date.now(), users: 0 };
    let e = boards.get(boardId);
    if (e) {
      boards.delete(boardId); // most recently used last
      boards.set(boardId, e);
    } else {
      const loading = BoardJournal.load(jopts, boardId).then((b) => {
        // Recognition that a restart may have cut short: regions without a label of their version.
        for (const r of b?.state.regions.values() ?? [])
          if (b?.state.labels.get(r.id)?.version !== r.version) pend(boardId, r.id, r.version, 0);
        return b;
      });
      const fresh: Entry = { loading, usedAt: Date.now(), users: 0 };
      e = fresh;
      boards.set(boardId, fresh);
      // A missing board may be created later (by another call); do not cache the miss, nor a failure.
      void loading.then(
        (b) => {
          if (b) fresh.loaded = b;
          else if (boards.get(boardId) === fresh) boards.delete(boardId);
          evict();
        },
        (err: unknown) => {
          if (err instanceof JournalCorruptError) corrupt.set(boardId, err);
          if (boards.get(boardId) === fresh) boards.delete(boardId);
        },
      );
    }
    e.usedAt = Date.now();
    return e;
  }

  async function withBoard<T>(
    boardId: string,
    fn: (b: Loaded | undefined, e: Entry) => Promise<T>,
  ): Promise<T> {
    const e = entry(boardId);
    e.users++;
    try {
      return await fn(await e.loading, e);
    } finally {
      e.users--;
      e.usedAt = Date.now();
    }
  }

  /** A write failed: drop the in-memory copy, so the next use reloads the board from its journal. */
  function dropBroken(boardId: string, e: Entry, err: unknown): void {
    if (boards.get(boardId) === e) boards.delete(boardId);
    opts.log?.error(
      { boardId, err: String(err) },
      'journal write failed; the board will be reloaded from disk',
    );
    void e.loaded?.journal.close().catch(() => {});
  }

  return {
    kind: 'memory',
    degraded: false,
    onStatus: () => {},

    async createBoard(meta: BoardMeta) {
      if (boardCount >= maxBoards) throw new BoardLimitError(`at most ${maxBoards} boards`);
      boardCount++;
      const state = emptyBoard(meta);
      const journal = await BoardJournal.create(jopts, state);
      const loaded = { state, journal };
      boards.set(meta.id, { loading: Promise.resolve(loaded), loaded, usedAt: Date.now(), users: 0 });
      evict();
      if (meta.joinCode) {
        await mkdir(codesDir, { recursive: true });
        await writeFile(path.join(codesDir, meta.joinCode), meta.id, { flag: 'wx' });
      }
    },

    async resolveCode(code) {
      if (!/^[A-Z0-9]{1,16}$/.test(code)) return undefined;
      return readFile(path.join(codesDir, code), 'utf8').then(
        (id) => id.trim() || undefined,
        () => undefined,
      );
    },

    async getClassroom(boardId) {
      return withBoard(boardId, async (b) => {
        const c = b?.state.classroom;
        return c ? structuredClone(c) : undefined;
      });
    },

    async getMeta(boardId) {
      return withBoard(boardId, async (b) => b?.state.meta);
    },

    async snapshot(boardId): Promise<BoardSnapshot | undefined> {
      return withBoard(boardId, async (b) => {
        if (!b) return undefined;
        const { state } = b;
        return {
          id: boardId,
          createdAt: state.meta.createdAt,
          strokes: [...state.strokes.values()].sort(byCommitOrder),
          labels: [...state.labels.values()],
          corrections: currentCorrections(state).map(({ strokes: _s, author: _a, boardId: _b, ...c }) => c),
        };
      });
    },

    async update(boardId, fn, onApplied) {
      return withBoard(boardId, async (_b, e) => {
        let durable: Promise<void> | undefined;
        const result = await mutex.run(boardId, async () => {
          const b = await e.loading;
          if (!b) throw new BoardNotFoundError(boardId);
          if (b.journal.broken || boards.get(boardId) !== e) {
            // Dropped after a failed write: run on the board as loaded again from disk.
            throw new Error('board reloading after a failed write; try again');
          }
          const ops: WriteOp[] = [];
          const res = await fn(stateTx(b.state, ops));
          if (ops.length) {
            const at = Date.now();
            const journalOps: JournalOp[] = [];
            for (const op of ops) {
              if (op.t === 'history')
                journalOps.push(
                  historyDelta(op.userId, b.state.history.get(op.userId) as UserHistory, op.history),
                );
              else journalOps.push(op);
              applyWrite(b.state, op);
              if (op.t === 'putRegion') pend(boardId, op.region.id, op.region.version, at);
            }
            if (b.journal.appendedBytes > compactBytes) b.journal.compactSoon(() => b.state);
            durable = b.journal.appendOps(journalOps);
          }
          return res;
        });
        try {
          await durable;
        } catch (err) {
          dropBroken(boardId, e, err);
          throw err;
        }
        // Others see the change (and recognition starts) only once it is on disk.
        onApplied?.(result);
        return result;
      });
    },

    // A label is derived data: it is broadcast without waiting for the disk. If its write fails, the board
    // is reloaded from its journal, where the region has no label of its version, so it is recognised again.
    async setLabel(boardId, label: RegionLabel) {
      return withBoard(boardId, async (_b, e) =>
        mutex.run(boardId, async () => {
          const b = await e.loading;
          if (!b || b.journal.broken || !applyLabel(b.state, label)) return false;
          e.users++;
          b.journal
            .appendLabel(label)
            .catch((err: unknown) => dropBroken(boardId, e, err))
            .finally(() => void e.users--);
          return true;
        }),
      );
    },

    async pendingJobs(olderThanMs, limit = 100) {
      if (closed) return [];
      const before = Date.now() - olderThanMs;
      const due = [...outbox].filter(([, e]) => e.at <= before).sort(([, a], [, b]) => a.at - b.at);
      const jobs: RecognitionJob[] = [];
      for (const [key, e] of due) {
        if (jobs.length >= limit) break;
        const job = await withBoard(e.boardId, async (b) => {
          const state = b?.state;
          const region = state?.regions.get(e.regionId);
          if (!state || region?.version !== e.version) return undefined;
          return {
            boardId: e.boardId,
            regionId: e.regionId,
            version: e.version,
            strokes: region.strokes.map((s) => ({ id: s.id, points: state.strokes.get(s.id)?.points ?? [] })),
            penUpAt: e.at || Date.now(),
          };
        }).catch(() => undefined);
        if (job) jobs.push(job);
        else outbox.delete(key);
      }
      return jobs;
    },

    async jobsQueued(jobs) {
      for (const j of jobs) outbox.delete(`${j.boardId}\u0000${j.regionId}\u0000${j.version}`);
    },

    async close() {
      closed = true;
      clearInterval(sweep);
      for (const e of boards.values()) await (await e.loading.catch(() => undefined))?.journal.close();
      boards.clear();
    },

    loadedBoards: () => boards.size,
  };
}
