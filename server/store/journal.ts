/**
 * One append-only journal file per board (`<dir>/<boardId>.jsonl`), one JSON record a line:
 * `{"state": ...}` (a compacted board), `{"ops": [...]}` (one transaction; history as deltas, see
 * history-delta.ts), `{"label": ...}`.
 * Appends are group-committed: lines queued while a write+fdatasync is in flight go out together, and
 * each append resolves only once its line is on disk. A failed write fails every later append too, until
 * the board is loaded again from the file (the caller drops its in-memory copy).
 *
 * Loading replays the file and rewrites it compacted. A torn last line (a crash mid-append: that
 * transaction was never acknowledged) is skipped with a warning. Any other bad line is corruption: the
 * file is first copied aside (`<boardId>.jsonl.corrupt-<time>`), the board id and line numbers are logged
 * as an error, and the rest is replayed; a bad first line (the board's state) makes the board unloadable
 * (`JournalCorruptError`) rather than silently missing or rewritten.
 */
import { mkdirSync } from 'node:fs';
import { copyFile, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../shared/logger.ts';
import type { RegionLabel } from '../../shared/protocol.ts';
import type { WriteOp } from './board-store.ts';
import { applyHistoryDelta, type HistoryDeltaOp } from './history-delta.ts';
import {
  applyLabel,
  applyWrite,
  deserializeBoard,
  serializeBoard,
  type BoardState,
  type SerializedBoard,
} from './board-state.ts';

/** What a transaction record holds: the store's writes, history as deltas. */
export type JournalOp = WriteOp | HistoryDeltaOp;
type Record = { state: SerializedBoard } | { ops: JournalOp[] } | { label: RegionLabel };

/** The board's journal is corrupt where its state should be: it cannot be loaded (a copy was kept). */
export class JournalCorruptError extends Error {
  override name = 'JournalCorruptError';
}

function applyJournalOp(state: BoardState, op: JournalOp): void {
  if (op.t === 'historyDelta')
    state.history.set(op.userId, applyHistoryDelta(state.history.get(op.userId), op));
  else applyWrite(state, op);
}

export interface JournalOptions {
  dir: string;
  /** fdatasync after each group of appends. Default true. */
  fsync?: boolean;
  log?: Logger;
}

export class BoardJournal {
  private fh: FileHandle | undefined;
  private pending: { line: string; done: (err?: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;

  private constructor(
    private readonly file: string,
    private readonly fsync: boolean,
  ) {}

  static fileOf(dir: string, boardId: string): string {
    return path.join(dir, `${boardId}.jsonl`);
  }

  /** Creates a new board's journal with its initial state. */
  static async create(opts: JournalOptions, state: BoardState): Promise<BoardJournal> {
    mkdirSync(opts.dir, { recursive: true });
    const j = new BoardJournal(BoardJournal.fileOf(opts.dir, state.meta.id), opts.fsync ?? true);
    await j.rewrite(state);
    return j;
  }

  /** Loads and compacts a board's journal; undefined if the board has none. */
  static async load(
    opts: JournalOptions,
    boardId: string,
  ): Promise<{ state: BoardState; journal: BoardJournal } | undefined> {
    const file = BoardJournal.fileOf(opts.dir, boardId);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let state: BoardState | undefined;
    const lines = text.split('\n');
    // A last line without its newline was being appended when the process died.
    const torn = lines.length > 1 && lines[lines.length - 1] !== '' ? lines.length - 1 : -1;
    const bad: number[] = [];
    let tornSkipped = false;
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let rec: Record;
      try {
        rec = JSON.parse(line) as Record;
        if (typeof rec !== 'object' || rec === null) throw new Error('not a record');
        if ('state' in rec) state = deserializeBoard(rec.state);
        else if (!state) throw new Error('no state before this record');
        else if ('ops' in rec) for (const op of rec.ops) applyJournalOp(state, op);
        else if ('label' in rec) applyLabel(state, rec.label);
        else throw new Error('unknown record');
      } catch {
        if (i === torn) tornSkipped = true;
        else bad.push(i + 1);
      }
    });
    if (tornSkipped) opts.log?.warn({ boardId, line: torn + 1 }, 'journal: skipped a torn last line');
    if (bad.length) {
      const copy = `${file}.corrupt-${Date.now()}`;
      await copyFile(file, copy);
      opts.log?.error(
        { boardId, lines: bad.slice(0, 20), count: bad.length, copy },
        state
          ? 'journal: corrupt lines skipped; the original file was copied aside'
          : 'journal: corrupt board state; the board cannot be loaded (file copied aside)',
      );
      if (!state)
        throw new JournalCorruptError(`board ${boardId}: journal corrupt at line ${bad[0]}; copy at ${copy}`);
    }
    if (!state) return undefined;
    const journal = new BoardJournal(file, opts.fsync ?? true);
    await journal.rewrite(state);
    return { state, journal };
  }

  appendOps(ops: JournalOp[]): Promise<void> {
    return this.append({ ops });
  }

  appendLabel(label: RegionLabel): Promise<void> {
    return this.append({ label });
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.fh?.close();
    this.fh = undefined;
  }

  /** Set by a failed write: the file no longer matches memory, so nothing more is appended. */
  private failed: Error | undefined;

  get broken(): boolean {
    return this.failed !== undefined;
  }

  /** Whether a write is in flight or queued (the board must not be unloaded now). */
  get busy(): boolean {
    return this.flushing !== undefined || this.pending.length > 0;
  }

  private append(rec: Record): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.push({ line: JSON.stringify(rec) + '\n', done: (err) => (err ? reject(err) : resolve()) });
      this.flushing ??= this.flush();
    });
  }

  /**
   * Asks for a compaction: before the next write, the file is replaced by `state()` (taken then, so it
   * includes every record applied so far). Records still pending are then appended again; replaying them
   * is harmless because every record sets values rather than changing them.
   */
  compactSoon(state: () => BoardState): void {
    this.compactWith = state;
  }

  /** Bytes appended since the file was last compacted. */
  get appendedBytes(): number {
    return this.appended;
  }

  private compactWith: (() => BoardState) | undefined;
  private appended = 0;

  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (this.compactWith) {
          const state = this.compactWith();
          this.compactWith = undefined;
          await this.fh?.close();
          this.fh = undefined;
          await this.rewrite(state);
        }
        this.fh ??= await open(this.file, 'a');
        const text = batch.map((p) => p.line).join('');
        this.appended += text.length;
        await this.fh.write(text);
        if (this.fsync) await this.fh.datasync();
        for (const p of batch) p.done();
      } catch (err) {
        this.failed = new Error(`journal write failed: ${(err as Error).message}`);
        for (const p of [...batch, ...this.pending.splice(0)]) p.done(this.failed);
      }
    }
    this.flushing = undefined;
  }

  /** Atomically replaces the file with one compacted record (write temp, fsync, rename). */
  private async rewrite(state: BoardState): Promise<void> {
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify({ state: serializeBoard(state) }) + '\n', { flush: this.fsync });
    await rename(tmp, this.file);
    this.appended = 0;
  }
}
