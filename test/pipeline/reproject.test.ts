/**
 * `--reproject`: the in-process scene DAG writes a COG copy of every raster product in the asked CRS, judged
 * against gdalwarp run on the same original COGs (grid, pixels, nodata) and GDAL's COG validator.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { createActivities, InputCache } from '../../activities';
import type { TaskRunner } from '../../activities/deps';
import { reprojectedCogUri } from '../../activities/output-keys';
import { loadConfig } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import { generateScene } from '../../raster/synthetic/scene';
import { gdalWarp } from '../../raster/warp/testing/gdal-warp';
import { ThreadPool } from '../../workers/pool';
import { runLocal } from '../../workers/local';
import { paramsHash } from '../../workflows/run-ids';
import { runSceneDag } from '../../workflows/scene-dag';
import type { ProcessSceneInput, ScenePlan, SceneResult } from '../../workflows/types';
import { gdalReadBand, validateCog, type BandDump } from '../support/gdal-oracle';

const run = promisify(execFile);

/** A mismatch counts as "at an edge" within this many pixels of nodata (in gdalwarp's output) or the border. */
const EDGE_PX = 2;

let dir: string;
let utmScene: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-reproject-'));
  // 1100 x 1100 at 5 m: three tile columns and rows with edge tiles, overviews. The generator writes EPSG:4326;
  // the same pixels placed on UTM 17N (western Lake Erie) make a UTM scene, as PRISMA or EnMAP deliver.
  const scene = await generateScene({ outPath: join(dir, 'in', 'WYV-GEO.tif'), sizePx: 1100, bands: 23, seed: 7 });
  utmScene = join(dir, 'in', 'WYV-UTM.tif');
  await run('gdal_translate', ['-q', '-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-a_srs', 'EPSG:32617', '-a_ullr', '308000', '4630000', '313500', '4624500', scene.cogPath, utmScene]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runReprojected(name: string, products: string[], epsg: number): Promise<SceneResult> {
  const input: ProcessSceneInput = { input: pathToFileURL(utmScene).href, out: pathToFileURL(join(dir, name)).href, products, reproject: { epsg } };
  input.paramsHash = paramsHash(input);
  const config = loadConfig({ TESSERA_THREADS: '2' }, {}, { cwd: dir, isTTY: false });
  const result = await runLocal(config, input, { logger: pino({ level: 'silent' }), threads: 2 });
  assert.equal(result.status, 'completed');
  return result;
}

function assertSameGrid(ours: { width: number; height: number; geotransform: number[] }, gdal: { width: number; height: number; geoTransform: number[] }, what: string): void {
  assert.deepEqual([ours.width, ours.height], [gdal.width, gdal.height], `${what}: size`);
  const px = Math.abs(gdal.geoTransform[1]);
  for (let i = 0; i < 6; i++) {
    // Origins to a millionth of a pixel, pixel sizes to 1e-12 relative.
    const tol = i === 0 || i === 3 ? px * 1e-6 : Math.abs(gdal.geoTransform[i]) * 1e-12;
    assert.ok(Math.abs(ours.geotransform[i] - gdal.geoTransform[i]) <= tol, `${what}: geotransform[${i}] ${ours.geotransform[i]} vs gdalwarp ${gdal.geoTransform[i]}`);
  }
}

interface Comparison {
  pixels: number;
  valid: number;
  matched: number;
  mismatched: number;
  mismatchedInside: number;
  maxDiff: number;
  firstInside?: string;
}

/**
 * Pixel-by-pixel comparison. Nearest: identical samples; bilinear: within 1e-4; nodata must be nodata in both.
 * A mismatch is "inside" when no nodata pixel of gdalwarp's output and no border lies within EDGE_PX of it.
 */
function compare(ours: Float32Array | Uint8Array, gdal: Float32Array | Uint8Array, width: number, height: number, nodata: number, tolerance: number): Comparison {
  const isNd = (v: number) => v !== v || v === nodata;
  // Distance to the nearest nodata pixel or border, as a dilation of the nodata mask by EDGE_PX (Chebyshev).
  const nearEdge = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const border = x < EDGE_PX || y < EDGE_PX || x >= width - EDGE_PX || y >= height - EDGE_PX;
      if (!border && !isNd(gdal[y * width + x])) continue;
      if (border) nearEdge[y * width + x] = 1;
      if (!isNd(gdal[y * width + x])) continue;
      for (let dy = -EDGE_PX; dy <= EDGE_PX; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -EDGE_PX; dx <= EDGE_PX; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < width) nearEdge[yy * width + xx] = 1;
        }
      }
    }
  }
  const c: Comparison = { pixels: width * height, valid: 0, matched: 0, mismatched: 0, mismatchedInside: 0, maxDiff: 0 };
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i];
    const b = gdal[i];
    const an = isNd(a);
    const bn = isNd(b);
    if (!an || !bn) c.valid++;
    const same = an && bn ? true : an !== bn ? false : Math.abs(a - b) <= tolerance;
    if (!an && !bn) c.maxDiff = Math.max(c.maxDiff, Math.abs(a - b));
    if (same) {
      c.matched++;
      continue;
    }
    c.mismatched++;
    if (!nearEdge[i]) {
      c.mismatchedInside++;
      c.firstInside ??= `pixel ${i % width},${Math.floor(i / width)}: ours ${a}, gdalwarp ${b}`;
    }
  }
  return c;
}

