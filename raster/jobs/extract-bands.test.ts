/**
 * extractBands on the wyvern-like COG (31 float32 bands, LZW predictor 3, 128 px blocks) against
 * decodeBlock read pixel by pixel: a tile that is one block (its decoded planes become the bands' arrays), an edge
 * tile padded with NaN, and a tile spanning four blocks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { decodeBlock, initCodecs } from '../compression/decode-block';
import { MemorySource } from '../source';
import { ensureFixtures, fixturePath } from '../testdata/fixtures';
import type { TiffImage } from '../tiff/image';
import { Tiff } from '../tiff/tiff';
import { extractBands, type BlockPayload, type PixelWindow } from './extract-bands';

ensureFixtures();
before(() => initCodecs());

const NAME = 'wyvern-like-cog';

async function image(): Promise<TiffImage> {
  const tiff = await Tiff.open(new MemorySource(NAME, new Uint8Array(readFileSync(fixturePath(NAME)))));
  return tiff.images[0];
}

async function blocksOf(img: TiffImage, window: PixelWindow): Promise<BlockPayload[]> {
  const out: BlockPayload[] = [];
  for (let r = Math.floor(window.y / img.blockHeight); r * img.blockHeight < window.y + window.height; r++) {
    for (let c = Math.floor(window.x / img.blockWidth); c * img.blockWidth < window.x + window.width; c++) {
      out.push({ bytes: await img.readBlockBytes(c, r, 0), x: c * img.blockWidth, y: r * img.blockHeight, rows: img.blockHeight, plane: 0 });
    }
  }
  return out;
}

/** What a band of the tile must hold: the block's sample where the window is, NaN for nodata and padding. */
async function expected(img: TiffImage, window: PixelWindow, ts: number, band: number, nodata: number): Promise<Float32Array> {
  const codec = img.blockCodec();
  const want = new Float32Array(ts * ts).fill(NaN);
  for (const block of await blocksOf(img, window)) {
    const all = decodeBlock(codec, block.bytes);
    for (let y = 0; y < codec.blockHeight; y++) {
      for (let x = 0; x < codec.blockWidth; x++) {
        const [ix, iy] = [block.x + x, block.y + y];
        if (ix < window.x || ix >= window.x + window.width || iy < window.y || iy >= window.y + window.height) continue;
        const v = all[(y * codec.blockWidth + x) * codec.samplesPerPixel + band];
        want[(iy - window.y) * ts + (ix - window.x)] = v === nodata ? NaN : v;
      }
    }
  }
  return want;
}

describe('extractBands', () => {
  const bands = [30, 0, 17];
  const cases: Array<[string, PixelWindow, number]> = [
    ['a tile that is one block', { x: 128, y: 0, width: 128, height: 128 }, 128],
    ['an edge tile, padded', { x: 256, y: 128, width: 44, height: 72 }, 128],
    ['a tile over four blocks', { x: 0, y: 0, width: 256, height: 200 }, 256],
  ];
  for (const [what, window, ts] of cases) {
    it(`${what}: every band equals decodeBlock, nodata and padding NaN`, async () => {
      const img = await image();
      // The file's nodata (-9999) does not occur in these blocks: a value that does, band 0 at the window's corner.
      const corner = (await blocksOf(img, { ...window, width: 1, height: 1 }))[0];
      const nodata = decodeBlock(img.blockCodec(), corner.bytes)[((window.y - corner.y) * img.blockWidth + window.x - corner.x) * img.samplesPerPixel];
      const got = extractBands(img.blockCodec(), await blocksOf(img, window), window, ts, bands, nodata);
      assert.equal(got.length, bands.length);
      assert.equal(new Set(got.map((a) => a.buffer)).size, bands.length, 'one buffer per band');
      for (const [k, band] of bands.entries()) {
        assert.equal(got[k].length, ts * ts);
        assert.deepEqual(got[k], await expected(img, window, ts, band, nodata), `band ${band}`);
        if (k === 1) assert.ok(Number.isNaN(got[k][0]), 'the nodata value became NaN');
      }
    });
  }

  it('bands outlive the next tile decoded in the thread', async () => {
    const img = await image();
    const codec = img.blockCodec();
    const w = { x: 0, y: 0, width: 128, height: 128 };
    const first = extractBands(codec, await blocksOf(img, w), w, 128, bands, -9999);
    const copies = first.map((a) => a.slice());
    const w2 = { x: 128, y: 128, width: 128, height: 72 };
    extractBands(codec, await blocksOf(img, w2), w2, 128, bands, -9999);
    first.forEach((a, k) => assert.deepEqual(a, copies[k]));
  });
});
