/**
 * The floating toolbar: tools (pen, eraser, hand), ink colour and width, undo/redo, clear, zoom.
 * On narrow screens colours and widths fold into one popover button so it fits a phone.
 */
import { INK_COLORS, PEN_WIDTHS } from '../palette.ts';
import { h, icon } from './dom.ts';
import { ICONS } from './icons.ts';
import { registerMenu } from './menus.ts';

export type ToolName = 'pen' | 'eraser' | 'hand';

export interface ToolbarModel {
  tool: ToolName;
  color: string;
  width: number;
  /** The person's own colour, offered first. */
  personColor: string;
  isOwner: boolean;
  zoom: number;
}

export interface ToolbarActions {
  setTool(tool: ToolName): void;
  setColor(color: string): void;
  setWidth(width: number): void;
  undo(): void;
  redo(): void;
  clearMine(): void;
  clearAll(): void;
  zoomIn(): void;
  zoomOut(): void;
  zoomReset(): void;
  fit(): void;
}

export interface Toolbar {
  el: HTMLElement;
  render(model: ToolbarModel): void;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = isMac ? '⌘' : 'Ctrl+';

export function createToolbar(actions: ToolbarActions): Toolbar {
  let model: ToolbarModel | null = null;
  const toolButton = (tool: ToolName, title: string, paths: string): HTMLButtonElement =>
    h(
      'button.tb-btn',
      { type: 'button', title, 'aria-label': title, 'data-tool': tool, onclick: () => actions.setTool(tool) },
      icon(paths),
    );
  const pen = toolButton('pen', 'Pen (P)', ICONS.pen);
  const eraser = toolButton('eraser', 'Eraser (E)', ICONS.eraser);
  const hand = toolButton('hand', 'Hand: pan the board (H, or hold Space)', ICONS.hand);

  const inlineStyle = h('div.tb-group.tb-style-inline');
  const popoverStyle = h('div.style-popover', { hidden: true });
  const styleDot = h('span.style-dot');
  const styleButton = h(
    'button.tb-btn.tb-style-button',
    {
      type: 'button',
      title: 'Colour and width',
      'aria-label': 'Colour and width',
      onclick: (e: Event) => {
        e.stopPropagation();
        popoverStyle.hidden = !popoverStyle.hidden;
        clearMenu.hidden = true;
      },
    },
    styleDot,
  );

  const undo = h(
    'button.tb-btn',
    { type: 'button', title: `Undo (${MOD}Z)`, 'aria-label': 'Undo', onclick: () => actions.undo() },
    icon(ICONS.undo),
  );
  const redo = h(
    'button.tb-btn',
    { type: 'button', title: `Redo (${MOD}Shift+Z)`, 'aria-label': 'Redo', onclick: () => actions.redo() },
    icon(ICONS.redo),
  );

  let confirmAll = false;
  const clearAll = h('button.menu-item.danger', { type: 'button' }, 'Clear whole board');
  const clearMenu = h(
    'div.menu.clear-menu',
    { hidden: true },
    h(
      'button.menu-item',
      {
        type: 'button',
        onclick: () => {
          clearMenu.hidden = true;
          actions.clearMine();
        },
      },
      'Clear my ink',
    ),
    clearAll,
  );
  clearAll.addEventListener('click', () => {
    if (!confirmAll) {
      confirmAll = true;
      clearAll.textContent = 'Click again to clear everyone’s ink';
      return;
    }
    clearMenu.hidden = true;
    actions.clearAll();
  });
  const clear = h(
    'button.tb-btn',
    {
      type: 'button',
      title: 'Clear',
      'aria-label': 'Clear',
      onclick: (e: Event) => {
        e.stopPropagation();
        confirmAll = false;
        clearAll.textContent = 'Clear whole board';
        clearMenu.hidden = !clearMenu.hidden;
        popoverStyle.hidden = true;
      },
    },
    icon(ICONS.trash),
  );

  const zoomLabel = h(
    'button.tb-zoom',
    { type: 'button', title: 'Reset zoom to 100 % (0)', onclick: () => actions.zoomReset() },
    '100%',
  );
  const zoomOut = h(
    'button.tb-btn.tb-zoom-step',
    { type: 'button', title: 'Zoom out (-)', 'aria-label': 'Zoom out', onclick: () => actions.zoomOut() },
    icon(ICONS.zoomOut),
  );
  const zoomIn = h(
    'button.tb-btn.tb-zoom-step',
    { type: 'button', title: 'Zoom in (+)', 'aria-label': 'Zoom in', onclick: () => actions.zoomIn() },
    icon(ICONS.zoomIn),
  );
  const fit = h(
    'button.tb-btn',
    {
      type: 'button',
      title: 'Fit to content (Shift+1)',
      'aria-label': 'Fit to content',
      onclick: () => actions.fit(),
    },
    icon(ICONS.fit),
  );

  const el = h(
    'div.toolbar',
    { role: 'toolbar', 'aria-label': 'Drawing tools', 'data-testid': 'toolbar' },
    h('div.tb-group', {}, pen, eraser, hand),
    h('div.tb-sep'),
    inlineStyle,
    h('div.tb-wrap.tb-style-wrap', {}, styleButton, popoverStyle),
    h('div.tb-sep.tb-style-sep'),
    h('div.tb-group', {}, undo, redo, h('div.tb-wrap', {}, clear, clearMenu)),
    h('div.tb-sep'),
    h('div.tb-group', {}, zoomOut, zoomLabel, zoomIn, fit),
  );
  registerMenu(clearMenu);
  registerMenu(popoverStyle);
  document.addEventListener('pointerdown', (e) => {
    if (!el.contains(e.target as Node)) {
      clearMenu.hidden = true;
      popoverStyle.hidden = true;
    }
  });

  const styleContent = (m: ToolbarModel): Node[] => {
    const colors = [
      m.personColor,
      ...INK_COLORS.filter((c) => c.toLowerCase() !== m.personColor.toLowerCase()),
    ];
    const swatches = colors.slice(0, 6).map((c, i) =>
      h('button.swatch', {
        type: 'button',
        style: `--swatch:${c}`,
        title: i === 0 ? 'Your colour' : c,
        'aria-label': i === 0 ? 'Your colour' : `Ink ${c}`,
        'aria-pressed': String(m.color.toLowerCase() === c.toLowerCase()),
        class: `swatch${m.color.toLowerCase() === c.toLowerCase() ? ' selected' : ''}`,
        onclick: () => actions.setColor(c),
      }),
    );
    const custom = h('input.swatch-custom', { type: 'color', value: m.color, title: 'Any colour' });
    custom.addEventListener('change', () => actions.setColor(custom.value));
    const widths = PEN_WIDTHS.map((w) =>
      h(
        'button.width',
        {
          type: 'button',
          title: w.label,
          'aria-label': `${w.label} pen`,
          class: `width${m.width === w.width ? ' selected' : ''}`,
          onclick: () => actions.setWidth(w.width),
        },
        h('span.width-dot', {
          style: `width:${w.width + 3}px;height:${w.width + 3}px;background:${m.color}`,
        }),
      ),
    );
    return [h('div.swatch-row', {}, ...swatches, custom), h('div.width-row', {}, ...widths)];
  };

  return {
    el,
    render(m: ToolbarModel): void {
      const prev = model;
      model = m;
      for (const b of [pen, eraser, hand]) {
        b.classList.toggle('active', b.dataset.tool === m.tool);
        b.setAttribute('aria-pressed', String(b.dataset.tool === m.tool));
      }
      clearAll.hidden = !m.isOwner;
      zoomLabel.textContent = `${Math.round(m.zoom * 100)}%`;
      styleDot.style.background = m.color;
      if (!prev || prev.color !== m.color || prev.width !== m.width || prev.personColor !== m.personColor) {
        inlineStyle.replaceChildren(...styleContent(m));
        popoverStyle.replaceChildren(...styleContent(m));
      }
    },
  };
}
