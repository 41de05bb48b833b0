/** Classroom rules without a server: a student's answer, right/wrong, write permissions, controls, the CSV. */
import { describe, expect, it } from 'vitest';
import { isCorrect, latestAnswer, spaceIdOf } from '../../shared/classroom.ts';
import { distinctColor, PERSON_COLORS } from '../../shared/palette.ts';
import { IdSchema, type LabelCorrection, type RegionLabel } from '../../shared/protocol.ts';
import { answersCsv } from '../../server/classroom/answers.ts';
import {
  applyControl,
  emptyControls,
  upsertStudent,
  viewOf,
  writeDenial,
} from '../../server/classroom/controls.ts';

const label = (regionId: string, text: string, penUpAt: number, version = 1): RegionLabel => ({
  regionId,
  version,
  strokeIds: ['s'],
  text,
  digits: [],
  bbox: [0, 0, 1, 1],
  penUpAt,
  recognizedAt: penUpAt + 5,
});

describe('answers', () => {
  it('a student answer is the latest region written, corrected when corrected for that version', () => {
    const labels = [label('a', '12', 100), label('b', '7', 300), label('c', '', 400)];
    expect(latestAnswer(labels, new Map())).toMatchObject({ text: '7', at: 300, corrected: false });
    const fix: LabelCorrection = { regionId: 'b', version: 1, text: '1', by: 't', at: 500 };
    expect(latestAnswer(labels, new Map([['b', fix]]))).toMatchObject({ text: '1', corrected: true });
    // A correction of an older version does not apply to new ink.
    expect(latestAnswer([label('b', '7', 300, 2)], new Map([['b', fix]]))).toMatchObject({ text: '7' });
    expect(latestAnswer([], new Map())).toBeUndefined();
  });
  it('right or wrong ignores spaces; no key or no answer: no mark', () => {
    expect(isCorrect('1 984', '1984')).toBe(true);
    expect(isCorrect('1985', '1984')).toBe(false);
    expect(isCorrect(undefined, '4')).toBeUndefined();
    expect(isCorrect('4', null)).toBeUndefined();
  });
  it('a space id is a valid id', () => {
    expect(IdSchema.safeParse(spaceIdOf('a'.repeat(22), 'b_-'.repeat(7) + 'c')).success).toBe(true);
  });
  it('the CSV quotes what needs it and defuses formulas', () => {
    const csv = answersCsv(
      [
        { name: 'Ann, "A"', userId: 'u1', answer: '4', answeredAt: 'T', corrected: false, result: 'right' },
        { name: '=HYPERLINK("x")', userId: 'u2', answer: '', answeredAt: '', corrected: false, result: '' },
      ],
      '4',
    );
    const lines = csv.split('\r\n');
    expect(lines[1]).toBe('"Ann, ""A""",4,T,no,right,4,u1');
    expect(lines[2]).toBe(`"'=HYPERLINK(""x"")",,,no,,4,u2`);
  });
});

describe('controls', () => {
  it('lock, read-only and removal deny members, never the teacher; viewers never write', () => {
    let c = emptyControls();
    expect(writeDenial(c, 'member', 'u', true)).toBeUndefined();
    expect(writeDenial(c, 'viewer', 'u', true)?.code).toBe('READ_ONLY');
    c = applyControl(c, { action: 'lock', locked: true });
    expect(writeDenial(c, 'member', 'u', true)?.code).toBe('LOCKED');
    expect(writeDenial(c, 'owner', 'u', true)).toBeUndefined();
    c = applyControl(applyControl(c, { action: 'lock', locked: false }), {
      action: 'readOnly',
      userId: 'u',
      readOnly: true,
    });
    expect(writeDenial(c, 'member', 'u', true)?.code).toBe('READ_ONLY');
    expect(writeDenial(c, 'member', 'v', true)).toBeUndefined();
    c = applyControl(c, { action: 'remove', userId: 'v' });
    expect(writeDenial(c, 'member', 'v', true)?.code).toBe('REMOVED');
    c = applyControl(c, { action: 'readmit', userId: 'v' });
    expect(writeDenial(c, 'member', 'v', true)).toBeUndefined();
  });
  it('the pen: on a plain board only its holder writes; in a class everyone keeps their space', () => {
    const c = applyControl(emptyControls(), { action: 'pen', userId: 'u' });
    expect(writeDenial(c, 'member', 'v', false)?.code).toBe('READ_ONLY');
    expect(writeDenial(c, 'member', 'u', false)).toBeUndefined();
    expect(writeDenial(c, 'member', 'v', true)).toBeUndefined();
    // Removing the pen holder takes the pen back.
    expect(applyControl(c, { action: 'remove', userId: 'u' }).pen).toBeNull();
  });
  it('the answer key reaches the teacher only; a student is listed once and renamed in place', () => {
    const meta = { id: 'b', createdAt: 0, ownerKeyHash: 'h', classroom: true, joinCode: 'ABCDEF' };
    const c = applyControl(emptyControls(), { action: 'answerKey', answerKey: '42' });
    expect(viewOf(meta, c, true).answerKey).toBe('42');
    expect('answerKey' in viewOf(meta, c, false)).toBe(false);
    const s = { userId: 'u', name: 'Ann', color: '#000000', spaceId: 'b-u', joinedAt: 1 };
    const one = upsertStudent(c, s)!;
    expect(upsertStudent(one, s)).toBeUndefined();
    expect(upsertStudent(one, { ...s, name: 'Anna', joinedAt: 2 })!.students).toEqual([
      { ...s, name: 'Anna' },
    ]);
  });
  it('colours: the one asked for unless taken, else the first free person colour', () => {
    expect(distinctColor('#123456', ['#abcdef'])).toBe('#123456');
    expect(distinctColor(PERSON_COLORS[0], [PERSON_COLORS[0], PERSON_COLORS[1]])).toBe(PERSON_COLORS[2]);
  });
});
