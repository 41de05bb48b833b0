/** The bar across the top: brand (back to the landing page), share link, connection status, people. */
import type { BoardState } from '../board-state.ts';
import type { Connection } from '../net/connection.ts';
import { h, icon } from './dom.ts';
import { ICONS } from './icons.ts';
import { peopleWidget } from './people.ts';
import { statusIndicator } from './status.ts';
import type { Toasts } from './toast.ts';

export function topbar(
  state: BoardState,
  conn: Connection,
  toasts: Toasts,
  onEditSelf: () => void,
  extra?: HTMLElement,
): HTMLElement {
  const share = h(
    'button.btn.share',
    {
      type: 'button',
      title: 'Copy the link to this board',
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(location.href);
          toasts.show('Link copied: share it with your class');
        } catch {
          toasts.show(location.href, 'info', 8000);
        }
      },
    },
    icon(ICONS.link),
    h('span.share-text', {}, 'Share'),
  );
  return h(
    'header.topbar',
    {},
    h(
      'a.brand',
      { href: '/', title: 'Inkboard home' },
      h('span.brand-mark'),
      h('span.brand-name', {}, 'Inkboard'),
    ),
    h('div.topbar-spacer'),
    statusIndicator(conn, state),
    extra ?? null,
    share,
    peopleWidget(state, onEditSelf),
  );
}
