/**
 * Reader (and a small writer, for tests and fixtures) of the IDX format used by MNIST:
 * bytes 0-1 zero, byte 2 the element type, byte 3 the number of dimensions, then one big-endian
 * uint32 per dimension, then the data, big-endian, row-major.
 */
import { readFileSync } from 'node:fs';

/** IDX element types by their type byte. */
export const IDX_TYPES = {
  0x08: 'uint8',
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
} as const;

export type IdxType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES];
type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file. */
export interface IdxTensor {
  type: IdxType;
  dims: number[];
  data: IdxData;
}

const SIZES: Record<IdxType, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

/** Decodes IDX bytes; `name` only labels the error messages. */
export function parseIdx(bytes: Uint8Array, name = 'idx data'): IdxTensor {
  if (bytes.length < 4) throw new Error(`${name}: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: bad magic number (first two bytes must be 0, got ${bytes[0]}, ${bytes[1]})`);
  }
  const code = bytes[2]!;
  const type = (IDX_TYPES as Record<number, IdxType | undefined>)[code];
  if (!type) throw new Error(`${name}: unknown IDX element type 0x${code.toString(16)}`);
  const rank = bytes[3]!;
  if (rank === 0) throw new Error(`${name}: IDX file has no dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(
      `${name}: truncated header (${rank} dimensions need ${headerBytes} bytes, file has ${bytes.length})`,
    );
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const size = SIZES[type];
  const expected = headerBytes + count * size;
  if (bytes.length < expected) {
    throw new Error(
      `${name}: truncated: dims [${dims.join(', ')}] of ${type} need ${expected} bytes, file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new Error(`${name}: ${bytes.length - expected} unexpected trailing bytes after the data`);
  }
  let data: IdxData;
  switch (type) {
    case 'uint8':
      data = bytes.slice(headerBytes, expected);
      break;
    case 'int8':
      data = new Int8Array(bytes.slice(headerBytes, expected).buffer);
      break;
    default: {
      const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[
        type
      ];
      const out = new Ctor(count);
      const get = {
        int16: (o: number) => view.getInt16(o, false),
        int32: (o: number) => view.getInt32(o, false),
        float32: (o: number) => view.getFloat32(o, false),
        float64: (o: number) => view.getFloat64(o, false),
      }[type];
      for (let i = 0; i < count; i++) out[i] = get(headerBytes + i * size);
      data = out;
    }
  }
  return { type, dims, data };
}

/** Reads and decodes an IDX file. */
export function readIdx(file: string): IdxTensor {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read IDX file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
}

/** Encodes an IDX file (big-endian). */
export function encodeIdx(t: IdxTensor): Uint8Array {
  const code = Number(Object.entries(IDX_TYPES).find(([, v]) => v === t.type)![0]);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length)
    throw new Error(`encodeIdx: dims hold ${count} values, data has ${t.data.length}`);
  const size = SIZES[t.type];
  const header = 4 + 4 * t.dims.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = t.dims.length;
  t.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const v = t.data[i]!;
    const o = header + i * size;
    if (t.type === 'uint8') view.setUint8(o, v);
    else if (t.type === 'int8') view.setInt8(o, v);
    else if (t.type === 'int16') view.setInt16(o, v, false);
    else if (t.type === 'int32') view.setInt32(o, v, false);
    else if (t.type === 'float32') view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  }
  return out;
}
