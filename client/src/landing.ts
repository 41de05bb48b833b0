/** The landing page: create a new board (POST /api/v1/boards) or reopen a recent one. */
import type { CreateBoardResponse, HttpErrorBody } from '../../shared/protocol.ts';
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
  create.addEventListener('click', async () => {
    create.disabled = true;
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
    }
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
        create,
        error,
        h('p.muted.small', {}, 'Each board has its own secret link. Only people you give it to can join.'),
      ),
      recentList,
    ),
  );
}
