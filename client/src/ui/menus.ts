/**
 * Open menus and popovers: a press outside closes them, and a press on the board that only closes a menu
 * must not also draw a dot there (the pointer router asks `closeMenus()` first).
 */
const menus = new Set<HTMLElement>();

/** Registers a menu element (hidden with the `hidden` attribute when closed). */
export function registerMenu(el: HTMLElement): void {
  menus.add(el);
}

/** Closes every open menu; true if one was open. */
export function closeMenus(): boolean {
  let closed = false;
  for (const el of menus) {
    if (!el.isConnected || el.hidden) continue;
    el.hidden = true;
    closed = true;
  }
  return closed;
}
