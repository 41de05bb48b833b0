import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPenDigits } from '../../models/lib/pen-data.ts';
import { MAX_LINE_CHARS, parseLine } from '../../workers/recognition/parse-line.ts';
import { createEngine } from '../../workers/inference/engine.ts';
import { MODELS_ROOT } from '../../models/lib/model-dir.ts';

const model = ['best', 'seed'].find((m) => existsSync(path.join(MODELS_ROOT, m, 'model.json')));

describe('parseLine', () => {
  it('accepts strokes and ignores other fields', () => {
    expect(parseLine('{"strokes": [[[1, 2], [3, 4]]], "id": "x"}')).toEqual({
      ok: true,
      strokes: [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    });
    expect(parseLine('{"strokes": []}')).toEqual({ ok: true, strokes: [] });
  });

  it('names the problem with a protocol error code', () => {
    const code = (line: string) => {
      const p = parseLine(line);
      return p.ok ? 'ok' : p.error.code;
    };
    expect(code('')).toBe('BAD_MESSAGE');
    expect(code('[1,2]')).toBe('BAD_MESSAGE');
    expect(code('{"strokes": [[[1]]]}')).toBe('BAD_MESSAGE');
    expect(code('{"strokes": [[[1, null]]]}')).toBe('BAD_MESSAGE');
    expect(code('{"strokes": [[[1e9, 0]]]}')).toBe('TOO_LARGE');
    expect(code(' '.repeat(MAX_LINE_CHARS + 1))).toBe('TOO_LARGE');
    const bad = parseLine('{"strokes": [[[0, 0]], [[0, "y"]]]}');
    expect(bad.ok ? '' : bad.error.message).toMatch(/strokes\.1\.0\.1/);
  });
});

describe.skipIf(!model)('engine for workers/pool.ts', () => {
  it('classifies batches and recognises through the given classify', async () => {
    const engine = await createEngine({ modelDir: model });
    expect(engine.backend).toMatch(/^onnx/);
    const digits = readPenDigits()
      .filter((d) => d.writer > 20)
      .slice(0, 40);
    let calls = 0;
    const results = await engine.recognize(
      digits.map((d) => d.strokes),
      (images) => {
        calls++;
        return engine.classifyBatch(images);
      },
    );
    expect(calls).toBe(1);
    const ok = results.filter((r, i) => r.text === String(digits[i]!.label)).length;
    expect(ok).toBeGreaterThanOrEqual(34);
  });
});
