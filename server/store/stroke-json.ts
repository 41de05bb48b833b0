/**
 * A stroke's JSON, encoded once. Strokes never change once committed (actions replace, never edit them),
 * so the Redis store remembers the JSON each stroke object was read from or first written as: an undo of a
 * clear puts back thousands of points already encoded, and a removal's history entry is built from its
 * strokes' JSON by concatenation instead of encoding every point again.
 */
import type { BoardStroke } from '../../shared/protocol.ts';
import type { HistoryEntry } from './board-store.ts';

const known = new WeakMap<BoardStroke, string>();

/** Parses a stored stroke and remembers its JSON. */
export function parseStroke(json: string): BoardStroke {
  const s = JSON.parse(json) as BoardStroke;
  known.set(s, json);
  return s;
}

export function strokeJson(s: BoardStroke): string {
  let json = known.get(s);
  if (json === undefined) {
    json = JSON.stringify(s);
    known.set(s, json);
  }
  return json;
}

/** `JSON.stringify(e)`, with the strokes' remembered JSON. */
export function entryJson(e: HistoryEntry): string {
  const head = `{"op":${JSON.stringify(e.op)},"ids":${JSON.stringify(e.ids)}`;
  if (!e.strokes) return `${head}}`;
  return `${head},"strokes":[${e.strokes.map(strokeJson).join(',')}]}`;
}

/** JSON characters parsed per turn of the event loop by `parseStrokesPaced`. */
const PARSE_CHARS_PER_TURN = 256 * 1024;

/**
 * Parses many stored strokes (a snapshot of a full board holds up to 250,000 points: about 100 ms of
 * JSON.parse in one go), yielding to the event loop after every `PARSE_CHARS_PER_TURN` characters so other
 * boards' commits and labels are not held up meanwhile.
 */
export async function parseStrokesPaced(jsons: readonly string[]): Promise<BoardStroke[]> {
  const out: BoardStroke[] = [];
  let chars = 0;
  for (const json of jsons) {
    if (chars > PARSE_CHARS_PER_TURN) {
      chars = 0;
      await new Promise((r) => setImmediate(r));
    }
    out.push(JSON.parse(json) as BoardStroke);
    chars += json.length;
  }
  return out;
}
