/** Keyboard shortcuts: tools, undo/redo, zoom, fit, and space held for panning. */
import type { ToolName } from './toolbar.ts';

export interface KeyActions {
  setTool(tool: ToolName): void;
  undo(): void;
  redo(): void;
  zoomIn(): void;
  zoomOut(): void;
  zoomReset(): void;
  fit(): void;
  /** Space pressed (true) or released (false). */
  space(held: boolean): void;
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

export function bindKeyboard(actions: KeyActions): void {
  window.addEventListener('keydown', (e) => {
    if (typing(e.target)) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === 'z') {
      e.preventDefault();
      if (e.shiftKey) actions.redo();
      else actions.undo();
      return;
    }
    if (mod && key === 'y') {
      e.preventDefault();
      actions.redo();
      return;
    }
    if (mod && (key === '=' || key === '+' || key === '-' || key === '0')) {
      // Keep the browser's page zoom out of the way: zoom the board instead.
      e.preventDefault();
    }
    if (e.altKey) return;
    if (key === ' ') {
      e.preventDefault();
      if (!e.repeat) actions.space(true);
      return;
    }
    if (key === '+' || key === '=') actions.zoomIn();
    else if (key === '-' || key === '_') actions.zoomOut();
    else if (key === '0' && !e.shiftKey) actions.zoomReset();
    else if (e.shiftKey && (key === '!' || e.code === 'Digit1')) actions.fit();
    else if (mod) return;
    else if (key === 'p' || key === 'b') actions.setTool('pen');
    else if (key === 'e') actions.setTool('eraser');
    else if (key === 'h') actions.setTool('hand');
  });
  window.addEventListener('keyup', (e) => {
    if (e.key !== ' ') return;
    // Keep space from also "clicking" a focused toolbar button.
    if (!typing(e.target)) e.preventDefault();
    actions.space(false);
  });
  window.addEventListener('blur', () => actions.space(false));
}
