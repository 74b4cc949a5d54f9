import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gdalReadBand } from '../vector/testing/gdal-polygonize';
import { blobMask, rng } from '../vector/testing/masks';
import { writeRasterCog } from '../vector/testing/write-cog';
import { WarpInputError } from './errors';
import { warpTile, type WarpMethod } from './kernel';
import { groupTileRows, planWarpTiles } from './plan';
import { SourceBand } from './source-band';
import { FileSource } from '../source';
import { Tiff } from '../tiff/tiff';
import { suggestedWarpOutput } from './suggested-output';
import { gdalWarp } from './testing/gdal-warp';
import { warpRaster } from './warp-raster';

const dir = mkdtempSync(join(tmpdir(), 'warp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Gt = [number, number, number, number, number, number];

/** The generated lake scene's grid (bin/tessera generate): EPSG:4326, ~5 m pixels at 41.8° N. */
const LAKE_GT: Gt = [-83.3, 6e-5, 0, 41.8, 0, -4.5e-5];
const UTM_GT: Gt = [400000, 10, 0, 5800000, 0, -10];

describe('suggestedWarpOutput = gdalwarp’s default grid', () => {
  const cases: Array<{ epsg: number; gt: Gt; w: number; h: number; dst: number }> = [
    { epsg: 4326, gt: LAKE_GT, w: 1024, h: 1024, dst: 3857 },
    { epsg: 4326, gt: LAKE_GT, w: 2048, h: 2048, dst: 3857 },
    { epsg: 32633, gt: UTM_GT, w: 1100, h: 1030, dst: 3857 },
    { epsg: 32633, gt: UTM_GT, w: 1100, h: 1030, dst: 4326 },
    { epsg: 4326, gt: [10, 0.001, 0, 50, 0, -0.001], w: 2000, h: 1500, dst: 32632 },
    { epsg: 3857, gt: [-9e6, 30, 0, 5.1e6, 0, -30], w: 777, h: 555, dst: 4326 },
    { epsg: 4326, gt: [-30, 0.25, 0, 70, 0, -0.25], w: 360, h: 520, dst: 3857 },
    { epsg: 32760, gt: [300000, 30, 0, 5000000, 0, -30], w: 333, h: 4444, dst: 3857 },
    { epsg: 4326, gt: [170, 0.01, 0, -30, 0, -0.01], w: 1000, h: 300, dst: 3031 },
  ];
  for (const c of cases) {
    it(`EPSG:${c.epsg} ${c.w}x${c.h} → EPSG:${c.dst}`, async (t) => {
      const src = join(dir, `grid-${c.epsg}-${c.w}-${c.dst}.tif`);
      await writeRasterCog(src, new Uint8Array(c.w * c.h), { width: c.w, height: c.h, sampleType: 'uint8', epsg: c.epsg, geoTransform: c.gt, profile: { compression: 'deflate', tileSizePx: 256 } });
      const g = gdalWarp(src, c.dst, 'nearest', join(dir, `grid-${c.epsg}-${c.w}-${c.dst}`), false);
      const ours = suggestedWarpOutput({ epsg: c.epsg, geoTransform: c.gt, width: c.w, height: c.h }, c.dst);
      assert.deepEqual([ours.width, ours.height], [g.width, g.height]);
      const rel = Math.max(...[0, 1, 3, 5].map((i) => Math.abs(ours.geoTransform[i] - g.geoTransform[i]) / Math.abs(g.geoTransform[i])));
      t.diagnostic(`${g.width}x${g.height}, geotransform max relative difference ${rel.toExponential(2)}`);
      assert.ok(rel <= 1e-9);
      assert.equal(ours.geoTransform[2], 0);
      assert.equal(ours.geoTransform[4], 0);
    });
  }
});

interface Comparison {
  identical: number;
  within1e4: number;
  nodataMismatch: number;
  maxDiff: number;
  differingAtEdge: number;
  differing: number;
}

/**
 * Pixel-by-pixel comparison. `differing` counts pixels that are nodata on one side only or differ by more than
 * 1e-6; one is "at an edge" when it or a neighbour is nodata in GDAL's output, or it lies on the raster border.
 */
function compare(ours: Float32Array | Uint8Array, gdal: Float32Array | Uint8Array, width: number, height: number, nodata: number): Comparison {
  const isNd = (v: number): boolean => v !== v || v === nodata;
  let identical = 0;
  let within = 0;
  let nodataMismatch = 0;
  let maxDiff = 0;
  let differing = 0;
  let differingAtEdge = 0;
  const edge = (i: number): boolean => {
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= width || yy >= height || isNd(gdal[yy * width + xx])) return true;
      }
    }
    return false;
  };
  for (let i = 0; i < gdal.length; i++) {
    const a = ours[i];
    const b = gdal[i];
    const an = isNd(a);
    const bn = isNd(b);
    if (an && bn) {
      identical++;
      within++;
      continue;
    }
    if (an !== bn) nodataMismatch++;
    else {
      const d = Math.abs(a - b);
      maxDiff = Math.max(maxDiff, d);
      if (d === 0) identical++;
      if (d <= 1e-4) within++;
      // Below 1e-6 is float32 rounding of the same interpolation (the sums run in a different order).
      if (d <= 1e-6) continue;
    }
    differing++;
    if (edge(i)) differingAtEdge++;
  }
  return { identical, within1e4: within, nodataMismatch, maxDiff, differing, differingAtEdge };
}

