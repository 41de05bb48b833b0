/** Small transient messages at the bottom of the screen (coded errors, confirmations). */
import type { ProtocolError } from '../../../shared/protocol.ts';
import { h } from './dom.ts';

const FRIENDLY: Partial<Record<ProtocolError['code'], string>> = {
  NOTHING_TO_UNDO: 'Nothing to undo',
  NOTHING_TO_REDO: 'Nothing to redo',
  RATE_LIMITED: 'Slow down a little: too many messages',
  LIMIT_REACHED: 'This board is full',
  FORBIDDEN: 'Not allowed',
  DEGRADED: 'The server is having trouble; your ink will be saved when it recovers',
  TOO_LARGE: 'That was too large to send',
  BUSY: 'The server is busy; try again in a moment',
  LOCKED: 'Locked by the teacher: you cannot write now',
  READ_ONLY: 'Read-only: you cannot write now',
  REMOVED: 'The teacher removed you from this board',
};

export class Toasts {
  private readonly root: HTMLElement;

  constructor(parent: HTMLElement) {
    this.root = h('div.toasts', { role: 'status', 'aria-live': 'polite' });
    parent.append(this.root);
  }

  show(text: string, kind: 'info' | 'error' = 'info', ms = 3500): void {
    // Do not stack the same message twice.
    for (const el of this.root.children) if (el.textContent === text) el.remove();
    const el = h(`div.toast.${kind}`, {}, text);
    this.root.append(el);
    while (this.root.children.length > 3) this.root.firstElementChild?.remove();
    setTimeout(() => {
      el.classList.add('leaving');
      setTimeout(() => el.remove(), 250);
    }, ms);
  }

  /** Shows a coded protocol error, in words where we have them. */
  error(err: ProtocolError): void {
    const friendly = FRIENDLY[err.code];
    const info = err.code === 'NOTHING_TO_UNDO' || err.code === 'NOTHING_TO_REDO';
    this.show(friendly ?? `${err.message} (${err.code})`, info ? 'info' : 'error');
  }
}
