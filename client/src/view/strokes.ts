/**
 * Draws ink: committed and pending strokes, others' strokes in progress, and the stroke being drawn here.
 * Raw points are kept; smoothing is Konva's spline tension at render time.
 */
import Konva from 'konva';
import type { BoardState, Point } from '../board-state.ts';
import { flat } from './geometry.ts';

/** Spline tension for smoothing (0 = straight segments). */
const TENSION = 0.4;

export function inkLine(points: readonly Point[], color: string, width: number): Konva.Line {
  return new Konva.Line({
    points: linePoints(points),
    stroke: color,
    strokeWidth: width,
    lineCap: 'round',
    lineJoin: 'round',
    tension: points.length > 2 ? TENSION : 0,
    listening: false,
    perfectDrawEnabled: false,
    shadowForStrokeEnabled: false,
  });
}

/** A single tap still leaves a dot: give it a tiny second point so the round cap draws. */
function linePoints(points: readonly Point[]): number[] {
  if (points.length === 1) {
    const p = points[0]!;
    return [p[0], p[1], p[0] + 0.01, p[1]];
  }
  return flat(points);
}

export function updateInkLine(line: Konva.Line, points: readonly Point[]): void {
  line.points(linePoints(points));
  line.tension(points.length > 2 ? TENSION : 0);
}

export class StrokesView {
  private readonly lines = new Map<string, Konva.Line>();
  private readonly liveLines = new Map<string, Konva.Line>();
  private readonly committed = new Konva.Group();
  private readonly liveGroup = new Konva.Group();

  /**
   * Committed ink and live ink sit on different layers, so the many small updates of strokes in progress
   * never redraw the (much larger) committed ink.
   */
  constructor(
    private readonly layer: Konva.Layer,
    private readonly liveLayer: Konva.Layer,
    private readonly state: BoardState,
  ) {
    layer.add(this.committed);
    liveLayer.add(this.liveGroup);
    state.events.on('strokes', (e) => {
      if (e.reset || e.removed.length) {
        if (e.reset) this.rebuild();
        for (const id of e.removed) this.removeLine(id);
        for (const id of e.added) this.addLine(id);
        this.layer.batchDraw();
        return;
      }
      // Only additions (the common case in a busy classroom): paint the new strokes over the layer
      // instead of repainting every stroke on the board.
      for (const id of e.added) this.addLine(id)?.drawScene();
    });
    state.events.on('live', (e) => {
      this.updateLive(e.strokeId, e.removed);
      this.liveLayer.batchDraw();
    });
    this.rebuild();
  }

  /** Hides strokes at once while an erase is on its way (restored by `setHidden(id, false)`). */
  setHidden(id: string, hidden: boolean): void {
    this.lines.get(id)?.visible(!hidden);
    this.layer.batchDraw();
  }

  private rebuild(): void {
    for (const line of this.lines.values()) line.destroy();
    this.lines.clear();
    for (const id of [...this.liveLines.keys()]) this.updateLive(id, true);
    const all = [...this.state.visibleStrokes()].sort(
      (a, b) => ('createdAt' in a ? a.createdAt : Infinity) - ('createdAt' in b ? b.createdAt : Infinity),
    );
    for (const s of all) this.addLine(s.id);
  }

  /** Adds the line of a stroke; returns it if it is new. */
  private addLine(id: string): Konva.Line | undefined {
    const s = this.state.getStroke(id);
    if (!s || this.lines.has(id)) return undefined;
    const line = inkLine(s.points, s.color, s.width);
    this.lines.set(id, line);
    this.committed.add(line);
    return line;
  }

  private removeLine(id: string): void {
    this.lines.get(id)?.destroy();
    this.lines.delete(id);
  }

  private updateLive(id: string, removed: boolean): void {
    const live = this.state.live.get(id);
    let line = this.liveLines.get(id);
    if (removed || !live) {
      line?.destroy();
      this.liveLines.delete(id);
      return;
    }
    if (!line) {
      line = inkLine(live.points, live.color, live.width);
      this.liveLines.set(id, line);
      this.liveGroup.add(line);
    } else updateInkLine(line, live.points);
  }
}
