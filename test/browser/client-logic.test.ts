/**
 * The browser client's logic that needs no browser: label versions, stale results, live ink, the
 * outbox, and how labels read (confidence tiers, alternatives).
 */
import { describe, expect, it } from 'vitest';
import type { BoardStroke, ClassroomView, Peer, RegionLabel } from '../../shared/protocol.ts';
import { BoardState } from '../../client/src/board-state.ts';
import { Outbox } from '../../client/src/net/outbox.ts';
import { formatLabel } from '../../client/src/view/label-format.ts';
import { polylineNear, unionBox } from '../../client/src/view/geometry.ts';

const me: Peer = { userId: 'me', name: 'Me', color: '#2563eb', role: 'member' };
const other: Peer = { userId: 'other', name: 'Other', color: '#dc2626', role: 'member' };
const classroom: ClassroomView = {
  classroom: false,
  joinCode: null,
  locked: false,
  answersHidden: false,
  pen: null,
  readOnly: [],
  removed: [],
  students: [],
};

function label(regionId: string, version: number, text: string, confidences: number[] = [0.99]): RegionLabel {
  return {
    regionId,
    version,
    strokeIds: ['s1'],
    text,
    digits: confidences.map((c, i) => ({
      label: Number(text.replace(/\D/g, '')[i] ?? 0),
      confidence: c,
      alternatives: [
        { label: 1, confidence: (1 - c) / 2 },
        { label: 2, confidence: (1 - c) / 3 },
      ],
      bbox: [0, 0, 10, 10],
      strokeIds: ['s1'],
    })),
    bbox: [0, 0, 10, 10],
    penUpAt: 0,
    recognizedAt: 0,
  };
}

function stroke(id: string, author = 'other'): BoardStroke {
  return { id, author, color: '#000000', width: 4, points: [[0, 0]], createdAt: 1 };
}

function joined(): BoardState {
  const s = new BoardState('board1');
  s.applySnapshot({
    type: 'snapshot',
    board: { id: 'board1', createdAt: 0, strokes: [], labels: [], corrections: [] },
    spaces: [],
    classroom,
    you: me,
    peers: [me, other],
    degraded: false,
  });
  return s;
}

describe('board state', () => {
  it('keeps the highest label version per region and drops stale ones', () => {
    const s = joined();
    s.apply({ type: 'label', label: label('r1', 2, '7') });
    s.apply({ type: 'label', label: label('r1', 1, '1') });
    expect(s.labels.get('r1')?.text).toBe('7');
    s.apply({ type: 'label', label: label('r1', 3, '4') });
    expect(s.labels.get('r1')?.text).toBe('4');
  });

  it('label.removed removes the region and a late older label does not bring it back', () => {
    const s = joined();
    s.apply({ type: 'label', label: label('r1', 2, '7') });
    s.apply({ type: 'label.removed', regionId: 'r1', version: 3 });
    expect(s.labels.has('r1')).toBe(false);
    s.apply({ type: 'label', label: label('r1', 2, '7') });
    expect(s.labels.has('r1')).toBe(false);
    s.apply({ type: 'label', label: label('r1', 4, '9') });
    expect(s.labels.get('r1')?.text).toBe('9');
  });

  it('assembles live ink from ordered batches and hands over to the committed stroke', () => {
    const s = joined();
    const base = { author: 'other', strokeId: 'k', color: '#000000', width: 4 };
    const mine = { ...base, author: 'me', strokeId: 'mine' };
    s.apply({
      type: 'live',
      batches: [
        { ...base, seq: 0, points: [[0, 0]] },
        { ...mine, seq: 0, points: [[9, 9]] },
        { ...base, seq: 1, points: [[1, 1]] },
      ],
      cursors: [
        { userId: 'other', cursor: [3, 4] },
        { userId: 'me', cursor: [5, 6] },
      ],
    });
    s.apply({ type: 'live', batches: [{ ...base, seq: 1, points: [[1, 1]] }], cursors: [] });
    expect(s.live.get('k')?.points).toEqual([
      [0, 0],
      [1, 1],
    ]);
    // Our own batches and cursor come back in the room's message: never shown as someone else's.
    expect(s.live.has('mine')).toBe(false);
    expect([...s.cursors.values()].map((c) => [c.userId, c.at])).toEqual([['other', [3, 4]]]);
    s.apply({ type: 'live', batches: [], cursors: [{ userId: 'other', cursor: null }] });
    expect(s.cursors.size).toBe(0);
    s.apply({ type: 'strokes.added', strokes: [stroke('k')] });
    expect(s.live.has('k')).toBe(false);
    expect(s.strokes.has('k')).toBe(true);
    // A late batch of a committed stroke does not bring the live stroke back.
    s.apply({ type: 'live', batches: [{ ...base, seq: 2, points: [[2, 2]] }], cursors: [] });
    expect(s.live.has('k')).toBe(false);
  });

  it('a snapshot replaces strokes and labels but keeps our unacknowledged strokes', () => {
    const s = joined();
    s.apply({ type: 'strokes.added', strokes: [stroke('a')] });
    s.apply({ type: 'label', label: label('r1', 1, '3') });
    s.addPending({ id: 'mine', color: '#000000', width: 4, points: [[5, 5]] });
    s.applySnapshot({
      type: 'snapshot',
      board: { id: 'board1', createdAt: 0, strokes: [stroke('b')], labels: [], corrections: [] },
      spaces: [],
      classroom,
      you: me,
      peers: [me],
      degraded: false,
    });
    expect([...s.visibleStrokes()].map((x) => x.id).sort()).toEqual(['b', 'mine']);
    expect(s.labels.size).toBe(0);
    // The committed copy arriving later replaces the pending one: never doubled.
    s.apply({ type: 'strokes.added', strokes: [stroke('mine', 'me')] });
    expect([...s.visibleStrokes()].map((x) => x.id).sort()).toEqual(['b', 'mine']);
    expect(s.pending.size).toBe(0);
  });

  it('members may erase only their own strokes; owners any', () => {
    const s = joined();
    s.apply({ type: 'strokes.added', strokes: [stroke('theirs'), stroke('ours', 'me')] });
    expect(s.canErase('ours')).toBe(true);
    expect(s.canErase('theirs')).toBe(false);
    s.apply({ type: 'presence', peers: [{ ...me, role: 'owner' }, other] });
    expect(s.canErase('theirs')).toBe(true);
  });
});

