import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, readIdx } from '../../models/lib/idx.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'idx-test-'));

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('idx reader', () => {
  it('reads a uint8 image file it wrote (MNIST layout)', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 11) % 256);
    const bytes = encodeIdx({ type: 'uint8', dims: [2, 3, 4], data });
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 0, 0x08, 3, 0, 0, 0, 2]);
    const t = readIdx(write('images-idx3-ubyte', bytes));
    expect(t.type).toBe('uint8');
    expect(t.dims).toEqual([2, 3, 4]);
    expect(Array.from(t.data)).toEqual(Array.from(data));
  });

  it('decodes big-endian multi-byte types', () => {
    for (const [type, data] of [
      ['int16', Int16Array.from([-2, 300, 7])],
      ['int32', Int32Array.from([-70000, 1, 123456789])],
      ['float32', Float32Array.from([0.5, -1.25, 3])],
      ['float64', Float64Array.from([Math.PI, -1e300, 0])],
      ['int8', Int8Array.from([-128, 5, 127])],
    ] as const) {
      const t = parseIdx(encodeIdx({ type, dims: [3], data }));
      expect(t.type).toBe(type);
      expect(Array.from(t.data)).toEqual(Array.from(data));
    }
    const raw = encodeIdx({ type: 'int16', dims: [1], data: Int16Array.from([258]) });
    expect(Array.from(raw.subarray(8))).toEqual([1, 2]);
  });

  it('rejects a bad magic number', () => {
    const bytes = encodeIdx({ type: 'uint8', dims: [1], data: Uint8Array.from([1]) });
    bytes[0] = 1;
    expect(() => readIdx(write('bad-magic', bytes))).toThrow(/bad magic number/);
  });

  it('rejects an unknown type byte', () => {
    const bytes = encodeIdx({ type: 'uint8', dims: [1], data: Uint8Array.from([1]) });
    bytes[2] = 0x0a;
    expect(() => parseIdx(bytes)).toThrow(/unknown IDX element type 0xa/);
  });

  it('rejects truncated headers and data, and trailing bytes', () => {
    const bytes = encodeIdx({ type: 'int32', dims: [2, 2], data: Int32Array.from([1, 2, 3, 4]) });
    expect(() => parseIdx(bytes.subarray(0, 2))).toThrow(/too short/);
    expect(() => parseIdx(bytes.subarray(0, 10))).toThrow(/truncated header/);
    expect(() => readIdx(write('short', bytes.subarray(0, bytes.length - 1)))).toThrow(
      /truncated: dims \[2, 2\]/,
    );
    const long = new Uint8Array(bytes.length + 3);
    long.set(bytes);
    expect(() => parseIdx(long)).toThrow(/3 unexpected trailing bytes/);
  });

  it('reports missing files with their path', () => {
    expect(() => readIdx(path.join(dir, 'nope'))).toThrow(/cannot read IDX file .*nope/);
  });
});

describe('MNIST via the idx reader', () => {
  it('loads the 10,000 test images and labels', async () => {
    const { loadMnist } = await import('../../models/lib/mnist.ts');
    const t = loadMnist('t10k');
    expect(t.n).toBe(10000);
    expect(t.images.length).toBe(10000 * 784);
    expect(Math.max(...t.images.subarray(0, 784))).toBeLessThanOrEqual(1);
    expect(t.labels[0]).toBe(7); // the famous first test digit
    const counts = new Array<number>(10).fill(0);
    for (const l of t.labels) counts[l]!++;
    expect(counts[1]).toBe(1135);
  });
});