function samplesOf(d: BandDump): Float32Array | Uint8Array {
  const buf = d.bytes.buffer.slice(d.bytes.byteOffset, d.bytes.byteOffset + d.bytes.byteLength);
  return d.dtype === 'uint8' ? new Uint8Array(buf) : new Float32Array(buf);
}

const pct = (n: number, of: number) => ((100 * n) / of).toFixed(3);

test('--reproject EPSG:3857: every product copy matches gdalwarp (grid, pixels, nodata) and is a valid COG', async (t) => {
  const result = await runReprojected('out-3857', ['ndwi', 'water', 'ndci'], 3857);
  const expected: Record<string, { method: 'nearest' | 'bilinear'; nodata: number }> = {
    ndwi: { method: 'bilinear', nodata: NaN },
    ndci: { method: 'bilinear', nodata: NaN },
    water: { method: 'nearest', nodata: 255 },
  };
  for (const [product, { method, nodata }] of Object.entries(expected)) {
    const original = fileURLToPath(result.cogs[product]);
    const copy = fileURLToPath(reprojectedCogUri(pathToFileURL(join(dir, 'out-3857')).href, result.sceneId, product, 3857));
    assert.ok(existsSync(copy), `${product}: ${copy} written`);
    const ours = await gdalReadBand(copy, dir);
    const ref = gdalWarp(original, 3857, method, join(dir, `gdalwarp-${product}-3857`));
    assert.equal(ours.epsg, 3857, `${product}: gdalinfo shows EPSG:3857`);
    assertSameGrid(ours, ref, product);
    assert.equal(ours.nodata, ref.nodata, `${product}: nodata kept`);
    assert.ok(ours.overviews > 0, `${product}: overviews like the original`);
    const c = compare(samplesOf(ours), ref.pixels!, ref.width, ref.height, nodata, method === 'nearest' ? 0 : 1e-4);
    const line = `${product} (${method}) ${ref.width}x${ref.height}: ${pct(c.matched, c.pixels)} % of all pixels, ${pct(c.valid - c.mismatched, c.valid)} % of ${c.valid} valid pixels ${method === 'nearest' ? 'identical' : 'within 1e-4'}; ${c.mismatched} differ, ${c.mismatchedInside} of them more than ${EDGE_PX} px from an edge; max |diff| ${c.maxDiff.toExponential(2)}`;
    t.diagnostic(line);
    const needed = method === 'nearest' ? 99.9 : 99.5;
    assert.ok((100 * (c.valid - c.mismatched)) / c.valid >= needed, `${product}: ${line}`);
    assert.equal(c.mismatchedInside, 0, `${product}: differences only at edges (${c.firstInside})`);
    const v = await validateCog(copy);
    assert.ok(v.ok, `${product}: ${v.output}`);
    // The output the scene lists carries the copy's grid for STAC proj:* (proj:transform: GDAL's [1, 2, 0, 4, 5, 3]).
    const listed = result.outputs.find((o) => o.role === 'reprojected' && o.product === product);
    assert.ok(listed, `${product}: listed among the scene's outputs`);
    const g = ref.geoTransform;
    assert.deepEqual(listed.proj, { epsg: 3857, shape: [ref.height, ref.width], transform: listed.proj!.transform });
    listed.proj!.transform.forEach((v, i) => assert.ok(Math.abs(v - [g[1], g[2], g[0], g[4], g[5], g[3]][i]) <= Math.abs(g[1]) * 1e-6, `${product}: proj:transform[${i}]`));
  }
});

test('--reproject EPSG:4326: the copies have gdalwarp’s size and geotransform; nearest matches pixel for pixel', async (t) => {
  const result = await runReprojected('out-4326', ['ndwi', 'water'], 4326);
  for (const [product, method] of [['water', 'nearest'], ['ndwi', 'bilinear']] as const) {
    const copy = fileURLToPath(reprojectedCogUri(pathToFileURL(join(dir, 'out-4326')).href, result.sceneId, product, 4326));
    const ours = await gdalReadBand(copy, dir);
    const ref = gdalWarp(fileURLToPath(result.cogs[product]), 4326, method, join(dir, `gdalwarp-${product}-4326`));
    assert.equal(ours.epsg, 4326);
    assertSameGrid(ours, ref, `${product} 4326`);
    const c = compare(samplesOf(ours), ref.pixels!, ref.width, ref.height, method === 'nearest' ? 255 : NaN, method === 'nearest' ? 0 : 1e-4);
    const line = `${product} (${method}) EPSG:4326 ${ref.width}x${ref.height}: ${pct(c.valid - c.mismatched, c.valid)} % of ${c.valid} valid pixels ${method === 'nearest' ? 'identical' : 'within 1e-4'}, ${c.mismatchedInside} differences away from edges`;
    t.diagnostic(line);
    // Bilinear is not compared here: in EPSG:4326 the rows are coarser than the source's (scale < 0.95), where
    // gdalwarp widens its bilinear kernel and raster/warp keeps the 2×2 one (raster/warp/kernel.ts).
    if (method === 'nearest') {
      assert.ok((100 * (c.valid - c.mismatched)) / c.valid >= 99.9, line);
      assert.equal(c.mismatchedInside, 0, `${product}: differences only at edges (${c.firstInside})`);
    }
    const v = await validateCog(copy);
    assert.ok(v.ok, `${product}: ${v.output}`);
  }
});

