/**
 * `window.__inkboard`: read-only facts about the page for automated tests and debugging
 * (no behaviour of its own; every getter returns a copy).
 */
import { labelText, latestAnswer } from '../../shared/classroom.ts';
import type { ClassroomView } from '../../shared/protocol.ts';
import type { BoardState } from './board-state.ts';
import { shownText } from './view/labels.ts';
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
    /** The text, corrected if a person corrected it. */
    text: string;
    /** As shown on the pill (alternatives, a tick when corrected). */
    shown: string;
    strokes: number;
    confidence: number[];
  }[];
  readonly peers: { userId: string; name: string }[];
  /** Other people's cursors currently shown. */
  readonly cursors: { userId: string; x: number; y: number }[];
  readonly view: { scale: number; x: number; y: number };
  readonly classroom: ClassroomView | null;
  readonly mySpaceId: string | null;
  /** The answer spaces this page sees: their ink and labels (shown text). */
  readonly spaces: { id: string; strokes: number; labels: string[]; answer: string | null }[];
  /** Labels on screen: board or space, region, box in page px relative to the board. */
  readonly labelBoxes: {
    boardId: string;
    regionId: string;
    x: number;
    y: number;
    width: number;
    height: number;
  }[];
}

declare global {
  interface Window {
    __inkboard?: InkboardHook;
  }
}

export function exposeTestHook(
  state: BoardState,
  conn: Connection,
  viewport: Viewport,
  labelBoxes: () => InkboardHook['labelBoxes'] = () => [],
): void {
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
        text: labelText(l, state.corrections.get(l.regionId)),
        shown: shownText(l, state).text,
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
    get classroom() {
      return state.classroom ? structuredClone(state.classroom) : null;
    },
    get mySpaceId() {
      return state.mySpaceId ?? null;
    },
    get spaces() {
      return [...state.spaces.values()].map((s) => ({
        id: s.boardId,
        strokes: s.strokes.size,
        labels: [...s.labels.values()].map((l) => labelText(l, s.corrections.get(l.regionId))),
        answer: latestAnswer(s.labels.values(), s.corrections)?.text ?? null,
      }));
    },
    get labelBoxes() {
      return labelBoxes();
    },
  };
  Object.defineProperty(window, '__inkboard', { value: Object.freeze(hook), configurable: true });
}
