/** How a recognised region reads on the board: its text, confidence tier and alternatives. */
import type { RegionLabel } from '../../../shared/protocol.ts';

/** At or above: shown solid. */
export const CONFIDENT = 0.9;
/** Below: shown with alternatives. */
export const UNSURE = 0.6;

export type ConfidenceTier = 'high' | 'medium' | 'low';

export interface FormattedLabel {
  /** e.g. "1984" or "7 (1? 2?)". */
  text: string;
  tier: ConfidenceTier;
  /** The least confident digit's confidence (1 for an empty region). */
  confidence: number;
}

export function tierOf(confidence: number): ConfidenceTier {
  return confidence >= CONFIDENT ? 'high' : confidence >= UNSURE ? 'medium' : 'low';
}

/**
 * Formats a label. Digits below `CONFIDENT` get their top two alternatives: a single digit reads
 * "7 (1? 2?)"; in a number each unsure digit is followed by its alternatives: "19 (4? 7?)84".
 */
export function formatLabel(label: RegionLabel): FormattedLabel {
  const confidence = label.digits.reduce((m, d) => Math.min(m, d.confidence), 1);
  const tier = tierOf(confidence);
  if (tier === 'high' || label.digits.length === 0) return { text: label.text, tier, confidence };
  // Rebuild the text digit by digit so alternatives sit next to the digit they belong to,
  // keeping the spaces and line breaks the server put between digits.
  let text = '';
  let di = 0;
  for (const ch of label.text) {
    const d = /[0-9]/.test(ch) ? label.digits[di++] : undefined;
    text += ch;
    if (d && d.confidence < CONFIDENT) {
      const alts = d.alternatives
        .filter((a) => a.label !== d.label)
        .slice(0, 2)
        .map((a) => `${a.label}?`);
      if (alts.length) text += ` (${alts.join(' ')})` + (di < label.digits.length ? ' ' : '');
    }
  }
  return { text: text.trimEnd(), tier, confidence };
}
