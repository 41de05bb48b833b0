/**
 * Embedded-mode board store: boards in memory, each persisted to its journal in DATA_DIR.
 * The recognition outbox is kept in memory only: after a restart, a board's regions without a label of
 * their current version are pending again once the board is loaded (by its first reader or writer).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../shared/logger.ts';
import type { BoardSnapshot, RegionLabel } from '../../shared/protocol.ts';
import type { RecognitionJob } from '../../shared/recognition-contract.ts';
import {
  BoardNotFoundError,
  byCommitOrder,
  type BoardMeta,
  type BoardStore,
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
import { BoardJournal } from './journal.ts';
import { KeyedMutex } from './keyed-mutex.ts';

export interface MemoryStoreOptions {
  /** Data directory; journals go to `<dataDir>/boards/`. */
  dataDir: string;
  /** fdatasync journal appends before acknowledging. Default true. */
  fsync?: boolean;
  /** Rewrite a board's journal compacted once this many bytes were appended to it. Default 16 MiB. */
  compactBytes?: number;
  log?: Logger;
}

interface Loaded {
  state: BoardState;
  journal: BoardJournal;
}

export function createMemoryStore(opts: MemoryStoreOptions): BoardStore {
  const jopts = { dir: path.join(opts.dataDir, 'boards'), fsync: opts.fsync ?? true, log: opts.log };
  const boards = new Map<string, Promise<Loaded | undefined>>();
  const mutex = new KeyedMutex();
  const compactBytes = opts.compactBytes ?? 16 * 1024 * 1024;
  /** Join codes: one file per code holding the board id. */
  const codesDir = path.join(opts.dataDir, 'codes');
  let closed = false;

  /** Region versions not yet reported queued: key board/region/version. */
  const outbox = new Map<string, { boardId: string; regionId: string; version: number; at: number }>();
  const pend = (boardId: string, regionId: string, version: number, at: number) =>
    void outbox.set(`${boardId}\u0000${regionId}\u0000${version}`, { boardId, regionId, version, at });

  const load = (boardId: string): Promise<Loaded | undefined> => {
    let p = boards.get(boardId);
    if (!p) {
      p = BoardJournal.load(jopts, boardId).then((b) => {
        // Recognition that a restart may have cut short: regions without a label of their version.
        for (const r of b?.state.regions.values() ?? [])
          if (b?.state.labels.get(r.id)?.version !== r.version) pend(boardId, r.id, r.version, 0);
        return b;
      });
      boards.set(boardId, p);
      // A missing board may be created later (by another call); do not cache the miss.
      void p.then((b) => b || boards.delete(boardId)).catch(() => boards.delete(boardId));
    }
    return p;
  };

  return {
    kind: 'memory',
    degraded: false,
    onStatus: () => {},

    async createBoard(meta: BoardMeta) {
      const state = emptyBoard(meta);
      const journal = await BoardJournal.create(jopts, state);
      boards.set(meta.id, Promise.resolve({ state, journal }));
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
      const c = (await load(boardId))?.state.classroom;
      return c ? structuredClone(c) : undefined;
    },

    async getMeta(boardId) {
      return (await load(boardId))?.state.meta;
    },

    async snapshot(boardId): Promise<BoardSnapshot | undefined> {
      const b = await load(boardId);
      if (!b) return undefined;
      const { state } = b;
      return {
        id: boardId,
        createdAt: state.meta.createdAt,
        strokes: [...state.strokes.values()].sort(byCommitOrder),
        labels: [...state.labels.values()],
        corrections: currentCorrections(state).map(({ strokes: _s, author: _a, boardId: _b, ...c }) => c),
      };
    },

    async update(boardId, fn, onApplied) {
      let durable: Promise<void> | undefined;
      const result = await mutex.run(boardId, async () => {
        const b = await load(boardId);
        if (!b) throw new BoardNotFoundError(boardId);
        const ops: WriteOp[] = [];
        const res = await fn(stateTx(b.state, ops));
        if (ops.length) {
          const at = Date.now();
          for (const op of ops) {
            applyWrite(b.state, op);
            if (op.t === 'putRegion') pend(boardId, op.region.id, op.region.version, at);
          }
          if (b.journal.appendedBytes > compactBytes) b.journal.compactSoon(() => b.state);
          durable = b.journal.appendOps(ops);
        }
        onApplied?.(res);
        return res;
      });
      await durable;
      return result;
    },

    async setLabel(boardId, label: RegionLabel) {
      let durable: Promise<void> | undefined;
      const stored = await mutex.run(boardId, async () => {
        const b = await load(boardId);
        if (!b || !applyLabel(b.state, label)) return false;
        durable = b.journal.appendLabel(label);
        return true;
      });
      await durable;
      return stored;
    },

    async pendingJobs(olderThanMs, limit = 100) {
      if (closed) return [];
      const before = Date.now() - olderThanMs;
      const due = [...outbox].filter(([, e]) => e.at <= before).sort(([, a], [, b]) => a.at - b.at);
      const jobs: RecognitionJob[] = [];
      for (const [key, e] of due) {
        if (jobs.length >= limit) break;
        const state = (await load(e.boardId).catch(() => undefined))?.state;
        const region = state?.regions.get(e.regionId);
        if (!state || region?.version !== e.version) {
          outbox.delete(key);
          continue;
        }
        jobs.push({
          boardId: e.boardId,
          regionId: e.regionId,
          version: e.version,
          strokes: region.strokes.map((s) => ({ id: s.id, points: state.strokes.get(s.id)?.points ?? [] })),
          penUpAt: e.at || Date.now(),
        });
      }
      return jobs;
    },

    async jobsQueued(jobs) {
      for (const j of jobs) outbox.delete(`${j.boardId}\u0000${j.regionId}\u0000${j.version}`);
    },

    async close() {
      closed = true;
      for (const p of boards.values()) await (await p.catch(() => undefined))?.journal.close();
      boards.clear();
    },
  };
}
