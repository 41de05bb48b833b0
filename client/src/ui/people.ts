/** Who is on the board: overlapping avatars, and a list (with a way to change your own name and colour). */
import type { BoardState } from '../board-state.ts';
import { h } from './dom.ts';
import { initials } from './profile-dialog.ts';
import { registerMenu } from './menus.ts';

export function peopleWidget(state: BoardState, onEditSelf: () => void): HTMLElement {
  const avatars = h('div.avatars');
  const count = h('span.people-count');
  const list = h('div.people-list', { hidden: true, role: 'menu' });
  const button = h(
    'button.people-button',
    { type: 'button', title: 'People on this board', 'aria-haspopup': 'true' },
    avatars,
    count,
  );
  const el = h('div.people', { 'data-testid': 'people' }, button, list);
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    list.hidden = !list.hidden;
  });
  registerMenu(list);
  document.addEventListener('pointerdown', (e) => {
    if (!el.contains(e.target as Node)) list.hidden = true;
  });

  const render = (): void => {
    const peers = [...state.peers.values()].sort((a, b) =>
      a.userId === state.you?.userId ? -1 : b.userId === state.you?.userId ? 1 : a.name.localeCompare(b.name),
    );
    avatars.replaceChildren(
      ...peers
        .slice(0, 4)
        .map((p) => h('span.avatar', { style: `background:${p.color}`, title: p.name }, initials(p.name))),
    );
    count.textContent = String(peers.length);
    list.replaceChildren(
      h('div.people-head', {}, `${peers.length} on this board`),
      ...peers.map((p) => {
        const me = p.userId === state.you?.userId;
        return h(
          'div.person',
          {},
          h('span.avatar', { style: `background:${p.color}` }, initials(p.name)),
          h('span.person-name', {}, p.name, me ? h('span.muted', {}, ' (you)') : null),
          p.role === 'owner' ? h('span.badge', {}, 'teacher') : null,
          p.role === 'viewer' ? h('span.badge', {}, 'viewer') : null,
          me
            ? h(
                'button.link-button',
                {
                  type: 'button',
                  onclick: () => {
                    list.hidden = true;
                    onEditSelf();
                  },
                },
                'Edit',
              )
            : null,
        );
      }),
    );
  };
  state.events.on('peers', render);
  render();
  return el;
}
