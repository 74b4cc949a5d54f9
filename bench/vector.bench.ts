/**
 * Vectorising a scene's water and bloom masks, one core, against GDAL 3.6 (bench/reference/polygonize_gdal.py)
 * in the same run.
 *
 * Input: the outputs of `tessera run` for a generated scene (2048² × 31 bands, seed 7 by default): cog/water.tif
 * (uint8, 1/0/255, DEFLATE, 512 px tiles) and cog/ndci.tif (float32, NaN outside water). The bloom mask (water
 * with NDCI > 0.3) is computed once and written as a COG with the same profile, so both sides read a mask COG.
 * A third mask of the same size, value-noise blobs with speckle (raster/vector/testing/masks.ts), is a stress
 * case with tens of thousands of polygons, holes and pinch corners.
 *
 * Rows per mask (milliseconds, median of --runs after one warm-up; GDAL and Tessera alternate run by run):
 *   api   read the mask COG in 512-row bands + polygonize + features in the CRS (Tessera); gdal.Open +
 *         gdal.Polygonize into a Memory layer (GDAL: traces the 0 regions too, as gdal_polygonize.py does).
 *   file  the same + GeoParquet written (Tessera); + GeoPackage written (GDAL, what gdal_polygonize.py writes).
 *   cli   gdal_polygonize.py as a command (GDAL only; Python start-up included).
 *   raw   the tracing alone: Tessera from the mask in memory (read beforehand); GDAL from an uncompressed tiled
 *         GTiff copy in the page cache, so its reading is a copy.
 * Each in wall time and in CPU time of the process (less disturbed by a busy machine).
 * ratio = GDAL / Tessera (above 1: Tessera is faster). Also timed, without a GDAL counterpart: the pipeline's
 * bloom path (water + NDCI COGs → bloom mask → polygons with NDCI mean/max).
 *
 * Run: `node dist/bench/vector.bench.js [--scene DIR] [--size 2048] [--runs 3] [--warmup 1] [--connectivity 4|8]`;
 * without --scene the scene is generated once into bench/.scenes/. Prints one JSON line per mask and a summary line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { featuresToGeoParquet } from '../raster/geoparquet/write';
import { FileSource } from '../raster/source';
import { Tiff } from '../raster/tiff/tiff';
import { MaskVectorizer, type VectorFeature } from '../raster/vector/features';
import { bloomMask } from '../raster/vector/masks';
import { blobMask } from '../raster/vector/testing/masks';
import { writeRasterCog } from '../raster/vector/testing/write-cog';
import { arg, median } from './bench-args';

const ROOT = join(__dirname, '..', '..');
const BAND_ROWS = 512;

/** Untimed calls before each timed one. */
const WARMUP = Number(arg('warmup', '1'));

/** The scene directory of `tessera run` for a generated scene, made once and cached. */
export function benchScene(size: number): string {
  const dir = join(ROOT, 'bench', '.scenes', `vector-${size}-seed7`);
  const scene = join(dir, 'out', 'scenes', 'lake');
  if (!existsSync(join(scene, 'cog', 'ndci.tif'))) {
    mkdirSync(dir, { recursive: true });
    const cli = join(ROOT, 'bin', 'tessera');
    execFileSync(cli, ['generate', '--out', join(dir, 'lake.tif'), '--size', String(size), '--bands', '31', '--seed', '7'], { stdio: 'inherit' });
    execFileSync(cli, ['run', join(dir, 'lake.tif'), '--local', '--out', join(dir, 'out')], { stdio: 'inherit' });
  }
  return scene;
}

async function readWhole(path: string): Promise<{ pixels: Float32Array | Uint8Array; width: number; height: number; epsg: number; gt: [number, number, number, number, number, number] }> {
  const src = new FileSource(path);
  try {
    const tiff = await Tiff.open(src);
    const info = tiff.info();
    const [band] = await tiff.images[0].readWindow({ x: 0, y: 0, width: info.width, height: info.height });
    return { pixels: band as Float32Array | Uint8Array, width: info.width, height: info.height, epsg: info.geo?.epsg as number, gt: info.geo?.geoTransform as [number, number, number, number, number, number] };
  } finally {
    await src.close?.();
  }
}

