/** The Export button: the board as PNG (as drawn, labels included) or SVG (ink and labels). */
import { h } from './dom.ts';
import { registerMenu } from './menus.ts';

export interface ExportActions {
  png(): Promise<void> | void;
  svg(): void;
}

export function createExportMenu(actions: ExportActions): HTMLElement {
  const item = (label: string, testid: string, run: () => unknown) =>
    h(
      'button.menu-item',
      {
        type: 'button',
        'data-testid': testid,
        onclick: () => {
          menu.hidden = true;
          void run();
        },
      },
      label,
    );
  const menu: HTMLElement = h('div.menu.export-menu', { hidden: true });
  menu.append(item('PNG image', 'export-png', actions.png), item('SVG drawing', 'export-svg', actions.svg));
  registerMenu(menu);
  const button = h(
    'button.btn.export',
    {
      type: 'button',
      title: 'Export the board',
      'data-testid': 'export',
      onclick: (e: Event) => {
        e.stopPropagation();
        menu.hidden = !menu.hidden;
      },
    },
    'Export',
  );
  const el = h('div.tb-wrap.export-wrap', {}, button, menu);
  document.addEventListener('pointerdown', (e) => {
    if (!el.contains(e.target as Node)) menu.hidden = true;
  });
  return el;
}
