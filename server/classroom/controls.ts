/**
 * The teacher's controls and the class list, stored with the board (a `classroom` write): what each
 * control does to them, who may write where, and what each member is shown.
 */
import type { BoardMeta } from '../store/board-store.ts';
import type { ClassroomView, ClassControl, Role, Student } from '../../shared/protocol.ts';
import { LIMITS } from '../../shared/protocol.ts';

/** Stored with the board: everything of `ClassroomView` that is not board metadata. */
export type ClassControls = Required<Omit<ClassroomView, 'classroom' | 'joinCode'>>;

export const emptyControls = (): ClassControls => ({
  locked: false,
  answersHidden: false,
  pen: null,
  readOnly: [],
  removed: [],
  students: [],
  answerKey: null,
});

/** What a member sees: the answer key only when `teacher`. */
export function viewOf(meta: BoardMeta, c: ClassControls | undefined, teacher: boolean): ClassroomView {
  const x = c ?? emptyControls();
  const view: ClassroomView = {
    classroom: meta.classroom ?? false,
    joinCode: meta.joinCode ?? null,
    locked: x.locked,
    answersHidden: x.answersHidden,
    pen: x.pen,
    readOnly: x.readOnly,
    removed: x.removed,
    students: x.students,
  };
  if (teacher) view.answerKey = x.answerKey;
  return view;
}

const without = (list: string[], id: string) => list.filter((x) => x !== id);
const withId = (list: string[], id: string) => (list.includes(id) ? list : [...list, id]);

/** Applies a control; returns the new controls (the input is not changed). */
export function applyControl(c: ClassControls, control: ClassControl): ClassControls {
  const x = structuredClone(c);
  switch (control.action) {
    case 'lock':
      x.locked = control.locked;
      break;
    case 'readOnly':
      x.readOnly = control.readOnly
        ? withId(x.readOnly, control.userId)
        : without(x.readOnly, control.userId);
      break;
    case 'pen':
      x.pen = control.userId;
      break;
    case 'remove':
      x.removed = withId(x.removed, control.userId);
      if (x.pen === control.userId) x.pen = null;
      break;
    case 'readmit':
      x.removed = without(x.removed, control.userId);
      break;
    case 'answers':
      x.answersHidden = control.hidden;
      break;
    case 'answerKey':
      x.answerKey = control.answerKey || null;
      break;
    case 'clear':
      break;
  }
  return x;
}

/** Adds a student or updates their name and colour; undefined when nothing changed. */
export function upsertStudent(c: ClassControls, s: Student): ClassControls | undefined {
  const existing = c.students.find((x) => x.userId === s.userId);
  if (existing && existing.name === s.name && existing.color === s.color) return undefined;
  const x = structuredClone(c);
  if (existing)
    Object.assign(
      x.students.find((y) => y.userId === s.userId)!,
      { name: s.name, color: s.color },
    );
  else {
    if (x.students.length >= LIMITS.maxStudents) return undefined;
    x.students.push(s);
  }
  return x;
}

export type WriteDenial = { code: 'LOCKED' | 'READ_ONLY' | 'REMOVED'; message: string } | undefined;

/** Whether a member may write now (the owner always may; a viewer never). */
export function writeDenial(
  c: ClassControls | undefined,
  role: Role,
  userId: string,
  classroom: boolean,
): WriteDenial {
  if (role === 'owner') return undefined;
  if (role === 'viewer')
    return { code: 'READ_ONLY', message: 'you joined as a viewer: viewers do not write' };
  if (!c) return undefined;
  if (c.removed.includes(userId))
    return { code: 'REMOVED', message: 'the teacher removed you from this board' };
  if (c.locked) return { code: 'LOCKED', message: 'the teacher has locked the board: nobody can write now' };
  if (c.readOnly.includes(userId))
    return { code: 'READ_ONLY', message: 'the teacher made you read-only: you cannot write now' };
  if (!classroom && c.pen && c.pen !== userId)
    return { code: 'READ_ONLY', message: 'the teacher handed the pen to someone else: only they write now' };
  return undefined;
}