/** Reads a mask COG in bands of 512 rows and vectorises it as it goes (the activity's streaming path). */
async function vectorizeCog(path: string, connectivity: 4 | 8): Promise<{ features: VectorFeature[]; epsg: number }> {
  const src = new FileSource(path);
  try {
    const tiff = await Tiff.open(src);
    const info = tiff.info();
    const grid = { epsg: info.geo?.epsg as number, geoTransform: info.geo?.geoTransform as number[], width: info.width, height: info.height };
    const v = new MaskVectorizer({ grid, connectivity });
    for (let y = 0; y < info.height; y += BAND_ROWS) {
      const rows = Math.min(BAND_ROWS, info.height - y);
      const [band] = await tiff.images[0].readWindow({ x: 0, y, width: info.width, height: rows });
      v.pushRows(band as Uint8Array, rows);
    }
    return { features: v.finish(), epsg: grid.epsg };
  } finally {
    await src.close?.();
  }
}

/**
 * Wall and CPU time of one call (CPU: this process, all its threads, as Python's process_time counts GDAL's),
 * after `--warmup` untimed calls (default 1), as the GDAL reference warms up before each timed run. V8 needs a
 * few calls of a path before its code is optimised; `--warmup 4` measures that steady state (a worker's case).
 */
async function measure(fn: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

/** GDAL's median over Tessera's, 2 decimals. */
function ratio(gdal: number[], ours: number[]): number {
  return Math.round((median(gdal) / median(ours)) * 100) / 100;
}

async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up: JIT and page cache
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  const size = Number(arg('size', '2048'));
  const runs = Number(arg('runs', '3'));
  const connectivity = Number(arg('connectivity', '4')) as 4 | 8;
  const scene = arg('scene', '') || benchScene(size);
  const work = mkdtempSync(join(tmpdir(), 'vector-bench-'));
  try {
    const waterPath = join(scene, 'cog', 'water.tif');
    const ndciPath = join(scene, 'cog', 'ndci.tif');
    const water = await readWhole(waterPath);
    const ndci = await readWhole(ndciPath);
    const bloom = bloomMask(ndci.pixels as Float32Array, water.pixels as Uint8Array, 0.3);
    const bloomPath = join(work, 'bloom.tif');
    await writeRasterCog(bloomPath, bloom, { width: water.width, height: water.height, sampleType: 'uint8', epsg: water.epsg, geoTransform: water.gt, nodata: 255 });
    // A stress case beside the scene's masks: value-noise blobs with speckle, holes and pinches everywhere.
    const blobsPath = join(work, 'blobs.tif');
    await writeRasterCog(blobsPath, blobMask(water.width, water.height, 5), { width: water.width, height: water.height, sampleType: 'uint8', epsg: water.epsg, geoTransform: water.gt, nodata: 255 });

    const masks = [['water', waterPath], ['bloom', bloomPath], ['blobs (synthetic stress mask)', blobsPath]] as const;
    // GDAL and Tessera take turns, run by run, so a change in the machine's load hits both sides alike.
    const series = (): Record<'api' | 'file' | 'apiCpu' | 'fileCpu' | 'raw' | 'rawCpu', number[]> => ({ api: [], file: [], apiCpu: [], fileCpu: [], raw: [], rawCpu: [] });
    const inMemory = await Promise.all(masks.map(async ([, path]) => readWhole(path)));
    const ours = masks.map(() => ({ ...series(), count: 0 }));
    const gdal = masks.map(() => ({ ...series(), cli: [] as number[], polygons: 0, value: 0 }));
    for (let r = 0; r <= runs; r++) {
      const lines = execFileSync('/usr/bin/python3', [join(ROOT, 'bench', 'reference', 'polygonize_gdal.py'), '--runs', '1', '--connectivity', String(connectivity), '--workdir', work, ...masks.map((m) => m[1])], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { polygons: number; polygons_value: number; api_s: number[]; file_s: number[]; cli_s: number[]; api_cpu_s: number[]; file_cpu_s: number[]; raw_s: number[]; raw_cpu_s: number[] });
      for (const [k, [name, path]] of masks.entries()) {
        const g = gdal[k];
        g.polygons = lines[k].polygons;
        g.value = lines[k].polygons_value;
        const o = ours[k];
        const api = await measure(async () => {
          o.count = (await vectorizeCog(path, connectivity)).features.length;
        });
        const file = await measure(async () => {
          const { features, epsg } = await vectorizeCog(path, connectivity);
          writeFileSync(join(work, 'out.parquet'), featuresToGeoParquet({ features, epsg, sceneId: 'lake', datetime: new Date(0), class: name === 'water' ? 'water' : 'bloom' }));
        });
        const m = inMemory[k];
        const raw = await measure(async () => {
          const v = new MaskVectorizer({ grid: { epsg: m.epsg, geoTransform: m.gt, width: m.width, height: m.height }, connectivity });
          v.pushRows(m.pixels as Uint8Array, m.height);
          v.finish();
        });
        if (r === 0) continue; // warm-up: JIT, page cache, GDAL's drivers
        o.raw.push(raw.wallMs);
        o.rawCpu.push(raw.cpuMs);
        g.raw.push(lines[k].raw_s[0] * 1000);
        g.rawCpu.push(lines[k].raw_cpu_s[0] * 1000);
        o.api.push(api.wallMs);
        o.apiCpu.push(api.cpuMs);
        o.file.push(file.wallMs);
        o.fileCpu.push(file.cpuMs);
        g.api.push(lines[k].api_s[0] * 1000);
        g.apiCpu.push(lines[k].api_cpu_s[0] * 1000);
        g.file.push(lines[k].file_s[0] * 1000);
        g.fileCpu.push(lines[k].file_cpu_s[0] * 1000);
        g.cli.push(lines[k].cli_s[0] * 1000);
      }
    }
    const results: Array<Record<string, unknown>> = [];
    const r1 = (v: number): number => Math.round(v * 10) / 10;
    for (const [k, [name]] of masks.entries()) {
      const o = ours[k];
      const g = gdal[k];
      if (g.value !== o.count) throw new Error(`${name}: ${o.count} polygons here, ${g.value} from GDAL`);
      const row = {
        bench: 'vector',
        mask: name,
        size: `${water.width}x${water.height}`,
        connectivity,
        runs,
        warmup: WARMUP,
        polygons: o.count,
        gdalPolygonsAllValues: g.polygons,
        apiMs: r1(median(o.api)),
        fileMs: r1(median(o.file)),
        gdalApiMs: r1(median(g.api)),
        gdalFileMs: r1(median(g.file)),
        gdalCliMs: r1(median(g.cli)),
        apiCpuMs: r1(median(o.apiCpu)),
        fileCpuMs: r1(median(o.fileCpu)),
        gdalApiCpuMs: r1(median(g.apiCpu)),
        gdalFileCpuMs: r1(median(g.fileCpu)),
        rawMs: r1(median(o.raw)),
        gdalRawMs: r1(median(g.raw)),
        rawCpuMs: r1(median(o.rawCpu)),
        gdalRawCpuMs: r1(median(g.rawCpu)),
        apiRatio: ratio(g.api, o.api),
        fileRatio: ratio(g.file, o.file),
        apiCpuRatio: ratio(g.apiCpu, o.apiCpu),
        fileCpuRatio: ratio(g.fileCpu, o.fileCpu),
        rawRatio: ratio(g.raw, o.raw),
        rawCpuRatio: ratio(g.rawCpu, o.rawCpu),
      };
      results.push(row);
      console.log(JSON.stringify(row));
    }
    // The pipeline's bloom path: both COGs in, bloom mask, polygons with NDCI mean and max.
    const pipeline = await timeRuns(runs, async () => {
      const w = await readWhole(waterPath);
      const n = await readWhole(ndciPath);
      const b = bloomMask(n.pixels as Float32Array, w.pixels as Uint8Array, 0.3);
      const v = new MaskVectorizer({ grid: { epsg: w.epsg, geoTransform: w.gt, width: w.width, height: w.height }, connectivity });
      v.pushRows(b, w.height, n.pixels as Float32Array);
      v.finish();
    });
    console.log(JSON.stringify({ bench: 'vector', mask: 'bloom from water+ndci COGs, with NDCI stats', apiMs: Math.round(median(pipeline) * 10) / 10 }));
    console.log(JSON.stringify({ bench: 'vector', summary: results.map((r) => `${r.mask}: api x${r.apiRatio} (cpu x${r.apiCpuRatio}), file x${r.fileRatio} (cpu x${r.fileCpuRatio}), raw x${r.rawRatio} (cpu x${r.rawCpuRatio})`).join('; ') }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// warp.bench.ts imports benchScene from here; only a direct run benchmarks.
if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
