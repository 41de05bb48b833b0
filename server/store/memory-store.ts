/** Embedded-mode board store: boards in memory, each persisted to its journal in DATA_DIR. */
import path from 'node:path';
import type { Logger } from '../../shared/logger.ts';
import type { BoardSnapshot, RegionLabel } from '../../shared/protocol.ts';
import type { Region } from '../regions/types.ts';
import {
  BoardNotFoundError,
  byCommitOrder,
  type BoardMeta,
  type BoardStore,
  type BoardTx,
  type WriteOp,
} from './board-store.ts';
import { applyLabel, applyWrite, emptyBoard, type BoardState } from './board-state.ts';
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

  const load = (boardId: string): Promise<Loaded | undefined> => {
    let p = boards.get(boardId);
    if (!p) {
      p = BoardJournal.load(jopts, boardId);
      boards.set(boardId, p);
      // A missing board may be created later (by another call); do not cache the miss.
      void p.then((b) => b || boards.delete(boardId)).catch(() => boards.delete(boardId));
    }
    return p;
  };

  const txOf = (s: BoardState, ops: WriteOp[]): BoardTx => ({
    meta: s.meta,
    strokeCount: async () => s.strokes.size,
    getStrokes: async (ids) => ids.map((id) => s.strokes.get(id)),
    regionsOf: async (ids) => ids.map((id) => s.strokeRegion.get(id)),
    getRegions: async (ids) => ids.map((id) => s.regions.get(id)),
    recentRegions: async (since) => [...s.regions.values()].filter((r: Region) => r.updatedAt >= since),
    allRegions: async () => [...s.regions.values()],
    getHistory: async (userId) => structuredClone(s.history.get(userId) ?? { undo: [], redo: [] }),
    write: (op) => void ops.push(op),
  });

  return {
    kind: 'memory',
    degraded: false,
    onStatus: () => {},

    async createBoard(meta: BoardMeta) {
      const state = emptyBoard(meta);
      const journal = await BoardJournal.create(jopts, state);
      boards.set(meta.id, Promise.resolve({ state, journal }));
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
      };
    },

    async update(boardId, fn, onApplied) {
      let durable: Promise<void> | undefined;
      const result = await mutex.run(boardId, async () => {
        const b = await load(boardId);
        if (!b) throw new BoardNotFoundError(boardId);
        const ops: WriteOp[] = [];
        const res = await fn(txOf(b.state, ops));
        if (ops.length) {
          for (const op of ops) applyWrite(b.state, op);
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

    async close() {
      for (const p of boards.values()) await (await p.catch(() => undefined))?.journal.close();
      boards.clear();
    },
  };
}