interface WarpCase {
  name: string;
  epsg: number;
  gt: Gt;
  width: number;
  height: number;
  pixels: () => Float32Array | Uint8Array;
  nodata: number;
}

function smoothField(width: number, height: number, seed: number, holeValue = NaN): Float32Array {
  const r = rng(seed);
  const holes = blobMask(width, height, seed + 1);
  const f = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      // NDCI-like values with texture; the blobs are nodata (NaN), as land is in an NDCI COG.
      f[i] = holes[i] === 1 ? holeValue : 0.2 + 0.3 * Math.sin(x / 37) * Math.cos(y / 53) + 0.05 * (r() - 0.5);
    }
  }
  return f;
}

const EGM96 = '/usr/share/proj/egm96_15.gtx';

function egm96(): { gt: Gt; width: number; height: number; values: Float32Array } {
  // 30° W..60° E, 20° N..20° S of the EGM96 geoid grid (proj-data), undulations in metres. Within ±20° the
  // web-mercator grid keeps the resolution (GDAL's kernel scale ≥ 0.95), where gdalwarp uses the 2×2 bilinear.
  const b = gdalReadBand(EGM96, [600, 280, 360, 160], join(dir, 'egm96.f32'));
  return { gt: b.geoTransform, width: b.width, height: b.height, values: b.values };
}

const warpCases: Array<WarpCase & { methods: WarpMethod[] }> = [
  { name: 'lake-ndci', epsg: 4326, gt: LAKE_GT, width: 1024, height: 1024, pixels: () => smoothField(1024, 1024, 3), nodata: NaN, methods: ['nearest', 'bilinear'] },
  { name: 'lake-water', epsg: 4326, gt: LAKE_GT, width: 1024, height: 1024, pixels: () => blobMask(1024, 1024, 4), nodata: 255, methods: ['nearest'] },
  { name: 'utm-float', epsg: 32633, gt: UTM_GT, width: 700, height: 650, pixels: () => smoothField(700, 650, 8, -9999), nodata: -9999, methods: ['nearest', 'bilinear'] },
];

describe('warp to EPSG:3857 against gdalwarp', () => {
  const all = [...warpCases];
  if (existsSync(EGM96)) {
    const e = egm96();
    all.push({ name: 'egm96-geoid', epsg: 4326, gt: e.gt, width: e.width, height: e.height, pixels: () => e.values, nodata: -32768, methods: ['nearest', 'bilinear'] });
  }
  for (const c of all) {
    for (const method of c.methods) {
      it(`${c.name} (${c.width}x${c.height}, EPSG:${c.epsg}) ${method}`, async (t) => {
        const pixels = c.pixels();
        const src = join(dir, `${c.name}.tif`);
        await writeRasterCog(src, pixels, { width: c.width, height: c.height, sampleType: pixels instanceof Uint8Array ? 'uint8' : 'float32', epsg: c.epsg, geoTransform: c.gt, nodata: c.nodata });
        const g = gdalWarp(src, 3857, method, join(dir, `${c.name}-${method}`));
        const ours = warpRaster({ pixels, srcGrid: { epsg: c.epsg, geoTransform: c.gt, width: c.width, height: c.height }, dstEpsg: 3857, method, nodata: c.nodata });
        assert.deepEqual([ours.grid.width, ours.grid.height], [g.width, g.height], 'same size as gdalwarp');
        for (const i of [0, 1, 3, 5]) assert.ok(Math.abs(ours.grid.geoTransform[i] - g.geoTransform[i]) <= 1e-9 * Math.abs(g.geoTransform[i]), `geotransform[${i}]`);
        const n = g.width * g.height;
        const r = compare(ours.pixels, g.pixels as Float32Array | Uint8Array, g.width, g.height, c.nodata);
        t.diagnostic(
          `${g.width}x${g.height}: identical ${((100 * r.identical) / n).toFixed(4)} %, within 1e-4 ${((100 * r.within1e4) / n).toFixed(4)} %, ` +
            `nodata differs at ${r.nodataMismatch} px, max |diff| ${r.maxDiff.toExponential(2)}, ${r.differing} px differ beyond rounding, ${r.differingAtEdge} of them at an edge`,
        );
        if (method === 'nearest') assert.ok(r.identical / n >= 0.999, 'nearest: ≥ 99.9 % identical');
        else assert.ok(r.within1e4 / n >= 0.995, 'bilinear: ≥ 99.5 % within 1e-4');
        assert.equal(r.differingAtEdge, r.differing, 'differences beyond rounding sit at nodata/footprint edges');
      });
    }
  }
});

