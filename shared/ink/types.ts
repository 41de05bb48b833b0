/** A pen point [x, y] in any units, y growing downward. */
export type Point = [number, number];
/** One pen-down stroke: its points in drawing order. */
export type Stroke = Point[];
/** Axis-aligned box [x0, y0, x1, y1]. */
export type BBox = [number, number, number, number];

/** One recognised digit. `strokes` are indices into the region's stroke list (or stroke ids on the board). */
export interface DigitResult {
  label: number;
  confidence: number;
  /** The next most likely labels, best first (at least two). */
  alternatives: { label: number; confidence: number }[];
  bbox: BBox;
  strokes: number[];
}

/** What recognition returns for one region: the CLI, HTTP and realtime contracts all carry this. */
export interface RecognitionResult {
  /** Digits read left to right; lines top to bottom joined by "\n"; a wide gap within a line is a space. */
  text: string;
  digits: DigitResult[];
}
