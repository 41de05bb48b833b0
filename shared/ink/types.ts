/** A pen point [x, y] in any units, y growing downward. */
export type Point = [number, number];
/** One pen-down stroke: its points in drawing order. */
export type Stroke = Point[];
/** Axis-aligned box [x0, y0, x1, y1]. */
export type BBox = [number, number, number, number];
