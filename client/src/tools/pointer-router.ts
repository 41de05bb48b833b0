/**
 * Turns pointer events (mouse, touch, pen) and the wheel into gestures: drawing with the active tool,
 * panning (hand tool, space-drag, middle button, two fingers), pinch and wheel zoom, and cursor updates.
 */
import type { Point } from '../board-state.ts';
import type { Viewport } from '../view/viewport.ts';
import type { Tool } from './tool.ts';

export interface RouterOptions {
  /** The active drawing tool, or null when the hand (pan) tool is selected. */
  tool: () => Tool | null;
  /** Is the space bar held (temporary pan)? */
  spaceHeld: () => boolean;
  /** The pointer moved over the board (board units), or left it (null). */
  onCursor: (p: Point | null) => void;
  /**
   * A press on the board, before any gesture starts (screen px within the board): true when it was taken
   * (it closed a menu, or tapped a label), so it neither draws nor pans. Default: never taken.
   */
  takePress?: (screen: Point) => boolean;
}

/**
 * A one-finger touch waits this long (or this far) before it starts ink, so a second finger arriving
 * for a pinch does not leave the start of a stroke behind on everyone's screen.
 */
const TOUCH_DELAY_MS = 60;
const TOUCH_SLOP_PX = 8;

type Gesture =
  | { kind: 'draw'; pointerId: number; tool: Tool }
  | { kind: 'touch-wait'; pointerId: number; tool: Tool; at: number; points: Point[]; pressure: number }
  | { kind: 'pan'; pointerId: number; last: Point }
  | { kind: 'pinch'; dist: number; mid: Point }
  | null;

export class PointerRouter {
  private readonly pointers = new Map<number, { pos: Point; type: string }>();
  private gesture: Gesture = null;

  constructor(
    private readonly el: HTMLElement,
    private readonly viewport: Viewport,
    private readonly opts: RouterOptions,
  ) {
    el.style.touchAction = 'none';
    el.addEventListener('pointerdown', (e) => this.onDown(e));
    el.addEventListener('pointermove', (e) => this.onMove(e));
    el.addEventListener('pointerup', (e) => this.onUp(e, false));
    el.addEventListener('pointercancel', (e) => this.onUp(e, true));
    el.addEventListener('pointerleave', (e) => {
      if (e.pointerType !== 'touch' && !this.gesture) this.opts.onCursor(null);
    });
    el.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    el.addEventListener('contextmenu', (e) => e.preventDefault());
  }

  /** True while a gesture is in progress. */
  get busy(): boolean {
    return this.gesture !== null;
  }

  /** Updates the board cursor style for the current tool. */
  refreshCursor(): void {
    const tool = this.opts.tool();
    if (this.gesture?.kind === 'pan') this.el.style.cursor = 'grabbing';
    else if (!tool || this.opts.spaceHeld()) this.el.style.cursor = 'grab';
    else this.el.style.cursor = tool.cursor;
  }

