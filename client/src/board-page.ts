/** The board page (/b/<boardId>): wires state, connection, canvas views, tools and UI together. */
import Konva from 'konva';
import type { ProtocolError } from '../../shared/protocol.ts';
import { BoardState, type Point } from './board-state.ts';
import * as identity from './identity.ts';
import { Connection } from './net/connection.ts';
import { DEFAULT_WIDTH } from './palette.ts';
import { EraserTool } from './tools/eraser.ts';
import { PenTool } from './tools/pen.ts';
import { PointerRouter } from './tools/pointer-router.ts';
import type { Tool } from './tools/tool.ts';
import { exposeTestHook } from './test-hook.ts';
import { h } from './ui/dom.ts';
import { bindKeyboard } from './ui/keyboard.ts';
import { askProfile } from './ui/profile-dialog.ts';
import { Toasts } from './ui/toast.ts';
import { createToolbar, type ToolName } from './ui/toolbar.ts';
import { topbar } from './ui/topbar.ts';
import { CursorsView } from './view/cursors.ts';
import { bboxOf } from '../../shared/ink/geometry.ts';
import { unionBox } from './view/geometry.ts';
import { LabelsView } from './view/labels.ts';
import { StrokesView } from './view/strokes.ts';
import { Viewport, type Box } from './view/viewport.ts';
import { throttle } from './throttle.ts';

