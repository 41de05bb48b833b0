/**
 * Recognition labels next to the ink: a pill at the top right of each region, styled by confidence
 * (solid when sure, faded italic with alternatives when not; green with a tick when a person corrected
 * it). A label whose strokes are partly gone is dimmed until the server sends the new version.
 * Pills keep a readable size on screen at any zoom (between `MIN_SCREEN_PX` and `MAX_SCREEN_PX` font).
 */
import Konva from 'konva';
import { labelText } from '../../../shared/classroom.ts';
import type { RegionLabel } from '../../../shared/protocol.ts';
import type { BoardState, Point } from '../board-state.ts';
import type { Viewport } from './viewport.ts';
import { formatLabel, type ConfidenceTier } from './label-format.ts';

const MIN_SCREEN_PX = 13;
const MAX_SCREEN_PX = 30;

const STYLE: Record<
  ConfidenceTier | 'corrected',
  { fill: string; stroke: string; text: string; fontStyle: string; opacity: number }
> = {
  high: { fill: '#eef4ff', stroke: '#bfd3fe', text: '#1d3f9e', fontStyle: 'bold', opacity: 1 },
  medium: { fill: '#f8fafc', stroke: '#cbd5e1', text: '#334155', fontStyle: 'italic bold', opacity: 0.9 },
  low: { fill: '#fff7ed', stroke: '#fed7aa', text: '#9a3412', fontStyle: 'italic', opacity: 0.8 },
  corrected: { fill: '#ecfdf5', stroke: '#6ee7b7', text: '#065f46', fontStyle: 'bold', opacity: 1 },
};

/** The text a label shows: the correction for its version if any, else the recognised reading. */
export function shownText(label: RegionLabel, state: BoardState): { text: string; corrected: boolean } {
  const c = state.corrections.get(label.regionId);
  if (c && c.version === label.version) return { text: `✓ ${labelText(label, c)}`, corrected: true };
  return { text: formatLabel(label).text, corrected: false };
}

export class LabelsView {
  private readonly group = new Konva.Group();
  /** Drawn pills by region, with the key (version + completeness + text) they were drawn for. */
  private readonly nodes = new Map<
    string,
    { key: string; node: Konva.Label; fontSize: number; label: RegionLabel }
  >();

  constructor(
    private readonly layer: Konva.Layer,
    private readonly state: BoardState,
    private readonly viewport?: Viewport,
  ) {
    layer.add(this.group);
    state.events.on('labels', () => this.render());
    state.events.on('strokes', () => this.render());
    viewport?.events.on('change', () => this.rescale());
    this.render();
  }

  /** Shows or hides every label (answers hidden by the teacher). */
  setVisible(visible: boolean): void {
    this.group.visible(visible);
    this.layer.batchDraw();
  }

  /** The label whose pill is under a point of the stage (screen px), if any. */
  labelAt(screen: Point): RegionLabel | undefined {
    if (!this.group.visible()) return undefined;
    for (const { node, label } of this.nodes.values()) {
      const r = node.getClientRect();
      if (screen[0] >= r.x && screen[0] <= r.x + r.width && screen[1] >= r.y && screen[1] <= r.y + r.height)
        return label;
    }
    return undefined;
  }

  /** Every pill's box on screen (for tests). */
  boxes(): { regionId: string; x: number; y: number; width: number; height: number }[] {
    return [...this.nodes.values()].map(({ node, label }) => ({
      regionId: label.regionId,
      ...node.getClientRect(),
    }));
  }

  private render(): void {
    let changed = false;
    const seen = new Set<string>();
    for (const label of this.state.labels.values()) {
      if (!label.text && label.digits.length === 0) continue;
      const complete = label.strokeIds.every((id) => this.state.getStroke(id));
      const shown = shownText(label, this.state);
      const key = `${label.version}:${complete}:${shown.text}`;
      seen.add(label.regionId);
      const existing = this.nodes.get(label.regionId);
      if (existing?.key === key) continue;
      existing?.node.destroy();
      changed = true;
      const { node, fontSize } = this.pill(label, complete, shown);
      this.nodes.set(label.regionId, { key, node, fontSize, label });
      this.scaleOne(node, fontSize);
      this.group.add(node);
    }
    for (const [regionId, { node }] of this.nodes) {
      if (!seen.has(regionId)) {
        node.destroy();
        this.nodes.delete(regionId);
        changed = true;
      }
    }
    if (changed) this.layer.batchDraw();
  }

  private scaleOne(node: Konva.Label, fontSize: number): void {
    const zoom = this.viewport?.scale ?? 1;
    const screen = fontSize * zoom;
    const k = Math.min(Math.max(screen, MIN_SCREEN_PX), MAX_SCREEN_PX) / screen;
    node.scale({ x: k, y: k });
  }

  private rescale(): void {
    for (const { node, fontSize } of this.nodes.values()) this.scaleOne(node, fontSize);
    this.layer.batchDraw();
  }

  private pill(
    label: RegionLabel,
    complete: boolean,
    shown: { text: string; corrected: boolean },
  ): { node: Konva.Label; fontSize: number } {
    const style = STYLE[shown.corrected ? 'corrected' : formatLabel(label).tier];
    const [, y0, x1, y1] = label.bbox;
    const h = Math.max(1, y1 - y0);
    const fontSize = Math.max(16, Math.min(30, h * 0.22));
    const pill = new Konva.Label({
      x: x1 + fontSize * 0.5,
      y: y0,
      opacity: complete ? style.opacity : 0.35,
      listening: false,
      name: 'region-label',
    });
    pill.add(
      new Konva.Tag({
        fill: style.fill,
        stroke: style.stroke,
        strokeWidth: Math.max(1, fontSize / 16),
        cornerRadius: fontSize * 0.4,
      }),
      new Konva.Text({
        text: shown.text,
        fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        fontSize,
        fontStyle: style.fontStyle,
        fill: style.text,
        padding: fontSize * 0.3,
        lineHeight: 1.1,
      }),
    );
    return { node: pill, fontSize };
  }
}