test('a one-tile scene (its stages run inline in one activity) gets its copy too', async (t) => {
  const small = await generateScene({ outPath: join(dir, 'in', 'WYV-SMALL.tif'), sizePx: 300, bands: 23, seed: 9 });
  const utm = join(dir, 'in', 'WYV-SMALL-UTM.tif');
  await run('gdal_translate', ['-q', '-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-a_srs', 'EPSG:32617', '-a_ullr', '308000', '4630000', '309500', '4628500', small.cogPath, utm]);
  const out = pathToFileURL(join(dir, 'out-small')).href;
  const input: ProcessSceneInput = { input: pathToFileURL(utm).href, out, products: ['water'], reproject: { epsg: 3857 } };
  input.paramsHash = paramsHash(input);
  const result = await runLocal(loadConfig({}, {}, { cwd: dir, isTTY: false }), input, { logger: pino({ level: 'silent' }), threads: 1 });
  const copy = fileURLToPath(reprojectedCogUri(out, result.sceneId, 'water', 3857));
  const ours = await gdalReadBand(copy, dir);
  const ref = gdalWarp(fileURLToPath(result.cogs.water), 3857, 'nearest', join(dir, 'gdalwarp-small-water'));
  assertSameGrid(ours, ref, 'one-tile water');
  const c = compare(samplesOf(ours), ref.pixels!, ref.width, ref.height, 255, 0);
  t.diagnostic(`one-tile water (nearest) ${ref.width}x${ref.height}: ${pct(c.valid - c.mismatched, c.valid)} % of ${c.valid} valid pixels identical`);
  assert.ok((100 * (c.valid - c.mismatched)) / c.valid >= 99.9);
  const v = await validateCog(copy);
  assert.ok(v.ok, v.output);
});

test('a cancelled warpCog stops warping, writes no copy and leaves no temporary file', async () => {
  const pool = new ThreadPool(2);
  const config = loadConfig({}, {}, { cwd: dir, isTTY: false });
  const store = createStoreRouter(config);
  const inputs = new InputCache(store);
  const env = new MockActivityEnvironment();
  let warps = 0;
  // Warps that finished after the cancellation: the pool rejects queued ones and terminates running ones.
  let warpsAfterCancel = 0;
  let cancelled = false;
  // The third warped tile cancels the activity, as a workflow's cancellation would arrive mid-copy.
  const counting: TaskRunner = {
    size: pool.size,
    async run(task, transfer, signal) {
      const result = await pool.run(task, transfer, signal);
      if (task.kind === 'warp-tile' && cancelled) warpsAfterCancel++;
      if (task.kind === 'warp-tile' && ++warps === 3 && !cancelled) {
        cancelled = true;
        env.cancel();
      }
      return result;
    },
  };
  try {
    const out = pathToFileURL(join(dir, 'out-cancel')).href;
    const input: ProcessSceneInput = { input: pathToFileURL(utmScene).href, out, products: ['ndwi'], reproject: { epsg: 3857 } };
    input.paramsHash = paramsHash(input);
    let plan: ScenePlan | undefined;
    const acts = createActivities({ store, pool, logger: pino({ level: 'silent' }), codeVersion: 'test' }, inputs);
    await runSceneDag(acts, input, { onProgress: () => undefined, onPlan: (p) => (plan = p) });
    const copy = fileURLToPath(reprojectedCogUri(out, plan!.sceneId, 'ndwi', 3857));
    await rm(copy);
    const spillsBefore = (await readdir(tmpdir())).filter((n) => n.startsWith('tessera-tiles-')).length;

    const cancellable = createActivities({ store, pool: counting, logger: pino({ level: 'silent' }), codeVersion: 'test' }, inputs);
    await assert.rejects(env.run(cancellable.warpCog!, { plan: plan!, product: 'ndwi' }), (e: Error) => /cancel/i.test(`${e.name} ${e.message}`));
    assert.ok(cancelled, 'cancelled after three tiles');
    assert.ok(warps < 9, `stopped before warping all 9 tiles (${warps} warped)`);
    assert.equal(warpsAfterCancel, 0, 'no tile finished warping after the cancellation');
    assert.equal(existsSync(copy), false, 'no copy written');
    const spillsAfter = (await readdir(tmpdir())).filter((n) => n.startsWith('tessera-tiles-')).length;
    assert.ok(spillsAfter <= spillsBefore, 'the temporary tile file is gone');
  } finally {
    await inputs.close();
    await pool.close();
  }
});
