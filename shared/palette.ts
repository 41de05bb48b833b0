/** Person colours: distinct, readable on white; used for cursors, avatars and default ink. */
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
  '#0f766e',
  '#be123c',
] as const;

/**
 * The colour a person gets in a room: the one they asked for unless someone else there already has it,
 * else the first person colour nobody there has (everyone distinct while there are colours left).
 */
export function distinctColor(wanted: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((c) => c.toLowerCase()));
  if (!used.has(wanted.toLowerCase())) return wanted;
  return PERSON_COLORS.find((c) => !used.has(c)) ?? wanted;
}
