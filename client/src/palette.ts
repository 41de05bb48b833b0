/** Ink colours and pen widths offered by the toolbar. */

export { PERSON_COLORS } from '../../shared/palette.ts';

/** Ink swatches in the toolbar (the person's own colour is shown first, separately). */
export const INK_COLORS = ['#1f2937', '#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'] as const;

/** Pen widths in board units. */
export const PEN_WIDTHS = [
  { width: 2, label: 'Fine' },
  { width: 4, label: 'Medium' },
  { width: 8, label: 'Bold' },
] as const;

export const DEFAULT_WIDTH = 4;
