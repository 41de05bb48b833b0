/** Per-connection ordering of streamed stroke points: seq must increase; nothing after the commit. */

/** Strokes remembered per connection (oldest forgotten first). */
const MAX_TRACKED = 512;

export class StrokeStreams {
  private readonly state = new Map<string, number | 'committed'>();
  private readonly started = new Map<string, number>();

  /** Returns an error message if this batch is out of order, else records it. */
  accept(strokeId: string, seq: number): string | undefined {
    const last = this.state.get(strokeId);
    if (last === 'committed') return `stroke ${strokeId} is already committed`;
    if (last !== undefined && seq <= last) return `stroke ${strokeId}: seq ${seq} after ${last}`;
    if (last === undefined) this.started.set(strokeId, Date.now());
    this.remember(strokeId, seq);
    return undefined;
  }

  /** When the stroke's first points arrived (server time), if they were streamed. */
  startedAt(strokeId: string): number | undefined {
    return this.started.get(strokeId);
  }

  /** Forgets a stroke (its id was refused). */
  forget(strokeId: string): void {
    this.state.delete(strokeId);
    this.started.delete(strokeId);
  }

  committed(strokeId: string): void {
    this.started.delete(strokeId);
    this.remember(strokeId, 'committed');
  }

  private remember(id: string, v: number | 'committed'): void {
    this.state.delete(id);
    this.state.set(id, v);
    if (this.state.size > MAX_TRACKED) {
      const oldest = this.state.keys().next().value;
      if (oldest !== undefined) {
        this.state.delete(oldest);
        this.started.delete(oldest);
      }
    }
  }
}
