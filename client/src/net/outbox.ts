/**
 * Committed strokes not yet acknowledged by the server. Kept until acked and resent after every
 * (re)join; commits are idempotent by stroke id, so a resend never doubles a stroke.
 */
import type { PendingStroke } from '../board-state.ts';

export class Outbox {
  private readonly items = new Map<string, { stroke: PendingStroke; sentAt: number }>();

  add(stroke: PendingStroke): void {
    this.items.set(stroke.id, { stroke, sentAt: 0 });
  }

  markSent(id: string, at = Date.now()): void {
    const item = this.items.get(id);
    if (item) item.sentAt = at;
  }

  remove(id: string): void {
    this.items.delete(id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  get size(): number {
    return this.items.size;
  }

  /** Strokes to (re)send: never sent, or sent at least `olderThanMs` ago (0: all of them). */
  due(olderThanMs = 0, now = Date.now()): PendingStroke[] {
    return [...this.items.values()]
      .filter((i) => i.sentAt === 0 || now - i.sentAt >= olderThanMs)
      .map((i) => i.stroke);
  }
}
