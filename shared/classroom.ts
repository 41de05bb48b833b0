/**
 * Classroom rules shared by the browser and the server: the id of a student's answer space, a student's
 * answer (the text of their latest recognised or corrected region) and whether it matches the key.
 */
import type { LabelCorrection, RegionLabel } from './protocol.ts';

/** The answer space of student `userId` in class `boardId` (both ids are url-safe; the result fits `IdSchema`). */
export const spaceIdOf = (boardId: string, userId: string): string => `${boardId}-${userId}`;

export interface Answer {
  text: string;
  /** When the answer was given (pen-up of its region), ms since epoch. */
  at: number;
  regionId: string;
  /** The text is a person's correction rather than the recogniser's reading. */
  corrected: boolean;
}

/** The text of a label, with its correction applied when the correction is for this version. */
export function labelText(label: RegionLabel, correction: LabelCorrection | undefined): string {
  return correction && correction.version === label.version ? correction.text : label.text;
}

/**
 * A student's answer: the text of the region they wrote in last (its pen-up time), corrected if a person
 * corrected it; undefined while nothing is recognised. Regions read as empty are skipped.
 */
export function latestAnswer(
  labels: Iterable<RegionLabel>,
  corrections: ReadonlyMap<string, LabelCorrection>,
): Answer | undefined {
  let best: Answer | undefined;
  for (const l of labels) {
    const c = corrections.get(l.regionId);
    const text = labelText(l, c);
    if (!text.trim()) continue;
    if (!best || l.penUpAt > best.at)
      best = { text, at: l.penUpAt, regionId: l.regionId, corrected: !!c && c.version === l.version };
  }
  return best;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Right or wrong against the answer key (whitespace-insensitive); undefined without a key or an answer. */
export function isCorrect(answer: string | undefined, key: string | null | undefined): boolean | undefined {
  if (!key || !norm(key) || answer === undefined) return undefined;
  return norm(answer).replace(/ /g, '') === norm(key).replace(/ /g, '');
}
