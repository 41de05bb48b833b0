/** Other people's cursors with their names, at a constant screen size whatever the zoom. */
import Konva from 'konva';
import type { BoardState } from '../board-state.ts';
import type { Viewport } from './viewport.ts';

/** Cursors idle this long fade out. */
const IDLE_MS = 8000;

export class CursorsView {
  private readonly nodes = new Map<string, Konva.Group>();

  constructor(
    private readonly layer: Konva.Layer,
    private readonly state: BoardState,
    private readonly viewport: Viewport,
  ) {
    state.events.on('cursors', () => this.schedule());
    state.events.on('peers', () => this.schedule());
    viewport.events.on('change', () => this.render());
    setInterval(() => this.schedule(), 2000);
  }

  private frame = 0;

  /** Many cursor messages a second arrive from a full classroom: draw at most once per frame. */
  private schedule(): void {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render();
      });
    }
  }

  private render(): void {
    const now = Date.now();
    const inv = 1 / this.viewport.scale;
    const seen = new Set<string>();
    for (const c of this.state.cursors.values()) {
      const peer = this.state.peers.get(c.userId);
      if (!peer || now - c.updatedAt > IDLE_MS) continue;
      seen.add(c.userId);
      let node = this.nodes.get(c.userId);
      if (!node) {
        node = this.makeCursor();
        this.nodes.set(c.userId, node);
        this.layer.add(node);
      }
      const arrow = node.findOne<Konva.Path>('.arrow');
      const tag = node.findOne<Konva.Tag>('Tag');
      const text = node.findOne<Konva.Text>('Text');
      arrow?.fill(peer.color);
      tag?.fill(peer.color);
      text?.text(peer.name);
      node.position({ x: c.at[0], y: c.at[1] });
      node.scale({ x: inv, y: inv });
    }
    for (const [id, node] of this.nodes) {
      if (!seen.has(id)) {
        node.destroy();
        this.nodes.delete(id);
      }
    }
    this.layer.batchDraw();
  }

  private makeCursor(): Konva.Group {
    const g = new Konva.Group({ listening: false });
    g.add(
      new Konva.Path({
        name: 'arrow',
        data: 'M0 0 L0 16 L4.5 12 L7.5 18.5 L10 17.3 L7 11 L12.5 11 Z',
        stroke: '#ffffff',
        strokeWidth: 1.25,
      }),
    );
    const label = new Konva.Label({ x: 12, y: 18 });
    label.add(
      new Konva.Tag({ cornerRadius: 6 }),
      new Konva.Text({
        fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        fontSize: 12,
        fontStyle: '600',
        fill: '#ffffff',
        padding: 4,
      }),
    );
    g.add(label);
    return g;
  }
}
