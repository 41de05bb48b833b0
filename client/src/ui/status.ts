/** The connection indicator: connected, connecting/reconnecting, degraded (from `status`), offline. */
import type { BoardState } from '../board-state.ts';
import type { Connection, ConnectionStatus } from '../net/connection.ts';
import { h } from './dom.ts';

const TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  failed: 'Disconnected',
};

export function statusIndicator(conn: Connection, state: BoardState): HTMLElement {
  const dot = h('span.status-dot');
  const text = h('span.status-text');
  const el = h('div.status', { 'data-testid': 'status' }, dot, text);
  const render = (): void => {
    let kind: string = conn.status;
    let label = TEXT[conn.status];
    if (conn.status === 'connected' && state.degraded) {
      kind = 'degraded';
      label = 'Degraded';
    }
    const pending = conn.outbox.size;
    el.dataset.state = kind;
    // Strokes drawn while the server is away are kept and sent later: say so.
    text.textContent = pending && kind !== 'connected' ? `${label} · ${pending} unsaved` : label;
    el.title =
      kind === 'degraded'
        ? `The server reports a problem${state.degradedReason ? `: ${state.degradedReason}` : ''}. Your ink is kept and sent when it recovers.`
        : pending
          ? `${label}. ${pending} stroke${pending === 1 ? '' : 's'} waiting to be saved.`
          : label;
  };
  conn.events.on('status', render);
  state.events.on('degraded', render);
  setInterval(render, 1000);
  render();
  return el;
}
