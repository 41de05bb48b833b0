/** Label corrections: a person names the right digits of a region's current version. */
import type { LabelCorrection } from '../../shared/protocol.ts';
import { ActionError } from '../board/outcome.ts';
import type { BoardTx, StoredCorrection } from '../store/board-store.ts';

export interface CorrectionInput {
  regionId: string;
  version: number;
  text: string;
  by: string;
  now: number;
}

/**
 * Stores the correction with the board, together with the region's strokes (in drawing order) as they are
 * at that version: the training sample. Fails with NOT_FOUND when the region is gone or has changed.
 */
export async function correctLabel(tx: BoardTx, input: CorrectionInput): Promise<StoredCorrection> {
  const [region] = await tx.getRegions([input.regionId]);
  if (!region) throw new ActionError('NOT_FOUND', 'that ink is no longer on the board');
  if (region.version !== input.version)
    throw new ActionError('NOT_FOUND', 'the ink changed since: correct its new label');
  const strokes = await tx.getStrokes(region.strokes.map((s) => s.id));
  const correction: StoredCorrection = {
    regionId: region.id,
    version: region.version,
    text: input.text,
    by: input.by,
    at: input.now,
    author: region.author,
    boardId: tx.meta.id,
    strokes: strokes.flatMap((s) => (s ? [s.points] : [])),
  };
  tx.write({ t: 'correction', correction });
  return correction;
}

/** What the room sees of a stored correction (no strokes). */
export function publicCorrection(c: StoredCorrection): LabelCorrection {
  return { regionId: c.regionId, version: c.version, text: c.text, by: c.by, at: c.at };
}
