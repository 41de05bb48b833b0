/** The board page (/b/<boardId>): wires state, connection, canvas views, tools and UI together. */
import Konva from 'konva';
import type { ProtocolError } from '../../shared/protocol.ts';
import { BoardState, type Point } from './board-state.ts';
import type { RegionLabel } from '../../shared/protocol.ts';
import { boardsSvg, download, stagePng } from './export.ts';
import { classPanel } from './ui/class-panel.ts';
import { askCorrection } from './ui/correction-dialog.ts';
import { createExportMenu } from './ui/export-menu.ts';
import { closeMenus } from './ui/menus.ts';
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
  // The teacher link (`#teacher=<key>`) works on any device: keep the key here, then drop it from the URL.
  const teacherKey = /^#teacher=([A-Za-z0-9_-]{16,128})$/.exec(location.hash)?.[1];
  if (teacherKey) {
    identity.saveOwnerKey(boardId, teacherKey);
    history.replaceState(null, '', location.pathname + location.search);
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
  const viewer = !ownerKey && new URLSearchParams(location.search).has('view');
  const conn = new Connection(state, {
    userKey: identity.userKey(),
    name,
    color: personColor,
    ...(ownerKey ? { ownerKey } : {}),
    ...(viewer ? { viewer } : {}),
  });

  // ------------------------------------------------------------------ layout
  const host = h('div.canvas-host', { 'data-testid': 'board' });
  const page = h('div.board-page', {}, host);
  app.replaceChildren(page);
  const toasts = new Toasts(page);

  const stage = new Konva.Stage({ container: host, width: host.clientWidth, height: host.clientHeight });
  const inkLayer = new Konva.Layer({ listening: false });
  const labelLayer = new Konva.Layer({ listening: false });
  // A student's own answer space sits over the teacher's board (which reads like a worksheet under it).
  const spaceInkLayer = new Konva.Layer({ listening: false });
  const spaceLabelLayer = new Konva.Layer({ listening: false });
  const draftLayer = new Konva.Layer({ listening: false });
  // Ink and labels change now and then; ink in progress and cursors change every frame in a busy room,
  // so they share one layer of their own and only that one repaints at that rate.
  stage.add(inkLayer, labelLayer, spaceInkLayer, spaceLabelLayer, draftLayer);
  const viewport = new Viewport(stage);
  const strokesView = new StrokesView(inkLayer, draftLayer, state);
  const labelsView = new LabelsView(labelLayer, state, viewport);
  new CursorsView(draftLayer, state, viewport);
  /** The student's own space on the canvas, once the join says which it is. */
  let mySpace: { state: BoardState; strokes: StrokesView; labels: LabelsView } | undefined;
  const showMySpace = (): void => {
    const id = state.mySpaceId;
    if (!id || mySpace?.state.boardId === id) return;
    const spaceState = state.space(id);
    mySpace = {
      state: spaceState,
      strokes: new StrokesView(spaceInkLayer, draftLayer, spaceState),
      labels: new LabelsView(spaceLabelLayer, spaceState, viewport),
    };
    applyClass();
  };
  /** Where this page's ink and erasing go now (the student's space, or the board). */
  const inkTarget = () =>
    mySpace && state.inkState === mySpace.state
      ? { state: mySpace.state, strokes: mySpace.strokes }
      : { state, strokes: strokesView };

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
  const eraser = new EraserTool(inkTarget, conn, draftLayer, viewport, errorToast);
  const tools: Record<ToolName, Tool | null> = { pen, eraser, hand: null };
  const sendCursor = throttle(
    (p: Point | null) => conn.send({ type: 'cursor', cursor: p }),
    1000 / CURSOR_HZ,
  );
  const router = new PointerRouter(host, viewport, {
    tool: () => tools[toolName],
    spaceHeld: () => spaceHeld,
    onCursor: (p) => sendCursor(p && [Math.round(p[0] * 10) / 10, Math.round(p[1] * 10) / 10]),
    takePress: (screen) => {
      // A press that only closes a menu draws nothing.
      if (closeMenus()) return true;
      const hit = labelHit(screen);
      if (!hit) return false;
      void correctLabel(hit.on, hit.label);
      return true;
    },
  });

  // ------------------------------------------------------------------ labels: tap to correct
  /** The label under a press, on a board whose labels this person may correct. */
  const labelHit = (screen: Point): { on: BoardState; label: RegionLabel } | undefined => {
    if (toolName !== 'pen' && toolName !== 'hand') return undefined;
    const mine = mySpace?.labels.labelAt(screen);
    if (mine && mySpace) return { on: mySpace.state, label: mine };
    const onBoard = labelsView.labelAt(screen);
    if (!onBoard) return undefined;
    // The teacher corrects anything; others the board they write on.
    if (state.isOwner || (inkTarget().state === state && !state.writeBlocked))
      return { on: state, label: onBoard };
    return undefined;
  };
  const correctLabel = async (on: BoardState, label: RegionLabel): Promise<void> => {
    const current = on.corrections.get(label.regionId);
    const text = current && current.version === label.version ? current.text : label.text;
    const alts = label.digits.length === 1 ? label.digits[0]!.alternatives.map((a) => String(a.label)) : [];
    const fixed = await askCorrection(text, alts);
    if (fixed === null) return;
    void requestAndReport({
      type: 'label.correct',
      boardId: on.boardId,
      regionId: label.regionId,
      version: label.version,
      text: fixed,
    });
  };

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
  const exportMenu = createExportMenu({
    png: async () => download(`inkboard-${boardId.slice(0, 8)}.png`, await stagePng(stage)),
    svg: () =>
      download(
        `inkboard-${boardId.slice(0, 8)}.svg`,
        new Blob([boardsSvg(mySpace ? [state, mySpace.state] : [state])], { type: 'image/svg+xml' }),
      ),
  });
  const banner = h('div.class-banner', { 'data-testid': 'class-banner', hidden: true, role: 'status' });
  page.append(
    topbar(state, conn, toasts, () => void editSelf(), exportMenu),
    toolbar.el,
    banner,
  );
  renderToolbar();

  // ------------------------------------------------------------------ classroom
  let panel: HTMLElement | undefined;
  const applyClass = (): void => {
    const c = state.classroom;
    if (state.isOwner && c && (c.classroom || c.students.length) && !panel) {
      panel = classPanel({ state, request: (m) => conn.request(m), toasts, ownerKey });
      page.append(panel);
      page.classList.add('with-class-panel');
    }
    const blocked = state.writeBlocked;
    const me = state.you?.userId;
    const msgs: string[] = [];
    if (blocked) msgs.push(blocked);
    else if (c?.classroom && me && c.pen === me)
      msgs.push('You have the pen: you are writing on the teacher’s board');
    else if (c?.classroom && state.you?.role === 'member')
      msgs.push('You write in your own space: only you and the teacher see it');
    if (state.you?.role === 'member' && c?.answersHidden) msgs.push('Answers are hidden by the teacher');
    banner.textContent = msgs.join(' · ');
    banner.hidden = msgs.length === 0;
    banner.classList.toggle('blocked', !!blocked);
    mySpace?.labels.setVisible(!(state.you?.role === 'member' && c?.answersHidden));
  };
  state.events.on('class', applyClass);
  state.events.on('peers', applyClass);
  state.events.on('spaces', showMySpace);
  state.events.on('notice', (n) => {
    if (n.kind === 'removed') {
      conn.close();
      showFatal(app, { code: 'REMOVED', message: n.text });
    } else toasts.show(n.text, 'info', 6000);
  });
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
    showMySpace();
    applyClass();
    // The server may have given us another colour (someone in the room had ours): adopt it.
    const given = state.you?.color;
    if (given && given !== personColor) {
      if (color === personColor) color = given;
      personColor = given;
      renderToolbar();
    }
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
  exposeTestHook(state, conn, viewport, () => [
    ...labelsView.boxes().map((b) => ({ ...b, boardId: state.boardId })),
    ...(mySpace?.labels.boxes().map((b) => ({ ...b, boardId: mySpace!.state.boardId })) ?? []),
  ]);
}

function showFatal(app: HTMLElement, err: ProtocolError): void {
  const message =
    err.code === 'BOARD_NOT_FOUND'
      ? 'This board does not exist. Check the link you were given.'
      : err.code === 'PROTOCOL_VERSION'
        ? 'This page is out of date. Reload to get the new version.'
        : err.code === 'FORBIDDEN'
          ? 'You do not have access to this board.'
          : err.code === 'REMOVED'
            ? 'The teacher removed you from this board. Ask them to let you back in, then reload.'
            : err.message;
  const card = h(
    'div.fatal-card',
    { role: 'alert', 'data-testid': 'fatal' },
    h('div.brand-mark.large'),
    h(
      'h1',
      {},
      err.code === 'BOARD_NOT_FOUND'
        ? 'Board not found'
        : err.code === 'REMOVED'
          ? 'Removed from the board'
          : 'Cannot open this board',
    ),
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