const ZOOM_STEP = 1.25;
/** Cursor updates per second at most. */
const CURSOR_HZ = 20;
const BOARD_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export async function mountBoard(app: HTMLElement, boardId: string): Promise<void> {
  if (!BOARD_ID_RE.test(boardId)) {
    showFatal(app, { code: 'BOARD_NOT_FOUND', message: 'This is not a board link.' });
    return;
  }
  let name = identity.savedName();
  let personColor = identity.savedColor();
  if (!name) {
    const p = await askProfile(
      { name: '', color: personColor },
      { title: 'Join the board', dismissable: false },
    );
    name = p!.name;
    personColor = p!.color;
    identity.saveName(name);
    identity.saveColor(personColor);
  }
  identity.rememberBoard(boardId);

  const state = new BoardState(boardId);
  const ownerKey = identity.ownerKeyFor(boardId);
  const conn = new Connection(state, {
    userKey: identity.userKey(),
    name,
    color: personColor,
    ...(ownerKey ? { ownerKey } : {}),
  });

  // ------------------------------------------------------------------ layout
  const host = h('div.canvas-host', { 'data-testid': 'board' });
  const page = h('div.board-page', {}, host);
  app.replaceChildren(page);
  const toasts = new Toasts(page);

  const stage = new Konva.Stage({ container: host, width: host.clientWidth, height: host.clientHeight });
  const inkLayer = new Konva.Layer({ listening: false });
  const labelLayer = new Konva.Layer({ listening: false });
  const draftLayer = new Konva.Layer({ listening: false });
  // Ink and labels change now and then; ink in progress and cursors change every frame in a busy room,
  // so they share one layer of their own and only that one repaints at that rate.
  stage.add(inkLayer, labelLayer, draftLayer);
  const viewport = new Viewport(stage);
  const strokesView = new StrokesView(inkLayer, draftLayer, state);
  new LabelsView(labelLayer, state);
  new CursorsView(draftLayer, state, viewport);

  // The dotted paper follows pan and zoom.
  const paintPaper = (): void => {
    const size = 24 * viewport.scale;
    const visible = size >= 8;
    host.style.backgroundSize = visible ? `${size}px ${size}px` : '';
    host.style.backgroundPosition = `${viewport.x}px ${viewport.y}px`;
    host.classList.toggle('no-dots', !visible);
  };
  viewport.events.on('change', paintPaper);
  paintPaper();
  new ResizeObserver(() => {
    stage.size({ width: host.clientWidth, height: host.clientHeight });
    stage.batchDraw();
  }).observe(host);

  // ------------------------------------------------------------------ tools
  let toolName: ToolName = 'pen';
  let color = personColor;
  let width = DEFAULT_WIDTH;
  let spaceHeld = false;
  const errorToast = (message: string): void => toasts.show(message, 'error');
  const pen = new PenTool(conn, draftLayer, viewport, { color: () => color, width: () => width });
  const eraser = new EraserTool(state, conn, strokesView, draftLayer, viewport, errorToast);
  const tools: Record<ToolName, Tool | null> = { pen, eraser, hand: null };
  const sendCursor = throttle(
    (p: Point | null) => conn.send({ type: 'cursor', cursor: p }),
    1000 / CURSOR_HZ,
  );
  const router = new PointerRouter(host, viewport, {
    tool: () => tools[toolName],
    spaceHeld: () => spaceHeld,
    onCursor: (p) => sendCursor(p && [Math.round(p[0] * 10) / 10, Math.round(p[1] * 10) / 10]),
  });

  // ------------------------------------------------------------------ actions
  const requestAndReport = async (msg: Parameters<Connection['request']>[0]): Promise<boolean> => {
    const res = await conn.request(msg);
    if (!res.ok) {
      if (res.error.code === 'NOT_JOINED') toasts.show('Offline: try again when reconnected', 'error');
      else toasts.error(res.error);
    }
    return res.ok;
  };
  const contentBox = (): Box | null => {
    let box: Box | null = null;
    for (const s of state.visibleStrokes()) box = unionBox(box, bboxOf(s.points));
    for (const l of state.labels.values())
      box = unionBox(box, [l.bbox[0], l.bbox[1], l.bbox[2] + 80, l.bbox[3]]);
    return box;
  };
  const insets = (): { top: number; bottom: number } => ({ top: 56, bottom: 72 });
  const fit = (): void => {
    const box = contentBox();
    if (box) viewport.fit(box, 40, 2, insets());
    else viewport.set(1, 0, 0);
  };
  const actions = {
    setTool(t: ToolName): void {
      toolName = t;
      router.refreshCursor();
      renderToolbar();
    },
    setColor(c: string): void {
      color = c;
      if (toolName !== 'pen') toolName = 'pen';
      renderToolbar();
    },
    setWidth(w: number): void {
      width = w;
      if (toolName !== 'pen') toolName = 'pen';
      renderToolbar();
    },
    undo: () => void requestAndReport({ type: 'undo' }),
    redo: () => void requestAndReport({ type: 'redo' }),
    clearMine: () => void requestAndReport({ type: 'clear', scope: 'mine' }),
    clearAll: () => void requestAndReport({ type: 'clear', scope: 'all' }),
    zoomIn: () => viewport.zoomCentered(ZOOM_STEP),
    zoomOut: () => viewport.zoomCentered(1 / ZOOM_STEP),
    zoomReset: () => viewport.zoomTo(1),
    fit,
  };

  // ------------------------------------------------------------------ chrome
  const editSelf = async (): Promise<void> => {
    const p = await askProfile(
      { name: state.you?.name ?? name ?? '', color: personColor },
      { title: 'Your name and colour', dismissable: true },
    );
    if (!p) return;
    const oldPersonColor = personColor;
    personColor = p.color;
    name = p.name;
    identity.saveName(p.name);
    identity.saveColor(p.color);
    if (color === oldPersonColor) color = p.color;
    conn.setProfile(p.name, p.color);
    renderToolbar();
  };
  const toolbar = createToolbar(actions);
  const renderToolbar = (): void =>
    toolbar.render({
      tool: toolName,
      color,
      width,
      personColor,
      isOwner: state.isOwner,
      zoom: viewport.scale,
    });
  page.append(
    topbar(state, conn, toasts, () => void editSelf()),
    toolbar.el,
  );
  renderToolbar();
  viewport.events.on('change', renderToolbar);
  state.events.on('peers', renderToolbar);
  router.refreshCursor();

  bindKeyboard({
    ...actions,
    space(held: boolean): void {
      spaceHeld = held;
      router.refreshCursor();
    },
  });

  // ------------------------------------------------------------------ connection events
  conn.events.on('error', (err) => toasts.error(err));
  conn.events.on('fatal', (err) => showFatal(app, err));
  conn.events.on('synced', ({ first }) => {
    if (!first) return;
    // Opening a board with ink on it: show it all if it is not already on screen.
    const box = contentBox();
    const view = viewport.visibleBox();
    if (box && (box[0] < view[0] || box[1] < view[1] || box[2] > view[2] || box[3] > view[3])) {
      viewport.fit(box, 40, 1, insets());
    }
  });
  let lastStatus = conn.status;
  conn.events.on('status', (s) => {
    if (s === 'connected' && lastStatus === 'reconnecting') toasts.show('Reconnected: board is up to date');
    lastStatus = s;
  });
  exposeTestHook(state, conn, viewport);
}

function showFatal(app: HTMLElement, err: ProtocolError): void {
  const message =
    err.code === 'BOARD_NOT_FOUND'
      ? 'This board does not exist. Check the link you were given.'
      : err.code === 'PROTOCOL_VERSION'
        ? 'This page is out of date. Reload to get the new version.'
        : err.code === 'FORBIDDEN'
          ? 'You do not have access to this board.'
          : err.message;
  const card = h(
    'div.fatal-card',
    { role: 'alert', 'data-testid': 'fatal' },
    h('div.brand-mark.large'),
    h('h1', {}, err.code === 'BOARD_NOT_FOUND' ? 'Board not found' : 'Cannot open this board'),
    h('p', {}, message),
    h(
      'div.dialog-actions',
      {},
      h('a.btn', { href: location.pathname, onclick: () => location.reload() }, 'Reload'),
      h('a.btn.primary', { href: '/' }, 'Go to Inkboard'),
    ),
  );
  app.replaceChildren(h('div.fatal', {}, card));
}
