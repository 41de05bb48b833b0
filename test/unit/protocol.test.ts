/** The protocol schemas: good payloads pass; each bad one is rejected with its code. */
import { describe, expect, it } from 'vitest';
import {
  CLIENT_MESSAGE_TYPES,
  ERROR_CODES,
  ClientMessageSchema,
  LIMITS,
  PROTOCOL_VERSION,
  RecognizeRequestSchema,
  parseClientMessage,
  type ClientMessage,
} from '../../shared/protocol.ts';

const join = {
  type: 'join',
  protocolVersion: PROTOCOL_VERSION,
  boardId: 'AbC_123-xyz',
  userKey: 'a-secret-user-key-123',
  name: 'Ann',
  color: '#12ab9F',
} as const;
const stroke = {
  id: 's1',
  color: '#000000',
  width: 3,
  points: [
    [0, 0],
    [1.5, -2],
  ] as [number, number][],
};

const good: ClientMessage[] = [
  join,
  { ...join, ownerKey: 'owner-key-0123456789abcdef' },
  { type: 'stroke.points', strokeId: 's1', seq: 0, color: '#000000', width: 2, points: [[1, 2]] },
  { type: 'stroke.commit', stroke },
  { type: 'erase', strokeIds: ['s1', 's2'] },
  { type: 'undo' },
  { type: 'redo' },
  { type: 'clear', scope: 'mine' },
  { type: 'clear', scope: 'all' },
  { type: 'cursor', cursor: [10, 20] },
  { type: 'cursor', cursor: null },
  { type: 'profile', name: 'Bob', color: '#ffffff' },
  { type: 'resync' },
  { ...join, viewer: true },
  { type: 'class.control', control: { action: 'lock', locked: true } },
  { type: 'class.control', control: { action: 'readOnly', userId: 'u1', readOnly: true } },
  { type: 'class.control', control: { action: 'pen', userId: null } },
  { type: 'class.control', control: { action: 'remove', userId: 'u1' } },
  { type: 'class.control', control: { action: 'readmit', userId: 'u1' } },
  { type: 'class.control', control: { action: 'clear', notice: 'Next question' } },
  { type: 'class.control', control: { action: 'answers', hidden: true } },
  { type: 'class.control', control: { action: 'answerKey', answerKey: '42' } },
  { type: 'label.correct', boardId: 'b1', regionId: 'r1', version: 2, text: '1984' },
];

const many = (n: number) => Array.from({ length: n }, (_, i) => [i, i] as [number, number]);

const bad: [string, unknown, (typeof ERROR_CODES)[number]][] = [
  ['not an object', 'join', 'BAD_MESSAGE'],
  ['null', null, 'BAD_MESSAGE'],
  ['unknown type', { type: 'explode' }, 'BAD_MESSAGE'],
  ['missing type', { strokeIds: ['a'] }, 'BAD_MESSAGE'],
  ['join without boardId', { ...join, boardId: undefined }, 'BAD_MESSAGE'],
  ['join with a version string', { ...join, protocolVersion: '1' }, 'BAD_MESSAGE'],
  ['join with a short user key', { ...join, userKey: 'short' }, 'BAD_MESSAGE'],
  ['an unknown control', { type: 'class.control', control: { action: 'explode' } }, 'BAD_MESSAGE'],
  [
    'a correction with letters',
    { type: 'label.correct', boardId: 'b', regionId: 'r', version: 1, text: '1a' },
    'BAD_MESSAGE',
  ],
  [
    'a correction too long',
    { type: 'label.correct', boardId: 'b', regionId: 'r', version: 1, text: '1'.repeat(41) },
    'TOO_LARGE',
  ],
  ['join with an empty name', { ...join, name: '   ' }, 'BAD_MESSAGE'],
  ['join with a long name', { ...join, name: 'x'.repeat(LIMITS.maxNameLength + 1) }, 'TOO_LARGE'],
  ['join with a bad board id', { ...join, boardId: '../etc/passwd' }, 'BAD_MESSAGE'],
  ['colour by name', { type: 'profile', name: 'A', color: 'red' }, 'BAD_MESSAGE'],
  ['NaN coordinate', { type: 'cursor', cursor: [NaN, 1] }, 'BAD_MESSAGE'],
  [
    'infinite coordinate',
    { type: 'stroke.commit', stroke: { ...stroke, points: [[Infinity, 0]] } },
    'BAD_MESSAGE',
  ],
  ['huge coordinate', { type: 'cursor', cursor: [LIMITS.maxCoordinate + 1, 0] }, 'TOO_LARGE'],
  [
    'point with 3 numbers',
    { type: 'stroke.commit', stroke: { ...stroke, points: [[0, 0, 0]] } },
    'TOO_LARGE',
  ],
  [
    'point as object',
    { type: 'stroke.commit', stroke: { ...stroke, points: [{ x: 0, y: 0 }] } },
    'BAD_MESSAGE',
  ],
  ['empty stroke', { type: 'stroke.commit', stroke: { ...stroke, points: [] } }, 'BAD_MESSAGE'],
  [
    'stroke over the point limit',
    { type: 'stroke.commit', stroke: { ...stroke, points: many(LIMITS.maxPointsPerStroke + 1) } },
    'TOO_LARGE',
  ],
  [
    'batch over the point limit',
    {
      type: 'stroke.points',
      strokeId: 's',
      seq: 0,
      color: '#000000',
      width: 2,
      points: many(LIMITS.maxPointsPerBatch + 1),
    },
    'TOO_LARGE',
  ],
  [
    'negative seq',
    { type: 'stroke.points', strokeId: 's', seq: -1, color: '#000000', width: 2, points: [[0, 0]] },
    'BAD_MESSAGE',
  ],
  [
    'fractional seq',
    { type: 'stroke.points', strokeId: 's', seq: 0.5, color: '#000000', width: 2, points: [[0, 0]] },
    'BAD_MESSAGE',
  ],
  ['zero width', { type: 'stroke.commit', stroke: { ...stroke, width: 0 } }, 'BAD_MESSAGE'],
  ['erase nothing', { type: 'erase', strokeIds: [] }, 'BAD_MESSAGE'],
  ['erase too many', { type: 'erase', strokeIds: Array(LIMITS.maxEraseIds + 1).fill('a') }, 'TOO_LARGE'],
  ['erase ids not strings', { type: 'erase', strokeIds: [1, 2] }, 'BAD_MESSAGE'],
  ['clear with a bad scope', { type: 'clear', scope: 'everything' }, 'BAD_MESSAGE'],
];

