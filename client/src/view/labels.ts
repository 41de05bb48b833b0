/**
 * Recognition labels next to the ink: a pill at the top right of each region, styled by confidence
 * (solid when sure, faded italic with alternatives when not). A label whose strokes are partly gone
 * is dimmed until the server sends the new version.
 */
import Konva from 'konva';
import type { RegionLabel } from '../../../shared/protocol.ts';
import type { BoardState } from '../board-state.ts';
import { formatLabel, type ConfidenceTier } from './label-format.ts';

const STYLE: Record<
  ConfidenceTier,
  { fill: string; stroke: string; text: string; fontStyle: string; opacity: number }
> = {
  high: { fill: '#eef4ff', stroke: '#bfd3fe', text: '#1d3f9e', fontStyle: 'bold', opacity: 1 },
  medium: { fill: '#f8fafc', stroke: '#cbd5e1', text: '#334155', fontStyle: 'italic bold', opacity: 0.9 },
  low: { fill: '#fff7ed', stroke: '#fed7aa', text: '#9a3412', fontStyle: 'italic', opacity: 0.8 },
};

export class LabelsView {
  private readonly group = new Konva.Group();
  /** Drawn pills by region, with the key (version + completeness) they were drawn for. */
  private readonly nodes = new Map<string, { key: string; node: Konva.Label }>();

  constructor(
    private readonly layer: Konva.Layer,
    private readonly state: BoardState,
  ) {
    layer.add(this.group);
    state.events.on('labels', () => this.render());
    state.events.on('strokes', () => this.render());
    this.render();
  }

  private render(): void {
    let changed = false;
    const seen = new Set<string>();
    for (const label of this.state.labels.values()) {
      if (!label.text && label.digits.length === 0) continue;
      const complete = label.strokeIds.every((id) => this.state.getStroke(id));
      const key = `${label.version}:${complete}`;
      seen.add(label.regionId);
      const existing = this.nodes.get(label.regionId);
      if (existing?.key === key) continue;
      existing?.node.destroy();
      changed = true;
      const node = this.pill(label, complete);
      this.nodes.set(label.regionId, { key, node });
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

  private pill(label: RegionLabel, complete: boolean): Konva.Label {
    const f = formatLabel(label);
    const style = STYLE[f.tier];
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
        text: f.text,
        fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        fontSize,
        fontStyle: style.fontStyle,
        fill: style.text,
        padding: fontSize * 0.3,
        lineHeight: 1.1,
      }),
    );
    return pill;
  }
}
