/**
 * The board's write actions (commit, erase, clear, undo, redo), each run inside a store transaction.
 * Roles: the owner may erase and clear anyone's strokes; members only their own. Undo/redo replay the
 * user's own history, stored with the board so it survives reconnects and server restarts.
 */
import type { BoardStroke, ClientMessageOf, Role } from '../../shared/protocol.ts';
import { LIMITS } from '../../shared/protocol.ts';
import type { RegionRules } from '../regions/types.ts';
import type { BoardTx, HistoryEntry, UserHistory } from '../store/board-store.ts';
import { applyStrokeChanges } from './apply-changes.ts';
import { ActionError, emptyOutcome, type Outcome } from './outcome.ts';

/** Undo steps kept per user. */
export const MAX_UNDO = 100;
/**
 * Points of removed ink a user's undo steps may hold together (one full board): past it the oldest steps
 * are dropped, so clearing a full board again and again cannot pile up 100 boards of history.
 */
export const MAX_UNDO_POINTS = LIMITS.maxPointsPerBoard;

const pointsOf = (e: HistoryEntry): number => (e.strokes ?? []).reduce((n, s) => n + s.points.length, 0);

export interface Actor {
  userId: string;
  role: Role;
}

export interface ActionContext {
  now: number;
  rules: RegionRules;
}

function pushUndo(h: UserHistory, e: HistoryEntry): void {
  h.undo.push(e);
  if (h.undo.length > MAX_UNDO) h.undo.splice(0, h.undo.length - MAX_UNDO);
  // Only a step holding removed ink can take the history past MAX_UNDO_POINTS (a commit's step holds none).
  if (!e.strokes) return;
  let points = h.undo.reduce((n, x) => n + pointsOf(x), 0);
  let drop = 0;
  // The newest step always stays (it holds at most a board's points).
  while (points > MAX_UNDO_POINTS && drop < h.undo.length - 1)
    points -= pointsOf(h.undo[drop++] as HistoryEntry);
  if (drop > 0) h.undo.splice(0, drop);
}

async function checkRoom(tx: BoardTx, adding: readonly BoardStroke[]): Promise<void> {
  if (!adding.length) return;
  if ((await tx.strokeCount()) + adding.length > LIMITS.maxStrokesPerBoard)
    throw new ActionError('LIMIT_REACHED', `a board holds at most ${LIMITS.maxStrokesPerBoard} strokes`);
  const points = adding.reduce((n, s) => n + s.points.length, 0);
  if ((await tx.pointCount()) + points > LIMITS.maxPointsPerBoard)
    throw new ActionError('LIMIT_REACHED', `a board holds at most ${LIMITS.maxPointsPerBoard} points of ink`);
}

export async function commitStroke(
  tx: BoardTx,
  actor: Actor,
  input: ClientMessageOf<'stroke.commit'>['stroke'],
  ctx: ActionContext,
  /** When the stroke's first points arrived (pen-down); the region time rule counts from there. */
  penDownAt?: number,
): Promise<Outcome> {
  const [existing] = await tx.getStrokes([input.id]);
  // A resend (the client did not see its ack): relay the stored stroke again, in case the server that
  // stored it died before relaying it. Clients ignore a stroke they already have.
  if (existing) {
    // Stroke ids are scoped to their author: another user's id is never taken over nor acknowledged.
    if (existing.author !== actor.userId)
      throw new ActionError('ID_TAKEN', `stroke id ${input.id} belongs to another user's stroke`);
    return { ...emptyOutcome(), added: [existing], duplicate: true };
  }
  const stroke: BoardStroke = { ...input, author: actor.userId, createdAt: ctx.now };
  await checkRoom(tx, [stroke]);
  const history = await tx.getHistory(actor.userId);
  const out = await applyStrokeChanges(tx, { add: [stroke], removeIds: [], live: true, penDownAt, ...ctx });
  pushUndo(history, { op: 'added', ids: [stroke.id] });
  history.redo = [];
  tx.write({ t: 'history', userId: actor.userId, history });
  return out;
}

