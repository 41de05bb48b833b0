/**
 * Adds and removes strokes inside a board transaction: updates regions (grouping, merging, splitting),
 * queues the writes, and builds a recognition job for every region that changed.
 */
import type { BoardStroke } from '../../shared/protocol.ts';
import { bboxOfPoints } from '../regions/geometry.ts';
import { RegionWorkingSet } from '../regions/grouping.ts';
import type { RegionRules } from '../regions/types.ts';
import type { BoardTx } from '../store/board-store.ts';
import type { Outcome } from './outcome.ts';

export interface ChangeInput {
  add: BoardStroke[];
  removeIds: string[];
  /** New strokes just drawn (time matters for grouping) rather than restored by undo/redo. */
  live: boolean;
  now: number;
  /** Pen-down time of a live stroke (its first streamed points), for the time rule. Default `now`. */
  penDownAt?: number;
  rules: RegionRules;
}

export async function applyStrokeChanges(tx: BoardTx, input: ChangeInput): Promise<Outcome> {
  const { add, removeIds, live, now, rules } = input;
  const penDownAt = Math.min(input.penDownAt ?? now, now);
  const ws = new RegionWorkingSet(rules);

  // Read phase: every region the change may touch.
  if (removeIds.length) {
    const regionIds = [...new Set((await tx.regionsOf(removeIds)).filter((id): id is string => !!id))];
    ws.load((await tx.getRegions(regionIds)).filter((r) => !!r));
  }
  if (add.length) ws.load(live ? await tx.recentRegions(penDownAt - rules.timeMs) : await tx.allRegions());

  if (removeIds.length) ws.removeStrokes(new Set(removeIds));
  for (const s of add)
    ws.addStroke(
      { id: s.id, author: s.author, bbox: bboxOfPoints(s.points), at: s.createdAt },
      now,
      live,
      penDownAt,
    );
  const { changed, removed, moved } = ws.changes();

  // Points of the changed regions' strokes, for their recognition jobs.
  const fresh = new Map(add.map((s) => [s.id, s]));
  const missing = changed.flatMap((r) => r.strokes.map((s) => s.id)).filter((id) => !fresh.has(id));
  const loaded = await tx.getStrokes(missing);
  const points = new Map<string, BoardStroke['points']>();
  missing.forEach((id, i) => {
    const s = loaded[i];
    if (s) points.set(id, s.points);
  });
  for (const s of add) points.set(s.id, s.points);

  // Write phase.
  for (const id of removeIds) tx.write({ t: 'deleteStroke', id });
  for (const s of add) tx.write({ t: 'putStroke', stroke: s });
  for (const [id, regionId] of moved) tx.write({ t: 'strokeRegion', id, regionId });
  for (const r of changed) tx.write({ t: 'putRegion', region: r });
  for (const r of removed) tx.write({ t: 'deleteRegion', id: r.regionId });

  return {
    added: add,
    removedIds: removeIds,
    removedRegions: removed,
    jobs: changed.map((r) => ({
      boardId: tx.meta.id,
      regionId: r.id,
      version: r.version,
      strokes: r.strokes.map((s) => ({ id: s.id, points: points.get(s.id) ?? [] })),
      penUpAt: now,
    })),
  };
}
