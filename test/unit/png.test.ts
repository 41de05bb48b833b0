/** The diagnostic PNG encoder: the file decodes back (chunk CRCs, IHDR, inflated rows) to the same pixels. */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeGreyPng, pairGallery } from '../../models/lib/png.ts';

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

/** Parses a greyscale, filter-0 PNG (what the encoder writes), checking every chunk's CRC. */
function decode(png: Buffer): { width: number; height: number; grey: Uint8Array } {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const grey = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)]).toBe(0);
    grey.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, grey };
}

describe('png', () => {
  it('encodes grey levels that decode back unchanged', () => {
    const grey = Uint8Array.from({ length: 7 * 5 }, (_, i) => (i * 37) % 256);
    const out = decode(encodeGreyPng(7, 5, grey));
    expect(out).toMatchObject({ width: 7, height: 5 });
    expect([...out.grey]).toEqual([...grey]);
    expect(() => encodeGreyPng(7, 5, new Uint8Array(3))).toThrow(/expected 35 pixels/);
  });

  it('lays image pairs side by side in a grid', () => {
    const white = new Float32Array(784).fill(1);
    const black = new Float32Array(784);
    const { width, height, grey } = decode(pairGallery([[white, black]], 2, 1));
    expect([width, height]).toEqual([2 * (2 * 28 + 10), 28 + 6]);
    expect(grey[0]).toBe(255); // the first image of the pair
    expect(grey[30]).toBe(0); // the second, 2 pixels after the first
    expect(grey[28]).toBe(70); // the background between them
  });
});
