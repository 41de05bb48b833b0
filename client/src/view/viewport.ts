/**
 * Pan and zoom: the mapping between screen pixels (relative to the board's container) and board units.
 * screen = world * scale + offset. Board units are CSS pixels at 100 % zoom.
 */
import type Konva from 'konva';
import { Emitter } from '../emitter.ts';
import type { Point } from '../board-state.ts';

export const MIN_SCALE = 0.1;
export const MAX_SCALE = 8;

export type Box = [number, number, number, number];

export class Viewport {
  readonly events = new Emitter<{ change: undefined }>();
  scale = 1;
  x = 0;
  y = 0;

  constructor(private readonly stage: Konva.Stage) {}

  toWorld(screen: Point): Point {
    return [(screen[0] - this.x) / this.scale, (screen[1] - this.y) / this.scale];
  }

  toScreen(world: Point): Point {
    return [world[0] * this.scale + this.x, world[1] * this.scale + this.y];
  }

  set(scale: number, x: number, y: number): void {
    this.scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    this.x = x;
    this.y = y;
    this.stage.scale({ x: this.scale, y: this.scale });
    this.stage.position({ x: this.x, y: this.y });
    this.stage.batchDraw();
    this.events.emit('change', undefined);
  }

  /** Zooms by `factor` keeping the board point under `screen` fixed. */
  zoomAt(screen: Point, factor: number): void {
    const world = this.toWorld(screen);
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    this.set(scale, screen[0] - world[0] * scale, screen[1] - world[1] * scale);
  }

  /** Zooms around the centre of the screen. */
  zoomCentered(factor: number): void {
    this.zoomAt([this.stage.width() / 2, this.stage.height() / 2], factor);
  }

  /** Sets an absolute zoom level around the centre of the screen. */
  zoomTo(scale: number): void {
    this.zoomCentered(scale / this.scale);
  }

  panBy(dx: number, dy: number): void {
    this.set(this.scale, this.x + dx, this.y + dy);
  }

  /** The board area currently on screen. */
  visibleBox(): Box {
    const [x0, y0] = this.toWorld([0, 0]);
    const [x1, y1] = this.toWorld([this.stage.width(), this.stage.height()]);
    return [x0, y0, x1, y1];
  }

  /** Shows `box` with `padding` screen pixels around it, zooming in no further than `maxScale`. */
  fit(
    box: Box,
    padding = 48,
    maxScale = 2,
    insets: { top: number; bottom: number } = { top: 0, bottom: 0 },
  ): void {
    const w = Math.max(1, box[2] - box[0]);
    const h = Math.max(1, box[3] - box[1]);
    const availW = Math.max(50, this.stage.width() - 2 * padding);
    const availH = Math.max(50, this.stage.height() - 2 * padding - insets.top - insets.bottom);
    const scale = Math.min(maxScale, availW / w, availH / h);
    const cx = (box[0] + box[2]) / 2;
    const cy = (box[1] + box[3]) / 2;
    const screenCy = insets.top + padding + availH / 2;
    this.set(scale, this.stage.width() / 2 - cx * scale, screenCy - cy * scale);
  }
}