describe('parseClientMessage', () => {
  it('covers every client message type with a good example', () => {
    expect(new Set(good.map((m) => m.type))).toEqual(new Set(CLIENT_MESSAGE_TYPES));
  });
  it.each(good.map((m) => [m.type, m] as const))('accepts %s', (_t, msg) => {
    const res = parseClientMessage(structuredClone(msg));
    expect(res).toEqual({ ok: true, msg });
  });
  it.each(bad)('rejects %s', (_name, input, code) => {
    const res = parseClientMessage(input);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe(code);
      expect(res.error.message.length).toBeGreaterThan(3);
    }
  });
  it('names the message type and the field in the error', () => {
    const res = parseClientMessage({
      type: 'stroke.points',
      strokeId: 's',
      seq: 0,
      color: '#000000',
      width: 2,
      points: many(300),
    });
    expect(res).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    if (!res.ok) expect(res.error.message).toMatch(/^stroke\.points: points: /);
  });
  it('drops unknown fields instead of passing them on', () => {
    const res = parseClientMessage({ type: 'undo', evil: true });
    expect(res).toEqual({ ok: true, msg: { type: 'undo' } });
  });
  it('decides stroke.points exactly as the schema does (its fast path included)', () => {
    const base = { type: 'stroke.points', strokeId: 's_1-A', seq: 7, color: '#00ffAA', width: 0.5 };
    const pts = (n: number) => Array.from({ length: n }, (_, i) => [i * 1.5, -i] as [number, number]);
    const M = LIMITS.maxCoordinate;
    const variants: Record<string, unknown>[] = [
      { ...base, points: pts(1) },
      { ...base, points: pts(LIMITS.maxPointsPerBatch), width: 64, extra: 'dropped' },
      { ...base, points: [[M, -M]], seq: 0 },
      { ...base, points: [[M + 1, 0]] },
      { ...base, points: [[0, NaN]] },
      { ...base, points: [[0, Infinity]] },
      { ...base, points: [[0, '1']] },
      { ...base, points: [[0, 1, 2]] },
      { ...base, points: [[0]] },
      { ...base, points: [] },
      { ...base, points: pts(LIMITS.maxPointsPerBatch + 1) },
      { ...base, points: [, [0, 0]] }, // eslint-disable-line no-sparse-arrays
      { ...base, points: 'nope' },
      { ...base, points: pts(2), seq: -1 },
      { ...base, points: pts(2), seq: 1.5 },
      { ...base, points: pts(2), seq: 2 ** 60 },
      { ...base, points: pts(2), width: 0.4 },
      { ...base, points: pts(2), width: 65 },
      { ...base, points: pts(2), color: '#00ffA' },
      { ...base, points: pts(2), strokeId: 'a'.repeat(65) },
      { ...base, points: pts(2), strokeId: 'a b' },
      { ...base, points: pts(2), strokeId: 3 },
    ];
    for (const v of variants) {
      const schema = ClientMessageSchema.safeParse(v);
      const res = parseClientMessage(v);
      expect(res.ok, JSON.stringify(v).slice(0, 100)).toBe(schema.success);
      if (res.ok && schema.success) expect(res.msg).toEqual(schema.data);
    }
  });
});

describe('RecognizeRequestSchema', () => {
  it('accepts strokes in any units and rejects bad ones', () => {
    expect(RecognizeRequestSchema.safeParse({ strokes: [[[0.5, 1e5]]] }).success).toBe(true);
    expect(RecognizeRequestSchema.safeParse({ strokes: [[]] }).success).toBe(false);
    expect(RecognizeRequestSchema.safeParse({ strokes: [[[0, null]]] }).success).toBe(false);
    expect(RecognizeRequestSchema.safeParse({}).success).toBe(false);
    expect(
      RecognizeRequestSchema.safeParse({ strokes: Array(LIMITS.maxStrokesPerRecognize + 1).fill([[0, 0]]) })
        .success,
    ).toBe(false);
  });
});
