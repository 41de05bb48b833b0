/**
 * The teacher's class panel: join code and links, controls (lock, hide answers, clear, answer key,
 * exports), the answer table (student -> latest answer, right/wrong, per-student controls) and the live
 * grid of every answer space (ink thumbnail, name, answer, time). Answers can be corrected from here.
 */
import { isCorrect, latestAnswer, type Answer } from '../../../shared/classroom.ts';
import type { ClassControl, ClientMessage, Student } from '../../../shared/protocol.ts';
import type { BoardState } from '../board-state.ts';
import { boardsSvg, download } from '../export.ts';
import { askCorrection } from './correction-dialog.ts';
import { h } from './dom.ts';
import type { Toasts } from './toast.ts';

export interface ClassPanelDeps {
  state: BoardState;
  request: (msg: ClientMessage) => Promise<{ ok: boolean; error?: { code: string; message: string } }>;
  toasts: Toasts;
  ownerKey: string | undefined;
}

const time = (at: number) =>
  new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function classPanel(deps: ClassPanelDeps): HTMLElement {
  const { state, toasts } = deps;
  const control = async (c: ClassControl) => {
    const res = await deps.request({ type: 'class.control', control: c });
    if (!res.ok && res.error) toasts.show(`${res.error.message} (${res.error.code})`, 'error');
  };
  const links = h('div.class-links');
  const lock = h('button.btn', { type: 'button', 'data-testid': 'lock' });
  const hide = h('button.btn', { type: 'button', 'data-testid': 'hide-answers' });
  const clear = h('button.btn.danger', { type: 'button', 'data-testid': 'clear-class' }, 'Clear all');
  const keyInput = h('input.text-input.key-input', {
    type: 'text',
    placeholder: 'Answer key, e.g. 42',
    'aria-label': 'Answer key',
    'data-testid': 'answer-key',
    maxlength: 40,
  });
  const keySet = h('button.btn', { type: 'button', 'data-testid': 'answer-key-set' }, 'Set key');
  const csv = h('button.btn', { type: 'button', 'data-testid': 'export-csv' }, 'Answers CSV');
  const json = h('button.btn', { type: 'button', 'data-testid': 'export-json' }, 'Board JSON');
  const table = h('table.answers-table', { 'data-testid': 'answers-table' });
  const grid = h('div.class-grid', { 'data-testid': 'class-grid' });
  const count = h('span.muted');

  lock.addEventListener('click', () => void control({ action: 'lock', locked: !state.classroom?.locked }));
  hide.addEventListener(
    'click',
    () => void control({ action: 'answers', hidden: !state.classroom?.answersHidden }),
  );
  let confirmClear = false;
  clear.addEventListener('click', () => {
    if (!confirmClear) {
      confirmClear = true;
      clear.textContent = 'Click again: clear every answer and the board';
      setTimeout(() => ((confirmClear = false), (clear.textContent = 'Clear all')), 4000);
      return;
    }
    confirmClear = false;
    clear.textContent = 'Clear all';
    void control({ action: 'clear', notice: 'The teacher cleared the board: ready for the next question' });
  });
  const setKey = () => void control({ action: 'answerKey', answerKey: keyInput.value.trim() || null });
  keySet.addEventListener('click', setKey);
  keyInput.addEventListener('keydown', (e) => {
    e.stopPropagation();
    if (e.key === 'Enter') setKey();
  });
  const fetchExport = async (path: string, filename: string) => {
    if (!deps.ownerKey) return toasts.show('This needs the teacher key (open the teacher link)', 'error');
    const res = await fetch(`/api/v1/boards/${encodeURIComponent(state.boardId)}/${path}`, {
      headers: { authorization: `Bearer ${deps.ownerKey}` },
    });
    if (!res.ok) return toasts.show(`Export failed: the server answered ${res.status}`, 'error');
    download(filename, await res.blob());
  };
  csv.addEventListener(
    'click',
    () => void fetchExport('answers.csv', `answers-${state.boardId.slice(0, 8)}.csv`),
  );
  json.addEventListener(
    'click',
    () => void fetchExport('export.json', `board-${state.boardId.slice(0, 8)}.json`),
  );

  const correct = async (space: BoardState, answer: Answer) => {
    const label = space.labels.get(answer.regionId);
    if (!label) return;
    const alts = label.digits.length === 1 ? label.digits[0]!.alternatives.map((a) => String(a.label)) : [];
    const text = await askCorrection(answer.text, alts);
    if (text === null) return;
    const res = await deps.request({
      type: 'label.correct',
      boardId: space.boardId,
      regionId: label.regionId,
      version: label.version,
      text,
    });
    if (!res.ok && res.error) toasts.show(`${res.error.message} (${res.error.code})`, 'error');
  };

  const row = (s: Student) => {
    const c = state.classroom!;
    const space = state.spaces.get(s.spaceId);
    const answer = space ? latestAnswer(space.labels.values(), space.corrections) : undefined;
    const ok = isCorrect(answer?.text, c.answerKey);
    const removed = c.removed.includes(s.userId);
    const readOnly = c.readOnly.includes(s.userId);
    const pen = c.pen === s.userId;
    const online = state.peers.has(s.userId);
    const answerCell = answer
      ? h(
          'button.link-button.answer-text',
          {
            type: 'button',
            title: 'Correct this answer',
            'data-testid': 'answer-text',
            onclick: () => space && void correct(space, answer),
          },
          answer.corrected ? `✓ ${answer.text}` : answer.text,
        )
      : h('span.muted', { 'data-testid': 'answer-text' }, '-');
    return { answer, ok, removed, readOnly, pen, online, answerCell, space };
  };

  const render = () => {
    const c = state.classroom;
    if (!c) return;
    const origin = location.origin;
    const boardUrl = `${origin}/b/${encodeURIComponent(state.boardId)}`;
    const copy = (text: string, what: string) => async () => {
      try {
        await navigator.clipboard.writeText(text);
        toasts.show(`${what} copied`);
      } catch {
        toasts.show(text, 'info', 10_000);
      }
    };
    links.replaceChildren(
      h(
        'div.join-code',
        {},
        h('span.muted', {}, 'Join code '),
        h('strong', { 'data-testid': 'join-code' }, c.joinCode ?? '-'),
      ),
      h('button.btn.small', { type: 'button', onclick: copy(boardUrl, 'Student link') }, 'Student link'),
      deps.ownerKey
        ? h(
            'button.btn.small',
            {
              type: 'button',
              onclick: copy(`${boardUrl}#teacher=${deps.ownerKey}`, 'Teacher link (keep it private)'),
            },
            'Teacher link',
          )
        : '',
      h(
        'button.btn.small',
        { type: 'button', onclick: copy(`${boardUrl}?view=1`, 'Projector link') },
        'Projector link',
      ),
    );
    lock.textContent = c.locked ? 'Unlock students' : 'Lock students';
    lock.classList.toggle('active', c.locked);
    hide.textContent = c.answersHidden ? 'Reveal answers' : 'Hide answers';
    if (document.activeElement !== keyInput) keyInput.value = c.answerKey ?? '';
    const students = c.students;
    count.textContent = `${students.length} student${students.length === 1 ? '' : 's'}`;
    const rows = students.map((s) => ({ s, r: row(s) }));
    table.replaceChildren(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Student'),
          h('th', {}, 'Answer'),
          h('th', {}, 'Time'),
          h('th', {}, c.answerKey ? `Key ${c.answerKey}` : ''),
          h('th', {}, ''),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map(({ s, r }) =>
          h(
            'tr',
            {
              'data-testid': 'answer-row',
              'data-user': s.userId,
              'data-name': s.name,
              'data-result': r.ok === undefined ? '' : r.ok ? 'right' : 'wrong',
              class: r.removed ? 'removed' : '',
            },
            h(
              'td',
              {},
              h('span.dot', { style: `background:${s.color}` }),
              s.name,
              r.online ? null : h('span.muted.small', {}, ' (away)'),
            ),
            h('td', {}, r.answerCell),
            h('td.muted', {}, r.answer ? time(r.answer.at) : ''),
            h(
              'td',
              { class: `result ${r.ok === undefined ? '' : r.ok ? 'right' : 'wrong'}` },
              r.ok === undefined ? '' : r.ok ? '✓ right' : '✗ wrong',
            ),
            h(
              'td.row-actions',
              {},
              r.removed
                ? h(
                    'button.btn.small',
                    {
                      type: 'button',
                      'data-action': 'readmit',
                      onclick: () => void control({ action: 'readmit', userId: s.userId }),
                    },
                    'Let back in',
                  )
                : [
                    h(
                      'button.btn.small',
                      {
                        type: 'button',
                        'data-action': 'readonly',
                        onclick: () =>
                          void control({ action: 'readOnly', userId: s.userId, readOnly: !r.readOnly }),
                      },
                      r.readOnly ? 'Let write' : 'Read-only',
                    ),
                    h(
                      'button.btn.small',
                      {
                        type: 'button',
                        'data-action': 'pen',
                        onclick: () => void control({ action: 'pen', userId: r.pen ? null : s.userId }),
                      },
                      r.pen ? 'Take pen back' : 'Give pen',
                    ),
                    h(
                      'button.btn.small.danger',
                      {
                        type: 'button',
                        'data-action': 'remove',
                        onclick: () => void control({ action: 'remove', userId: s.userId }),
                      },
                      'Remove',
                    ),
                  ].reduce<HTMLElement>((frag, b) => (frag.append(b), frag), h('span')),
            ),
          ),
        ),
      ),
    );
    grid.replaceChildren(
      ...rows.map(({ s, r }) => {
        const thumb = h('div.thumb');
        if (r.space && r.space.strokes.size) thumb.innerHTML = thumbnail(r.space);
        return h(
          'div.class-card',
          {
            'data-testid': 'class-card',
            'data-name': s.name,
            class: `class-card${r.ok === true ? ' right' : r.ok === false ? ' wrong' : ''}`,
          },
          thumb,
          h(
            'div.card-foot',
            {},
            h('span.dot', { style: `background:${s.color}` }),
            h('strong', {}, s.name),
            h('span.card-answer', { 'data-testid': 'card-answer' }, r.answer?.text ?? '-'),
            h('span.muted.small', {}, r.answer ? time(r.answer.at) : ''),
          ),
        );
      }),
    );
  };

  /** Thumbnails are rebuilt only when their space changed (30 students writing: one frame each, not 30). */
  const thumbs = new WeakMap<BoardState, { key: string; svg: string }>();
  const thumbnail = (space: BoardState): string => {
    const key = [
      space.strokes.size,
      [...space.strokes.keys()].at(-1),
      ...[...space.labels.values()].map((l) => `${l.regionId}@${l.version}`),
      ...[...space.corrections.values()].map((c) => `${c.regionId}@${c.version}:${c.text}`),
    ].join();
    const hit = thumbs.get(space);
    if (hit?.key === key) return hit.svg;
    const svg = boardsSvg([space]);
    thumbs.set(space, { key, svg });
    return svg;
  };

  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      render();
    });
  };
  const watched = new Set<BoardState>();
  const watchSpaces = () => {
    for (const s of state.spaces.values()) {
      if (watched.has(s)) continue;
      watched.add(s);
      s.events.on('labels', schedule);
      s.events.on('strokes', schedule);
    }
    schedule();
  };
  state.events.on('class', schedule);
  state.events.on('peers', schedule);
  state.events.on('spaces', watchSpaces);
  watchSpaces();

  return h(
    'aside.class-panel',
    { 'data-testid': 'class-panel' },
    h('div.class-head', {}, h('h2', {}, 'Class'), count),
    links,
    h('div.class-controls', {}, lock, hide, clear),
    h('div.class-controls', {}, keyInput, keySet),
    h('div.class-controls', {}, csv, json),
    table,
    grid,
  );
}
