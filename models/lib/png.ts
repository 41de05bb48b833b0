/** A minimal 8-bit greyscale PNG encoder (node:zlib), for diagnostic image galleries. */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 255] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, tail]);
}

/** Encodes `width` x `height` grey levels (row-major, 0 = black) as a PNG file. */
export function encodeGreyPng(width: number, height: number, grey: Uint8Array): Buffer {
  if (grey.length !== width * height)
    throw new Error(`png: expected ${width * height} pixels, got ${grey.length}`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(grey.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Lays out pairs of 28x28 images ([0, 1] floats) in a grid, each pair side by side, `scale` pixels per
 * image pixel, on a grey background.
 */
export function pairGallery(pairs: [Float32Array, Float32Array][], columns = 8, scale = 3): Buffer {
  const side = 28 * scale;
  const cellW = 2 * side + 10;
  const cellH = side + 6;
  const rows = Math.max(1, Math.ceil(pairs.length / columns));
  const width = columns * cellW;
  const height = rows * cellH;
  const grey = new Uint8Array(width * height).fill(70);
  pairs.forEach((pair, k) => {
    const ox = (k % columns) * cellW;
    const oy = Math.floor(k / columns) * cellH;
    pair.forEach((img, half) => {
      for (let y = 0; y < side; y++)
        for (let x = 0; x < side; x++) {
          const v = img[Math.floor(y / scale) * 28 + Math.floor(x / scale)] as number;
          grey[(oy + y) * width + ox + half * (side + 2) + x] = Math.round(255 * Math.min(1, Math.max(0, v)));
        }
    });
  });
  return encodeGreyPng(width, height, grey);
}
