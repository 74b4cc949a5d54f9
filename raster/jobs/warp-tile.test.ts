import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { warpTile } from '../warp/kernel';
import { planWarpTiles } from '../warp/plan';
import { suggestedWarpOutput } from '../warp/suggested-output';
import { runThreadTask } from './thread-task';
import type { WarpTileJob, WarpTileOutput } from './warp-tile';

const srcGrid = { epsg: 32617, geoTransform: [308000, 5, 0, 4630000, 0, -5], width: 700, height: 600 };
const dstGrid = suggestedWarpOutput(srcGrid, 3857);
const TS = 512;

function ramp(): Float32Array {
  const a = new Float32Array(srcGrid.width * srcGrid.height);
  for (let y = 0; y < srcGrid.height; y++) for (let x = 0; x < srcGrid.width; x++) a[y * srcGrid.width + x] = x < 20 ? NaN : Math.sin(x / 37) * Math.cos(y / 23) * 1000;
  return a;
}

function windowOf(all: Float32Array, w: { x: number; y: number; width: number; height: number }): Float32Array {
  const out = new Float32Array(w.width * w.height);
  for (let r = 0; r < w.height; r++) out.set(all.subarray((w.y + r) * srcGrid.width + w.x, (w.y + r) * srcGrid.width + w.x + w.width), r * w.width);
  return out;
}

describe('warp-tile task', () => {
  const all = ramp();
  const plans = planWarpTiles(srcGrid, dstGrid, { method: 'bilinear', tileSizePx: TS });
  const edge = plans[plans.length - 1];

  it('is the kernel’s tile from the compact window, padded with nodata to the block size, its buffer transferred', async () => {
    const job: WarpTileJob = { source: { ...edge.source!, pixels: windowOf(all, edge.source!) }, srcGrid, dstGrid, tile: edge.tile, sampleType: 'float32', nodata: NaN, method: 'bilinear', tileSizePx: TS };
    const { result, transfer } = await runThreadTask({ kind: 'warp-tile', job });
    const out = result as WarpTileOutput;
    assert.equal(out.pixels.length, TS * TS);
    assert.deepEqual(transfer, [out.pixels.buffer]);
    const ref = warpTile({ source: { ...edge.source!, pixels: all, stride: srcGrid.width, offset: edge.source!.y * srcGrid.width + edge.source!.x }, srcGrid, dstGrid, tile: edge.tile, method: 'bilinear', nodata: NaN });
    assert.equal(out.outsideWindow, 0);
    assert.equal(out.validCount, ref.validCount);
    assert.ok(out.validCount > 0);
    for (let r = 0; r < TS; r++) {
      for (let c = 0; c < TS; c++) {
        const v = out.pixels[r * TS + c];
        if (r >= edge.tile.height || c >= edge.tile.width) assert.ok(Number.isNaN(v), `padding ${c},${r}`);
        else assert.ok(Object.is(v, ref.pixels[r * edge.tile.width + c]), `pixel ${c},${r}: ${v} vs ${ref.pixels[r * edge.tile.width + c]}`);
      }
    }
  });

  it('warps int16 as float32 and rounds to the nearest integer; nodata stays -32768', async () => {
    const p = plans[0];
    const win = windowOf(all, p.source!);
    const i16 = Int16Array.from(win, (v) => (Number.isNaN(v) ? -32768 : Math.round(v)));
    const job: WarpTileJob = { source: { ...p.source!, pixels: i16 }, srcGrid, dstGrid, tile: p.tile, sampleType: 'int16', nodata: -32768, method: 'bilinear', tileSizePx: TS };
    const out = (await runThreadTask({ kind: 'warp-tile', job })).result as WarpTileOutput;
    assert.ok(out.pixels instanceof Int16Array);
    const ref = warpTile({ source: { ...p.source!, pixels: Float32Array.from(i16) }, srcGrid, dstGrid, tile: p.tile, method: 'bilinear', nodata: -32768 });
    let nodata = 0;
    for (let r = 0; r < p.tile.height; r++) {
      for (let c = 0; c < p.tile.width; c++) {
        const want = Math.floor(ref.pixels[r * p.tile.width + c] + 0.5);
        assert.equal(out.pixels[r * TS + c], want, `pixel ${c},${r}`);
        if (want === -32768) nodata++;
      }
    }
    assert.ok(nodata > 0 && out.validCount > 0, 'the tile has nodata and values');
  });

  it('fills a tile that misses the source with nodata', async () => {
    const job: WarpTileJob = { source: null, srcGrid, dstGrid, tile: plans[0].tile, sampleType: 'uint8', nodata: 255, method: 'nearest', tileSizePx: TS };
    const out = (await runThreadTask({ kind: 'warp-tile', job })).result as WarpTileOutput;
    assert.ok(out.pixels instanceof Uint8Array && out.pixels.every((v) => v === 255));
    assert.equal(out.validCount, 0);
  });
});
