/**
 * One append-only journal file per board (`<dir>/<boardId>.jsonl`), one JSON record a line:
 * `{"state": ...}` (a compacted board), `{"ops": [...]}` (one transaction), `{"label": ...}`.
 * Appends are group-committed: lines queued while a write+fdatasync is in flight go out together, and
 * each append resolves only once its line is on disk. Loading replays the file, skips a torn or corrupt
 * line (a crash mid-append: that transaction was never acknowledged), and rewrites it compacted.
 */
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../shared/logger.ts';
import type { RegionLabel } from '../../shared/protocol.ts';
import type { WriteOp } from './board-store.ts';
import {
  applyLabel,
  applyWrite,
  deserializeBoard,
  serializeBoard,
  type BoardState,
  type SerializedBoard,
} from './board-state.ts';

type Record = { state: SerializedBoard } | { ops: WriteOp[] } | { label: RegionLabel };

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
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let rec: Record;
      try {
        rec = JSON.parse(line) as Record;
      } catch {
        skipped++;
        continue;
      }
      if ('state' in rec) state = deserializeBoard(rec.state);
      else if (!state) continue;
      else if ('ops' in rec) for (const op of rec.ops) applyWrite(state, op);
      else if ('label' in rec) applyLabel(state, rec.label);
    }
    if (skipped) opts.log?.warn({ boardId, skipped }, 'journal: skipped corrupt lines');
    if (!state) return undefined;
    const journal = new BoardJournal(file, opts.fsync ?? true);
    await journal.rewrite(state);
    return { state, journal };
  }

  appendOps(ops: WriteOp[]): Promise<void> {
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

  private append(rec: Record): Promise<void> {
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
        for (const p of batch) p.done(err as Error);
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