  private local(e: PointerEvent | WheelEvent): Point {
    const r = this.el.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private onDown(e: PointerEvent): void {
    if (e.pointerType === 'mouse' && e.button === 2) return;
    e.preventDefault();
    this.el.setPointerCapture?.(e.pointerId);
    const pos = this.local(e);
    this.pointers.set(e.pointerId, { pos, type: e.pointerType });

    const touches = [...this.pointers.values()].filter((p) => p.type === 'touch');
    if (e.pointerType === 'touch' && touches.length === 2) {
      // Second finger: the gesture becomes a pinch; a stroke the first finger started is dropped.
      if (this.gesture?.kind === 'draw') this.gesture.tool.cancel();
      if (this.gesture?.kind === 'touch-wait' || this.gesture?.kind === 'draw') this.opts.onCursor(null);
      const [a, b] = touches as unknown as [{ pos: Point }, { pos: Point }];
      this.gesture = { kind: 'pinch', dist: dist(a.pos, b.pos), mid: midpoint(a.pos, b.pos) };
      return;
    }
    if (this.gesture) return;
    if (this.opts.takePress?.(pos)) {
      this.pointers.delete(e.pointerId);
      return;
    }
    const tool = this.opts.tool();
    const pan = !tool || this.opts.spaceHeld() || (e.pointerType === 'mouse' && e.button === 1);
    if (pan) {
      this.gesture = { kind: 'pan', pointerId: e.pointerId, last: pos };
      this.refreshCursor();
      return;
    }
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    if (e.pointerType === 'touch') {
      this.gesture = {
        kind: 'touch-wait',
        pointerId: e.pointerId,
        tool,
        at: e.timeStamp,
        points: [pos],
        pressure: e.pressure,
      };
      return;
    }
    this.gesture = { kind: 'draw', pointerId: e.pointerId, tool };
    const world = this.viewport.toWorld(pos);
    tool.down(world, e.pressure);
    this.opts.onCursor(world);
  }

  private onMove(e: PointerEvent): void {
    const pos = this.local(e);
    const known = this.pointers.get(e.pointerId);
    if (known) known.pos = pos;
    const g = this.gesture;
    if (g?.kind === 'pinch') {
      const touches = [...this.pointers.values()].filter((p) => p.type === 'touch');
      if (touches.length < 2) return;
      const [a, b] = touches as unknown as [{ pos: Point }, { pos: Point }];
      const d = dist(a.pos, b.pos);
      const mid = midpoint(a.pos, b.pos);
      this.viewport.panBy(mid[0] - g.mid[0], mid[1] - g.mid[1]);
      if (g.dist > 0 && d > 0) this.viewport.zoomAt(mid, d / g.dist);
      g.dist = d;
      g.mid = mid;
      return;
    }
    if (g?.kind === 'pan' && g.pointerId === e.pointerId) {
      this.viewport.panBy(pos[0] - g.last[0], pos[1] - g.last[1]);
      g.last = pos;
      return;
    }
    if (g?.kind === 'touch-wait' && g.pointerId === e.pointerId) {
      g.points.push(pos);
      const start = g.points[0]!;
      if (e.timeStamp - g.at >= TOUCH_DELAY_MS || dist(start, pos) >= TOUCH_SLOP_PX) this.startTouchInk(g);
      return;
    }
    if (g?.kind === 'draw' && g.pointerId === e.pointerId) {
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      const list = events.length ? events : [e];
      const points = list.map((ev) => this.viewport.toWorld(this.local(ev)));
      g.tool.move(points);
      this.opts.onCursor(points[points.length - 1] ?? null);
      return;
    }
    if (!g && e.pointerType !== 'touch') this.opts.onCursor(this.viewport.toWorld(pos));
  }

  private onUp(e: PointerEvent, cancelled: boolean): void {
    this.pointers.delete(e.pointerId);
    const g = this.gesture;
    if (!g) return;
    if (g.kind === 'pinch') {
      if (![...this.pointers.values()].some((p) => p.type === 'touch')) this.gesture = null;
      return;
    }
    if (g.pointerId !== e.pointerId) return;
    if (g.kind === 'touch-wait' && !cancelled) {
      // A quick tap still leaves a dot.
      this.startTouchInk(g);
      g.tool.up();
    }
    this.gesture = null;
    if (g.kind === 'draw') {
      if (cancelled) g.tool.cancel();
      else g.tool.up();
    }
    if (e.pointerType === 'touch') this.opts.onCursor(null);
    this.refreshCursor();
  }

  /** The waiting touch turned out to be writing: start the stroke with the points seen so far. */
  private startTouchInk(g: Extract<Gesture, { kind: 'touch-wait' }>): void {
    const world = g.points.map((p) => this.viewport.toWorld(p));
    g.tool.down(world[0]!, g.pressure);
    if (world.length > 1) g.tool.move(world.slice(1));
    this.gesture = { kind: 'draw', pointerId: g.pointerId, tool: g.tool };
    this.opts.onCursor(world[world.length - 1] ?? null);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const dx = e.deltaX * unit;
    const dy = e.deltaY * unit;
    if (e.shiftKey && !e.ctrlKey) {
      this.viewport.panBy(-(dx || dy), 0);
      return;
    }
    // Plain wheel and trackpad pinch (ctrlKey) zoom around the pointer.
    const factor = Math.exp(-dy * (e.ctrlKey ? 0.01 : 0.0015));
    this.viewport.zoomAt(this.local(e), factor);
  }
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function midpoint(a: Point, b: Point): Point {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}
