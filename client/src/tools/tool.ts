/** What the pointer router hands a drawing tool: board-unit points of one pointer's gesture. */
import type { Point } from '../board-state.ts';

export interface Tool {
  /** CSS cursor over the board while this tool is active. */
  readonly cursor: string;
  /** A gesture starts at `p` (board units). */
  down(p: Point, pressure: number): void;
  /** More points of the gesture, in order (coalesced pointer events included). */
  move(points: Point[]): void;
  /** The gesture ended normally. */
  up(): void;
  /** The gesture was taken over (e.g. a second finger started a pinch): undo its effects. */
  cancel(): void;
}
