import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composeNumbers, readPenDigits } from '../../models/lib/pen-data.ts';
import { MODELS_ROOT } from '../../models/lib/model-dir.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'workers/recognize-cli.ts');
const model = ['best', 'seed'].find((m) => existsSync(path.join(MODELS_ROOT, m, 'model.json')));

interface Run {
  code: number | null;
  lines: unknown[];
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, INKBOARD_MODEL: model ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown);
      resolve({ code, lines, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

const tmp = mkdtempSync(path.join(tmpdir(), 'inkboard-cli-'));
const numbers = composeNumbers(
  readPenDigits().filter((d) => d.writer > 20),
  { count: 12, seed: 6 },
);

describe.skipIf(!model)('recognize CLI (child process)', { timeout: 90_000 }, () => {
  it('answers every line in order with only JSON on stdout; bad lines get coded errors; exit 2', async () => {
    const file = path.join(tmp, 'mixed.jsonl');
    const good = numbers.slice(0, 4).map((n) => JSON.stringify({ strokes: n.strokes, id: n.text }));
    writeFileSync(
      file,
      [
        good[0],
        'not json',
        good[1],
        '',
        JSON.stringify({ strokes: [[[1, 'x']]] }),
        JSON.stringify({ nope: 1 }),
        JSON.stringify({ strokes: Array.from({ length: 201 }, () => [[0, 0]]) }),
        good[2],
        JSON.stringify({ strokes: [] }),
        good[3],
      ].join('\n') + '\n',
    );
    const r = await run([file]);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(10);
    const codes = r.lines.map((l) => (l as { error?: { code: string } }).error?.code ?? 'ok');
    expect(codes).toEqual([
      'ok',
      'BAD_MESSAGE',
      'ok',
      'BAD_MESSAGE',
      'BAD_MESSAGE',
      'BAD_MESSAGE',
      'TOO_LARGE',
      'ok',
      'ok',
      'ok',
    ]);
    expect(r.lines[8]).toEqual({ text: '', digits: [] });
    const texts = [0, 2, 7, 9].map((i) => (r.lines[i] as { text: string }).text);
    // each number is read as the right number of digits (segmentation), in input order
    expect(texts.map((t) => t.length)).toEqual(numbers.slice(0, 4).map((n) => n.text.length));
    for (const i of [0, 2, 7, 9]) {
      const res = r.lines[i] as {
        digits: {
          label: number;
          confidence: number;
          alternatives: unknown[];
          bbox: number[];
          strokes: number[];
        }[];
      };
      for (const d of res.digits) {
        expect(Object.keys(d).sort()).toEqual(['alternatives', 'bbox', 'confidence', 'label', 'strokes']);
        expect(d.alternatives.length).toBeGreaterThanOrEqual(2);
        expect(d.bbox).toHaveLength(4);
      }
    }
    expect(r.stderr).toMatch(/backend/);
  });

  it('reads stdin with "-" and exits 0 when every line is good', async () => {
    const input = numbers.map((n) => JSON.stringify({ strokes: n.strokes })).join('\n') + '\n';
    const r = await run(['-'], input);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(numbers.length);
    const exact = r.lines.filter((l, i) => (l as { text: string }).text === numbers[i]!.text).length;
    expect(exact).toBeGreaterThanOrEqual(numbers.length / 2);
  });

  it('exits 1 with a message on stderr and nothing on stdout for a missing file', async () => {
    const r = await run([path.join(tmp, 'missing.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cannot read/);
  });
});
