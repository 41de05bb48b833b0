/** Ink colours and pen widths offered by the toolbar. */

/** Person colours: distinct, readable on white, used for cursors, avatars and default ink. */
export const PERSON_COLORS = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#db2777',
  '#4d7c0f',
  '#b45309',
  '#4f46e5',
] as const;

/** Ink swatches in the toolbar (the person's own colour is shown first, separately). */
export const INK_COLORS = ['#1f2937', '#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'] as const;

/** Pen widths in board units. */
export const PEN_WIDTHS = [
  { width: 2, label: 'Fine' },
  { width: 4, label: 'Medium' },
  { width: 8, label: 'Bold' },
] as const;

export const DEFAULT_WIDTH = 4;
