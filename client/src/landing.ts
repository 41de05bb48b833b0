/** The landing page: create a new board (POST /api/v1/boards) or reopen a recent one. */
import type { CreateBoardResponse, HttpErrorBody, ResolveCodeResponse } from '../../shared/protocol.ts';
import * as identity from './identity.ts';
import { h, icon } from './ui/dom.ts';
import { ICONS } from './ui/icons.ts';
import { askProfile } from './ui/profile-dialog.ts';

export function mountLanding(app: HTMLElement): void {
  const error = h('p.landing-error', { role: 'alert' });
  const create = h(
    'button.btn.primary.big',
    { type: 'button', 'data-testid': 'new-board' },
    icon(ICONS.plus),
    'New board',
  );
  const createClass = h(
    'button.btn.big',
    { type: 'button', 'data-testid': 'new-class', title: 'Every student answers in their own space' },
    icon(ICONS.plus),
    'New class',
  );
  const start = async (classroom: boolean) => {
    create.disabled = true;
    createClass.disabled = true;
    error.textContent = '';
    try {
      if (!identity.savedName()) {
        const p = await askProfile(
          { name: '', color: identity.savedColor() },
          { title: 'Who are you?', dismissable: false },
        );
        if (p) {
          identity.saveName(p.name);
          identity.saveColor(p.color);
        }
      }
      const res = await fetch('/api/v1/boards', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(classroom ? { classroom } : {}),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as HttpErrorBody | null;
        throw new Error(body?.error.message ?? `The server answered ${res.status}`);
      }
      const board = (await res.json()) as CreateBoardResponse;
      identity.saveOwnerKey(board.boardId, board.ownerKey);
      location.assign(`/b/${encodeURIComponent(board.boardId)}`);
    } catch (e) {
      error.textContent = `Could not create a board: ${e instanceof Error ? e.message : String(e)}`;
      create.disabled = false;
      createClass.disabled = false;
    }
  };
  create.addEventListener('click', () => void start(false));
  createClass.addEventListener('click', () => void start(true));

  // Students type the short code from the teacher's screen.
  const codeInput = h('input.text-input.code-input', {
    type: 'text',
    placeholder: 'ABC234',
    maxlength: 6,
    autocomplete: 'off',
    'aria-label': 'Join code',
    'data-testid': 'join-code-input',
  });
  const joinForm = h(
    'form.join-form',
    {},
    h('label.muted', {}, 'Have a code? '),
    codeInput,
    h('button.btn', { type: 'submit', 'data-testid': 'join-code-go' }, 'Join'),
  );
  joinForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const code = codeInput.value.trim().toUpperCase();
    const res = await fetch(`/api/v1/codes/${encodeURIComponent(code)}`).catch(() => null);
    if (!res?.ok) {
      error.textContent =
        res?.status === 404
          ? 'No board has this code: check it with your teacher.'
          : 'That is not a join code (6 letters and digits).';
      return;
    }
    const body = (await res.json()) as ResolveCodeResponse;
    location.assign(`/b/${encodeURIComponent(body.boardId)}`);
  });

  const recent = identity.recentBoards();
  const recentList = recent.length
    ? h(
        'section.recent',
        {},
        h('h2', {}, 'Recent boards'),
        h(
          'ul',
          {},
          ...recent.map((b) =>
            h(
              'li',
              {},
              h(
                'a',
                { href: `/b/${encodeURIComponent(b.boardId)}` },
                h('span.recent-id', {}, `${b.boardId.slice(0, 10)}…`),
                identity.ownerKeyFor(b.boardId) ? h('span.badge', {}, 'owner') : null,
                h('span.muted', {}, new Date(b.visitedAt).toLocaleString()),
              ),
            ),
          ),
        ),
      )
    : null;

  app.replaceChildren(
    h(
      'main.landing',
      {},
      h(
        'div.landing-card',
        {},
        h('div.brand.brand-hero', {}, h('span.brand-mark.large'), h('span.brand-name', {}, 'Inkboard')),
        h('h1', {}, 'A whiteboard that reads numbers.'),
        h(
          'p.lead',
          {},
          'Open a board, share its link with your class, and write together. Every number anyone writes is recognised and labelled on every screen, live.',
        ),
        h('div.landing-actions', {}, create, createClass),
        joinForm,
        error,
        h('p.muted.small', {}, 'Each board has its own secret link. Only people you give it to can join.'),
      ),
      recentList,
    ),
  );
}
