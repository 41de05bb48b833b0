/** The class answer table (student -> latest answer, right or wrong against the key) and its CSV. */
import { isCorrect, latestAnswer } from '../../shared/classroom.ts';
import type { BoardStore } from '../store/board-store.ts';

export interface AnswerRow {
  name: string;
  userId: string;
  answer: string;
  /** ISO time of the answer's pen-up, empty without an answer. */
  answeredAt: string;
  corrected: boolean;
  /** right / wrong against the key; empty without a key or an answer. */
  result: '' | 'right' | 'wrong';
}

export async function answerRows(store: BoardStore, boardId: string): Promise<AnswerRow[]> {
  const c = await store.getClassroom(boardId);
  const rows: AnswerRow[] = [];
  for (const s of c?.students ?? []) {
    const snap = await store.snapshot(s.spaceId);
    const answer = snap
      ? latestAnswer(snap.labels, new Map(snap.corrections.map((x) => [x.regionId, x])))
      : undefined;
    const ok = isCorrect(answer?.text, c?.answerKey);
    rows.push({
      name: s.name,
      userId: s.userId,
      answer: answer?.text ?? '',
      answeredAt: answer ? new Date(answer.at).toISOString() : '',
      corrected: answer?.corrected ?? false,
      result: ok === undefined ? '' : ok ? 'right' : 'wrong',
    });
  }
  return rows;
}

/** RFC 4180 field; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula. */
function field(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function answersCsv(rows: AnswerRow[], answerKey: string | null | undefined): string {
  const head = ['name', 'answer', 'answered_at', 'corrected', 'result', 'answer_key', 'user_id'];
  const lines = [head.join(',')];
  for (const r of rows)
    lines.push(
      [r.name, r.answer, r.answeredAt, r.corrected ? 'yes' : 'no', r.result, answerKey ?? '', r.userId]
        .map(field)
        .join(','),
    );
  return lines.join('\r\n') + '\r\n';
}
