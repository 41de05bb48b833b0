/**
 * The pen: draws a smoothed stroke locally, streams its points to the room in small batches while
 * drawing (`stroke.points`, seq 0, 1, 2, ...), and commits the whole stroke on pen-up.
 */
import type Konva from 'konva';
import { LIMITS } from '../../../shared/protocol.ts';
import type { Point } from '../board-state.ts';
import { randomId } from '../ids.ts';
import type { Connection } from '../net/connection.ts';
import { inkLine, updateInkLine } from '../view/strokes.ts';
import type { Viewport } from '../view/viewport.ts';
import type { Tool } from './tool.ts';

/** Streamed batches go out at most this often... */
const BATCH_MS = 40;
/** ...or as soon as this many points are waiting. */
const BATCH_POINTS = 24;

export interface PenOptions {
  color: () => string;
  width: () => number;
}

interface Draft {
  id: string;
  color: string;
  width: number;
  points: Point[];
  unsent: Point[];
  seq: number;
  line: Konva.Line;
}

const round = (v: number): number => Math.round(v * 100) / 100;

export class PenTool implements Tool {
  readonly cursor = 'crosshair';
  private draft: Draft | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly draftLayer: Konva.Layer,
    private readonly viewport: Viewport,
    private readonly opts: PenOptions,
  ) {}

  down(p: Point): void {
    this.cancel();
    this.start([round(p[0]), round(p[1])]);
  }

  move(points: Point[]): void {
    if (!this.draft) return;
    // Skip points closer than half a screen pixel to the last one: they add bytes, not shape.
    const minDist = 0.5 / this.viewport.scale;
    for (const raw of points) {
      let d = this.draft;
      const p: Point = [round(raw[0]), round(raw[1])];
      const last = d.points[d.points.length - 1]!;
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) < minDist) continue;
      if (d.points.length >= LIMITS.maxPointsPerStroke) {
        // A very long stroke: commit it and carry on with a new one from the same spot.
        this.finish();
        d = this.start(last);
      }
      d.points.push(p);
      d.unsent.push(p);
    }
    const d = this.draft;
    updateInkLine(d.line, d.points);
    this.draftLayer.batchDraw();
    if (d.unsent.length >= BATCH_POINTS) this.flush();
    else this.schedule();
  }

  up(): void {
    this.finish();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.draft?.line.destroy();
    this.draft = null;
    this.draftLayer.batchDraw();
  }

  private start(p: Point): Draft {
    const color = this.opts.color();
    const width = this.opts.width();
    const line = inkLine([p], color, width);
    this.draftLayer.add(line);
    const draft: Draft = { id: randomId(16), color, width, points: [p], unsent: [p], seq: 0, line };
    this.draft = draft;
    this.draftLayer.batchDraw();
    this.schedule();
    return draft;
  }

  private finish(): void {
    const d = this.draft;
    if (!d) return;
    this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.draft = null;
    this.conn.commit({ id: d.id, color: d.color, width: d.width, points: d.points });
    d.line.destroy();
    this.draftLayer.batchDraw();
  }

  private schedule(): void {
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Sends the points drawn since the last batch. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const d = this.draft;
    if (!d) return;
    while (d.unsent.length) {
      const points = d.unsent.splice(0, LIMITS.maxPointsPerBatch);
      this.conn.send({
        type: 'stroke.points',
        strokeId: d.id,
        seq: d.seq++,
        color: d.color,
        width: d.width,
        points,
      });
    }
  }
}