describe('outbox', () => {
  it('holds strokes until removed and reports which are due for a resend', () => {
    const o = new Outbox();
    o.add({ id: 'a', color: '#000000', width: 2, points: [[0, 0]] });
    o.add({ id: 'b', color: '#000000', width: 2, points: [[0, 0]] });
    expect(o.due().map((s) => s.id)).toEqual(['a', 'b']);
    o.markSent('a', 1000);
    expect(o.due(5000, 2000).map((s) => s.id)).toEqual(['b']);
    expect(o.due(5000, 7000).map((s) => s.id)).toEqual(['a', 'b']);
    o.remove('a');
    expect(o.size).toBe(1);
  });
});

describe('label text', () => {
  it('is plain when the model is sure', () => {
    expect(formatLabel(label('r', 1, '7', [0.97]))).toMatchObject({ text: '7', tier: 'high' });
  });

  it('shows alternatives for an unsure digit', () => {
    expect(formatLabel(label('r', 1, '7', [0.55]))).toMatchObject({ text: '7 (1? 2?)', tier: 'low' });
  });

  it('puts alternatives next to the unsure digit of a number', () => {
    const f = formatLabel(label('r', 1, '194', [0.99, 0.7, 0.98]));
    expect(f).toMatchObject({ text: '19 (1? 2?) 4', tier: 'medium' });
  });
});

describe('view geometry', () => {
  it('finds a stroke near the eraser, including a one-point stroke, and unions optional boxes', () => {
    const line: [number, number][] = [
      [0, 0],
      [100, 0],
    ];
    expect(polylineNear(line, [50, 4], 5)).toBe(true);
    expect(polylineNear(line, [50, 6], 5)).toBe(false);
    expect(polylineNear(line, [104, 0], 5)).toBe(true); // past the end, within the radius
    expect(polylineNear([[10, 10]], [13, 14], 5)).toBe(true);
    expect(polylineNear([[10, 10]], [14, 14], 5)).toBe(false);
    expect(unionBox(null, undefined)).toBeNull();
    expect(unionBox(null, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(unionBox([0, 5, 2, 6], [1, 2, 3, 4])).toEqual([0, 2, 3, 6]);
  });
});
