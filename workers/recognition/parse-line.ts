/** One line of the recognize CLI's input: JSON holding `strokes`, validated with the HTTP API's schema. */
import { LIMITS, RecognizeRequestSchema, protocolError, type ProtocolError } from '../../shared/protocol.ts';
import type { Stroke } from '../../shared/ink/types.ts';

/** Longest input line accepted, in characters. */
export const MAX_LINE_CHARS = 4 * 1024 * 1024;

/** A parsed line: its strokes, or the error to print for it. */
export type ParsedLine = { ok: true; strokes: Stroke[] } | { ok: false; error: ProtocolError };

/**
 * Parses one input line. Errors use the protocol's codes: `BAD_MESSAGE` (blank line, not JSON, not an
 * object with `strokes` as arrays of [x, y] finite numbers), `TOO_LARGE` (over the limits of
 * `POST /api/v1/recognize`: LIMITS.maxStrokesPerRecognize strokes, LIMITS.maxPointsPerStroke points each,
 * |coordinate| <= LIMITS.maxCoordinate, or a line over MAX_LINE_CHARS).
 */
export function parseLine(line: string): ParsedLine {
  if (line.length > MAX_LINE_CHARS) {
    return {
      ok: false,
      error: protocolError('TOO_LARGE', `line has ${line.length} characters; at most ${MAX_LINE_CHARS}`),
    };
  }
  if (!line.trim())
    return { ok: false, error: protocolError('BAD_MESSAGE', 'blank line: expected {"strokes": [...]}') };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, error: protocolError('BAD_MESSAGE', `not JSON: ${(err as Error).message}`) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('strokes' in value)) {
    return {
      ok: false,
      error: protocolError('BAD_MESSAGE', 'expected a JSON object with "strokes": [[[x, y], ...], ...]'),
    };
  }
  const res = RecognizeRequestSchema.safeParse(value);
  if (res.success) return { ok: true, strokes: res.data.strokes };
  const issue = res.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  const tooBig = res.error.issues.some((i) => i.code === 'too_big');
  const hint = tooBig
    ? ` (limits: ${LIMITS.maxStrokesPerRecognize} strokes, ${LIMITS.maxPointsPerStroke} points a stroke, |coordinate| <= ${LIMITS.maxCoordinate})`
    : '';
  return {
    ok: false,
    error: protocolError(
      tooBig ? 'TOO_LARGE' : 'BAD_MESSAGE',
      `${where}${issue?.message ?? 'invalid strokes'}${hint}`,
    ),
  };
}