describe('tiles', () => {
  it('tiles of 512 (seams) give the raster one tile gives, and every tile finds its samples in its window', () => {
    const W = 1300;
    const H = 1100;
    const pixels = smoothField(W, H, 12);
    const srcGrid = { epsg: 4326, geoTransform: LAKE_GT, width: W, height: H };
    for (const method of ['nearest', 'bilinear'] as const) {
      const tiled = warpRaster({ pixels, srcGrid, dstEpsg: 3857, method, nodata: NaN });
      const whole = warpRaster({ pixels, srcGrid, dstEpsg: 3857, method, nodata: NaN, tileSizePx: 1 << 20 });
      assert.deepEqual(tiled.pixels, whole.pixels, method);
      const plans = planWarpTiles(srcGrid, tiled.grid, { method });
      assert.equal(plans.length, Math.ceil(tiled.grid.width / 512) * Math.ceil(tiled.grid.height / 512));
      for (const p of plans) {
        assert.ok(p.source, `tile ${p.col},${p.row} has a source window`);
        const s = p.source;
        const px = new Float32Array(s.width * s.height);
        for (let r = 0; r < s.height; r++) px.set(pixels.subarray((s.y + r) * W + s.x, (s.y + r) * W + s.x + s.width), r * s.width);
        const res = warpTile({ source: { ...s, pixels: px }, srcGrid, dstGrid: tiled.grid, tile: p.tile, method, nodata: NaN });
        assert.equal(res.outsideWindow, 0, `tile ${p.col},${p.row}`);
        // A window covers about a tile of source pixels, not the raster.
        assert.ok(s.width <= 520 && s.height <= 520, `window ${s.width}x${s.height}`);
      }
    }
  });

  it('a tile beyond the source is all nodata; bad tiles and windows throw WarpInputError', () => {
    const srcGrid = { epsg: 4326, geoTransform: LAKE_GT, width: 100, height: 100 };
    const dstGrid = suggestedWarpOutput(srcGrid, 3857);
    const far = { ...dstGrid, geoTransform: [dstGrid.geoTransform[0] + 1e6, ...dstGrid.geoTransform.slice(1)] as Gt };
    assert.deepEqual(planWarpTiles(srcGrid, far, { method: 'nearest' }).map((p) => p.source), [null]);
    const empty = warpTile({ source: null, srcGrid, dstGrid, tile: { x: 0, y: 0, width: 4, height: 2 }, method: 'nearest', nodata: 255 });
    assert.deepEqual([...empty.pixels], [255, 255, 255, 255, 255, 255, 255, 255]);
    assert.throws(
      () => warpTile({ source: null, srcGrid, dstGrid, tile: { x: 90, y: 0, width: 20, height: 2 }, method: 'nearest', nodata: 0 }),
      (e) => e instanceof WarpInputError && e.message === `warp tile: tile 90,0 20x2 is outside the ${dstGrid.width}x${dstGrid.height} target`,
    );
    assert.throws(
      () => warpTile({ source: { x: 0, y: 0, width: 2, height: 2, pixels: new Uint8Array(3) }, srcGrid, dstGrid, tile: { x: 0, y: 0, width: 2, height: 2 }, method: 'nearest', nodata: 0 }),
      /source window has 3 samples for 2x2/,
    );
  });
});

describe('source band', () => {
  it('serves each tile row’s window from block rows read once, equal to direct reads', async () => {
    const W = 1300;
    const H = 1100;
    const pixels = smoothField(W, H, 21);
    const path = join(dir, 'band.tif');
    await writeRasterCog(path, pixels, { width: W, height: H, sampleType: 'float32', epsg: 4326, geoTransform: LAKE_GT, nodata: NaN });
    const src = new FileSource(path);
    try {
      const tiff = await Tiff.open(src);
      const srcGrid = { epsg: 4326, geoTransform: LAKE_GT, width: W, height: H };
      const dstGrid = suggestedWarpOutput(srcGrid, 3857);
      const band = new SourceBand(tiff.images[0]);
      const rows = groupTileRows(planWarpTiles(srcGrid, dstGrid, { method: 'bilinear' }));
      for (const row of rows) {
        assert.ok(row.source);
        const w = await band.window(row.source);
        const [direct] = await tiff.images[0].readWindow(row.source);
        const view = new Float32Array(row.source.width * row.source.height);
        for (let r = 0; r < row.source.height; r++) {
          const at = (w.offset ?? 0) + r * (w.stride ?? 0);
          view.set(w.pixels.subarray(at, at + row.source.width), r * row.source.width);
        }
        assert.deepEqual(view, direct, `tile row ${row.row}`);
      }
      assert.equal(band.blockRowsRead, Math.ceil(H / 512), 'every source block row read once');
    } finally {
      await src.close?.();
    }
  });
});
