/**
 * The stroke eraser: dragging over a stroke removes the whole stroke (your own, or anyone's on a board
 * you own). Hit strokes vanish at once and are erased on the server when the drag ends.
 */
import Konva from 'konva';
import { LIMITS } from '../../../shared/protocol.ts';
import type { BoardState, Point } from '../board-state.ts';
import type { Connection } from '../net/connection.ts';
import { bboxOf } from '../../../shared/ink/geometry.ts';
import { polylineNear } from '../view/geometry.ts';
import type { StrokesView } from '../view/strokes.ts';
import type { Viewport } from '../view/viewport.ts';
import type { Tool } from './tool.ts';

/** Eraser radius in screen pixels. */
const RADIUS_PX = 10;

export class EraserTool implements Tool {
  readonly cursor = 'cell';
  private hits = new Set<string>();
  private last: Point | null = null;
  private readonly bboxes = new WeakMap<object, [number, number, number, number]>();
  private readonly trail: Konva.Circle;

  constructor(
    /** The board erased on and its view: in a class, a student's own answer space. */
    private readonly target: () => { state: BoardState; strokes: StrokesView },
    private readonly conn: Connection,
    private readonly overlay: Konva.Layer,
    private readonly viewport: Viewport,
    private readonly onError: (message: string) => void,
  ) {
    this.trail = new Konva.Circle({
      radius: RADIUS_PX,
      stroke: '#64748b',
      strokeWidth: 1,
      fill: 'rgba(148,163,184,0.18)',
      visible: false,
      listening: false,
    });
    overlay.add(this.trail);
  }

  down(p: Point): void {
    this.hits = new Set();
    this.last = p;
    this.showTrail(p);
    this.hitTest(p);
  }

  move(points: Point[]): void {
    for (const p of points) {
      // Interpolate so a fast drag does not jump over thin strokes.
      const from = this.last ?? p;
      const step = RADIUS_PX / this.viewport.scale / 2;
      const n = Math.max(1, Math.ceil(Math.hypot(p[0] - from[0], p[1] - from[1]) / step));
      for (let i = 1; i <= n; i++) {
        this.hitTest([from[0] + ((p[0] - from[0]) * i) / n, from[1] + ((p[1] - from[1]) * i) / n]);
      }
      this.last = p;
    }
    const end = points[points.length - 1];
    if (end) this.showTrail(end);
  }

  up(): void {
    this.trail.visible(false);
    this.overlay.batchDraw();
    const ids = [...this.hits];
    this.hits = new Set();
    this.last = null;
    if (ids.length) void this.erase(ids);
  }

  cancel(): void {
    for (const id of this.hits) this.target().strokes.setHidden(id, false);
    this.hits = new Set();
    this.last = null;
    this.trail.visible(false);
    this.overlay.batchDraw();
  }

  private async erase(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += LIMITS.maxEraseIds) {
      const chunk = ids.slice(i, i + LIMITS.maxEraseIds);
      const res = await this.conn.request({ type: 'erase', strokeIds: chunk });
      if (res.ok) this.target().state.removeStrokes(chunk);
      else {
        for (const id of chunk) this.target().strokes.setHidden(id, false);
        this.onError(res.error.code === 'NOT_JOINED' ? 'Offline: nothing was erased' : res.error.message);
        // The board may have changed under us (say, the strokes were already gone): fetch the truth.
        if (res.error.code !== 'NOT_JOINED') void this.conn.resync();
      }
    }
  }

  private showTrail(p: Point): void {
    this.trail.position({ x: p[0], y: p[1] });
    this.trail.radius(RADIUS_PX / this.viewport.scale);
    this.trail.strokeWidth(1 / this.viewport.scale);
    this.trail.visible(true);
    this.overlay.batchDraw();
  }

  private hitTest(p: Point): void {
    const scale = this.viewport.scale;
    for (const s of this.target().state.visibleStrokes()) {
      if (this.hits.has(s.id) || !this.target().state.canErase(s.id)) continue;
      const r = RADIUS_PX / scale + s.width / 2;
      let b = this.bboxes.get(s);
      if (!b) {
        b = bboxOf(s.points) ?? [0, 0, 0, 0];
        this.bboxes.set(s, b);
      }
      if (p[0] < b[0] - r || p[0] > b[2] + r || p[1] < b[1] - r || p[1] > b[3] + r) continue;
      if (polylineNear(s.points, p, r)) {
        this.hits.add(s.id);
        this.target().strokes.setHidden(s.id, true);
      }
    }
  }
}
