/**
 * Recognise ink from JSON lines:
 *
 *   npm run --silent recognize -- FILE.jsonl      (FILE "-" or no FILE: read stdin)
 *
 * Every input line holds `{"strokes": [[[x, y], ...], ...]}` (any units, y downward; other fields are
 * ignored). For every line, in order, one JSON line goes to stdout: the RecognitionResult
 * `{"text", "digits": [{"label", "confidence", "alternatives", "bbox", "strokes"}]}`, or for a bad line
 * `{"error": {"code", "message"}}` (codes as POST /api/v1/recognize: BAD_MESSAGE, TOO_LARGE, INTERNAL).
 * Lines that arrive together are recognised in one batch. Logs go to stderr; stdout holds only JSON.
 *
 * Exit status: 0 when every line was recognised; 2 when every line was answered but some held an error;
 * 1 when the run itself failed (unreadable file, no model), in which case stderr says why.
 * Options: --model NAME|DIR (default INKBOARD_MODEL, else models/best-reject, best, seed); --trajectory
 * NAME|DIR|off, the online model read as a second opinion on the pen path (default INKBOARD_TRAJECTORY_MODEL,
 * else models/trajectory); the backend is INKBOARD_BACKEND's, else onnxruntime-node (workers/inference/).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { protocolError } from '../shared/protocol.ts';
import type { RecognitionResult } from '../shared/ink/types.ts';
import { parseLine, type ParsedLine } from './recognition/parse-line.ts';
import { Recognizer } from './inference/recognizer.ts';

/** Most lines recognised in one batch. */
const MAX_BATCH_LINES = 256;

function fail(message: string): never {
  process.stderr.write(`recognize: ${message}\n`);
  process.exit(1);
}

/** Rounds confidences to 6 decimals to keep lines short. */
function compact(r: RecognitionResult): RecognitionResult {
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    text: r.text,
    digits: r.digits.map((d) => ({
      label: d.label,
      confidence: round(d.confidence),
      alternatives: d.alternatives.map((a) => ({ label: a.label, confidence: round(a.confidence) })),
      bbox: d.bbox,
      strokes: d.strokes,
    })),
  };
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: { model: { type: 'string' }, trajectory: { type: 'string' } },
    });
  } catch (err) {
    fail(`${(err as Error).message}\nusage: recognize [FILE.jsonl|-] [--model NAME] [--trajectory NAME|off]`);
  }
  const file = args.positionals[0] ?? '-';
  const input = file === '-' ? process.stdin : createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    if (file === '-') resolve();
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  await opened.catch((err: Error) => fail(`cannot read ${file}: ${err.message}`));

  const { model, trajectory } = args.values;
  const recognizer = await Recognizer.load({
    model,
    trajectoryModel: trajectory === 'off' ? false : trajectory,
  }).catch((err: Error) => fail(err.message));
  const pending: ParsedLine[] = [];
  let bad = 0;
  let wake: (() => void) | undefined;
  let ended = false;

  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    pending.push(parseLine(line));
    wake?.();
  });
  lines.on('close', () => {
    ended = true;
    wake?.();
  });
  input.on('error', (err: Error) => fail(`reading ${file}: ${err.message}`));

  // A reader that goes away (e.g. `| head`) ends the run quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  const write = (obj: unknown): boolean => process.stdout.write(`${JSON.stringify(obj)}\n`);
  for (;;) {
    if (pending.length === 0) {
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    const batch = pending.splice(0, MAX_BATCH_LINES);
    const good = batch.flatMap((p) => (p.ok ? [p.strokes] : []));
    let results: RecognitionResult[] = [];
    let batchError: string | undefined;
    try {
      results = await recognizer.recognize(good);
    } catch (err) {
      batchError = (err as Error).message;
    }
    let k = 0;
    for (const p of batch) {
      let ok: boolean;
      if (!p.ok) {
        bad++;
        ok = write({ error: p.error });
      } else if (batchError !== undefined) {
        bad++;
        k++;
        ok = write({ error: protocolError('INTERNAL', batchError) });
      } else {
        ok = write(compact(results[k++] as RecognitionResult));
      }
      if (!ok) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
    }
  }
  process.exitCode = bad > 0 ? 2 : 0;
}

await main();
