import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { encodeRgbaPng, encodeRgbPng, PreviewInputError } from './png';

/** Decodes with sharp (libspng/libpng) into raw interleaved samples plus what the file declares. */
async function decode(png: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number; channels: number; format?: string; depth?: string; hasAlpha?: boolean }> {
  const meta = await sharp(png).metadata();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels, format: meta.format, depth: meta.depth, hasAlpha: meta.hasAlpha };
}

// Odd sizes catch row-stride mistakes; the top-left 5x4 block is nodata, and pixels with only one band at 0 stay opaque.
const W = 37;
const H = 23;
function bands(): { r: Uint8Array; g: Uint8Array; b: Uint8Array } {
  const r = new Uint8Array(W * H);
  const g = new Uint8Array(W * H);
  const b = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (x < 5 && y < 4) continue;
      r[i] = (x * 7) & 255;
      g[i] = (y * 11) & 255;
      b[i] = (x * y) & 255;
    }
  }
  return { r, g, b };
}

test('encodeRgbPng: 8-bit RGBA PNG whose pixels decode exactly, nodata transparent', async () => {
  const { r, g, b } = bands();
  const png = await encodeRgbPng(r, g, b, W, H);
  assert.ok(!Buffer.isBuffer(png), 'returns a plain Uint8Array');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out = await decode(png);
  assert.deepEqual(
    { width: out.width, height: out.height, channels: out.channels, format: out.format, depth: out.depth, hasAlpha: out.hasAlpha },
    { width: W, height: H, channels: 4, format: 'png', depth: 'uchar', hasAlpha: true },
  );
  let transparent = 0;
  let partlyZeroOpaque = 0;
  for (let i = 0; i < W * H; i++) {
    const nodata = r[i] === 0 && g[i] === 0 && b[i] === 0;
    const want = [r[i], g[i], b[i], nodata ? 0 : 255];
    assert.deepEqual([...out.data.subarray(i * 4, i * 4 + 4)], want, `pixel ${i % W},${Math.floor(i / W)}`);
    if (nodata) transparent++;
    else if (r[i] === 0 || g[i] === 0 || b[i] === 0) partlyZeroOpaque++;
  }
  // Only the 5x4 block: outside it, r = 7x and g = 11y are both 0 only at (0,0), which lies inside the block.
  assert.equal(transparent, 20);
  assert.ok(partlyZeroOpaque > 0, 'fixture has pixels with some bands at 0 that must stay opaque');
});

test('encodeRgbaPng keeps every alpha value and colour exactly', async () => {
  const rgba = new Uint8Array(W * H * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 31 + 7) & 255;
  const out = await decode(await encodeRgbaPng(rgba, W, H));
  assert.equal(out.channels, 4);
  assert.deepEqual(out.data, rgba);
});

test('a 1x1 image and a fully transparent image round-trip', async () => {
  const one = await decode(await encodeRgbPng(Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3), 1, 1));
  assert.deepEqual([...one.data], [1, 2, 3, 255]);
  const zeros = new Uint8Array(16);
  const empty = await decode(await encodeRgbPng(zeros, zeros, zeros, 4, 4));
  assert.deepEqual(empty.data, new Uint8Array(64));
});

test('size mismatches throw PreviewInputError with the numbers', async () => {
  const { r, g, b } = bands();
  await assert.rejects(encodeRgbPng(r, g.subarray(1), b, W, H), (e) => e instanceof PreviewInputError && e.message === 'preview.png: band g has 850 samples, expected 37x23 = 851');
  await assert.rejects(encodeRgbaPng(new Uint8Array(10), 2, 2), (e) => e instanceof PreviewInputError && e.message === 'preview.png: rgba has 10 bytes, expected 2x2x4 = 16');
  await assert.rejects(encodeRgbaPng(new Uint8Array(0), 0, 5), (e) => e instanceof PreviewInputError && /image size 0x5/.test(e.message));
});
