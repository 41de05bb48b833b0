/**
 * `window.__inkboard`: read-only facts about the page for automated tests and debugging
 * (no behaviour of its own; every getter returns a copy).
 */
import type { BoardState } from './board-state.ts';
import type { Connection } from './net/connection.ts';
import type { Viewport } from './view/viewport.ts';

export interface InkboardHook {
  readonly boardId: string;
  readonly status: string;
  readonly connected: boolean;
  readonly you: { userId: string; name: string; color: string; role: string } | null;
  readonly strokes: { id: string; author: string; color: string; points: number }[];
  readonly pending: number;
  readonly liveStrokes: { id: string; author: string; points: number }[];
  readonly labels: {
    regionId: string;
    version: number;
    text: string;
    strokes: number;
    confidence: number[];
  }[];
  readonly peers: { userId: string; name: string }[];
  /** Other people's cursors currently shown. */
  readonly cursors: { userId: string; x: number; y: number }[];
  readonly view: { scale: number; x: number; y: number };
}

declare global {
  interface Window {
    __inkboard?: InkboardHook;
  }
}

export function exposeTestHook(state: BoardState, conn: Connection, viewport: Viewport): void {
  const hook: InkboardHook = {
    get boardId() {
      return state.boardId;
    },
    get status() {
      return conn.status;
    },
    get connected() {
      return conn.connected;
    },
    get you() {
      return state.you ? { ...state.you } : null;
    },
    get strokes() {
      return [...state.visibleStrokes()].map((s) => ({
        id: s.id,
        author: 'author' in s ? s.author : (state.you?.userId ?? ''),
        color: s.color,
        points: s.points.length,
      }));
    },
    get pending() {
      return conn.outbox.size;
    },
    get liveStrokes() {
      return [...state.live.values()].map((l) => ({
        id: l.strokeId,
        author: l.author,
        points: l.points.length,
      }));
    },
    get labels() {
      return [...state.labels.values()].map((l) => ({
        regionId: l.regionId,
        version: l.version,
        text: l.text,
        strokes: l.strokeIds.length,
        confidence: l.digits.map((d) => d.confidence),
      }));
    },
    get peers() {
      return [...state.peers.values()].map((p) => ({ userId: p.userId, name: p.name }));
    },
    get cursors() {
      return [...state.cursors.values()].map((c) => ({ userId: c.userId, x: c.at[0], y: c.at[1] }));
    },
    get view() {
      return { scale: viewport.scale, x: viewport.x, y: viewport.y };
    },
  };
  Object.defineProperty(window, '__inkboard', { value: Object.freeze(hook), configurable: true });
}