/** Removes strokes the actor may remove and records the action for undo. */
async function removeStrokes(
  tx: BoardTx,
  actor: Actor,
  strokes: BoardStroke[],
  ctx: ActionContext,
): Promise<Outcome> {
  if (!strokes.length) return emptyOutcome();
  const history = await tx.getHistory(actor.userId);
  const ids = strokes.map((s) => s.id);
  const out = await applyStrokeChanges(tx, { add: [], removeIds: ids, live: false, ...ctx });
  pushUndo(history, { op: 'removed', ids, strokes });
  history.redo = [];
  tx.write({ t: 'history', userId: actor.userId, history });
  return out;
}

export async function erase(tx: BoardTx, actor: Actor, ids: string[], ctx: ActionContext): Promise<Outcome> {
  const strokes = (await tx.getStrokes([...new Set(ids)])).filter((s): s is BoardStroke => !!s);
  if (!strokes.length) throw new ActionError('NOT_FOUND', 'none of these strokes is on the board');
  if (actor.role !== 'owner' && strokes.some((s) => s.author !== actor.userId))
    throw new ActionError('FORBIDDEN', "only the board's owner may erase other people's strokes");
  return removeStrokes(tx, actor, strokes, ctx);
}

export async function clear(
  tx: BoardTx,
  actor: Actor,
  scope: 'mine' | 'all',
  ctx: ActionContext,
): Promise<Outcome> {
  if (scope === 'all' && actor.role !== 'owner')
    throw new ActionError('FORBIDDEN', "only the board's owner may clear the whole board");
  const ids = (await tx.allRegions())
    .flatMap((r) => r.strokes)
    .filter((s) => scope === 'all' || s.author === actor.userId)
    .map((s) => s.id);
  const strokes = (await tx.getStrokes(ids)).filter((s): s is BoardStroke => !!s);
  return removeStrokes(tx, actor, strokes, ctx);
}

/** Re-adds strokes that are not on the board (undo of a removal, redo of an addition). */
async function restore(
  tx: BoardTx,
  strokes: BoardStroke[],
  ctx: ActionContext,
): Promise<Outcome | undefined> {
  const present = await tx.getStrokes(strokes.map((s) => s.id));
  const add = strokes.filter((_, i) => !present[i]);
  if (!add.length) return undefined;
  await checkRoom(tx, add);
  return applyStrokeChanges(tx, { add, removeIds: [], live: false, ...ctx });
}

/** Removes the strokes still on the board (undo of an addition, redo of a removal). */
async function unapply(tx: BoardTx, ids: string[], ctx: ActionContext) {
  const strokes = (await tx.getStrokes(ids)).filter((s): s is BoardStroke => !!s);
  if (!strokes.length) return undefined;
  const out = await applyStrokeChanges(tx, {
    add: [],
    removeIds: strokes.map((s) => s.id),
    live: false,
    ...ctx,
  });
  return { out, strokes };
}

/**
 * Undo (or redo) the user's latest action that still changes something; entries whose strokes are
 * already gone (say, erased by the owner) are skipped.
 */
export async function undoRedo(
  tx: BoardTx,
  actor: Actor,
  which: 'undo' | 'redo',
  ctx: ActionContext,
): Promise<Outcome> {
  const history = await tx.getHistory(actor.userId);
  const from = which === 'undo' ? history.undo : history.redo;
  for (let entry = from.pop(); entry; entry = from.pop()) {
    // Undo of "added" and redo of "removed" take strokes away; the other two put them back.
    const takesAway = (entry.op === 'added') === (which === 'undo');
    let out: Outcome | undefined;
    let reverse: HistoryEntry | undefined;
    if (takesAway) {
      const res = await unapply(tx, entry.ids, ctx);
      if (res) {
        out = res.out;
        reverse = { op: entry.op, ids: res.strokes.map((s) => s.id), strokes: res.strokes };
      }
    } else {
      out = await restore(tx, entry.strokes ?? [], ctx);
      if (out) reverse = { op: entry.op, ids: out.added.map((s) => s.id) };
    }
    if (!out || !reverse) continue;
    if (which === 'undo') history.redo.push(reverse);
    else pushUndo(history, reverse);
    tx.write({ t: 'history', userId: actor.userId, history });
    return out;
  }
  throw new ActionError(which === 'undo' ? 'NOTHING_TO_UNDO' : 'NOTHING_TO_REDO', `nothing to ${which}`);
}
