/**
 * Who this browser is, remembered in localStorage: a secret user key (sent with join; the server
 * derives the public user id from it), a display name, a colour, and the owner keys of boards created here.
 */
import { PERSON_COLORS } from './palette.ts';
import { hashString, randomId } from './ids.ts';

const KEY_USER = 'inkboard.userKey';
const KEY_NAME = 'inkboard.name';
const KEY_COLOR = 'inkboard.color';
const KEY_OWNER_PREFIX = 'inkboard.ownerKey.';
const KEY_RECENT = 'inkboard.recentBoards';

const USER_KEY_RE = /^[A-Za-z0-9_-]{16,128}$/;
const COLOR_RE = /^#[0-9a-fA-F]{6}$/;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or storage full: the value lives for this page only.
  }
}

/** The secret user key, created on first use (24 url-safe characters). */
export function userKey(): string {
  const existing = read(KEY_USER);
  if (existing && USER_KEY_RE.test(existing)) return existing;
  const key = randomId(24);
  write(KEY_USER, key);
  return key;
}

/** The remembered display name, or null before the first visit's prompt. */
export function savedName(): string | null {
  const n = read(KEY_NAME)?.trim();
  return n ? n : null;
}

export function saveName(name: string): void {
  write(KEY_NAME, name.trim());
}

/** A default colour derived from the user key, so each person gets a stable, distinct colour. */
export function defaultColor(key = userKey()): string {
  return PERSON_COLORS[hashString(key) % PERSON_COLORS.length] ?? PERSON_COLORS[0];
}

/** The person's colour: the one they picked, else the default derived from their key. */
export function savedColor(): string {
  const c = read(KEY_COLOR);
  return c && COLOR_RE.test(c) ? c : defaultColor();
}

export function saveColor(color: string): void {
  if (COLOR_RE.test(color)) write(KEY_COLOR, color);
}

/** The owner key of a board created in this browser. */
export function ownerKeyFor(boardId: string): string | undefined {
  return read(KEY_OWNER_PREFIX + boardId) ?? undefined;
}

export function saveOwnerKey(boardId: string, ownerKey: string): void {
  write(KEY_OWNER_PREFIX + boardId, ownerKey);
}

export interface RecentBoard {
  boardId: string;
  visitedAt: number;
}

/** Boards visited in this browser, newest first (at most 8). */
export function recentBoards(): RecentBoard[] {
  try {
    const parsed: unknown = JSON.parse(read(KEY_RECENT) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (b): b is RecentBoard =>
        typeof b === 'object' &&
        b !== null &&
        typeof b.boardId === 'string' &&
        typeof b.visitedAt === 'number',
    );
  } catch {
    return [];
  }
}

export function rememberBoard(boardId: string): void {
  const list = recentBoards().filter((b) => b.boardId !== boardId);
  list.unshift({ boardId, visitedAt: Date.now() });
  write(KEY_RECENT, JSON.stringify(list.slice(0, 8)));
}
