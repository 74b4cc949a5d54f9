/**
 * The web-mercator copies of a scene's COGs, one core, against GDAL 3.6 (bench/reference/warp_gdal.py) in the
 * same run, GDAL and Tessera taking turns run by run.
 *
 * Input: the outputs of `tessera run` for a generated scene (2048² × 31 bands, seed 7 by default, EPSG:4326):
 * cog/ndci.tif (float32, NaN nodata, DEFLATE + predictor 3, 512 px tiles) warped bilinear, and cog/water.tif
 * (uint8, 255 nodata) warped nearest, both to EPSG:3857 on gdalwarp's default grid.
 *
 * Rows per raster (milliseconds, median of --runs after one warm-up, wall and CPU time of the process):
 *   api   Tessera: per row of 512 px target tiles, the source rows they sample (read in whole block rows, each
 *         block decoded once: SourceBand), each tile warped from a view into them, assembled into one array.
 *         GDAL: gdal.Warp to a MEM dataset.
 *   file  the same written as a COG (DEFLATE 6, predictor, 512 px tiles, overviews average for NDCI and
 *         nearest for the mask): Tessera's CogBuilder fed tile by tile; GDAL's COG driver from gdal.Warp.
 *   cli   gdalwarp -of COG with the same options (GDAL only; start-up included).
 *   raw   the warp alone: Tessera from the source in memory (read beforehand; plan + tiles + one array); GDAL
 *         to MEM from an uncompressed tiled GTiff copy in the page cache, so its reading is a copy.
 * ratio = GDAL / Tessera (above 1: Tessera is faster).
 *
 * Run: `node dist/bench/warp.bench.js [--scene DIR] [--size 2048] [--runs 3] [--warmup 1]`. Prints one JSON line per
 * raster and a summary line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CogBuilder, writeCogFile } from '../raster/cog/builder';
import { FileSource } from '../raster/source';
import { Tiff } from '../raster/tiff/tiff';
import type { SampleType } from '../raster/types';
import { warpTile, type PixelWindow, type WarpMethod } from '../raster/warp/kernel';
import { groupTileRows, planWarpTiles } from '../raster/warp/plan';
import { SourceBand } from '../raster/warp/source-band';
import { warpRaster } from '../raster/warp/warp-raster';
import type { GridInput } from '../raster/geo/grid';
import { suggestedWarpOutput, type WarpGrid } from '../raster/warp/suggested-output';
import { benchScene } from './vector.bench';
import { arg, median } from './bench-args';

const ROOT = join(__dirname, '..', '..');
const TILE = 512;

/** Untimed calls before each timed one. */
const WARMUP = Number(arg('warmup', '1'));

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

interface WarpSink {
  /** Called once with the target grid, before the first tile. */
  begin(grid: WarpGrid, sampleType: SampleType, nodata: number): void;
  /** Each target tile as it is done (tile rows in order, left to right). */
  tile(col: number, row: number, tile: PixelWindow, px: Float32Array | Uint8Array): Promise<void> | void;
}

/**
 * Warps a COG to EPSG:3857 tile row by tile row: one read of the source rows a row of target tiles samples,
 * each tile warped from a view into them (the pipeline's streaming path).
 */
async function warpCog(path: string, method: WarpMethod, sink: WarpSink): Promise<void> {
  const src = new FileSource(path);
  try {
    const tiff = await Tiff.open(src);
    const info = tiff.info();
    const srcGrid = { epsg: info.geo?.epsg as number, geoTransform: info.geo?.geoTransform as number[], width: info.width, height: info.height };
    const nodata = info.nodata ?? (info.sampleType === 'uint8' ? 255 : NaN);
    const dstGrid = suggestedWarpOutput(srcGrid, 3857);
    sink.begin(dstGrid, info.sampleType, nodata);
    // Source rows are read in whole block rows, each once, and kept while the tile rows need them.
    const band = new SourceBand(tiff.images[0]);
    for (const row of groupTileRows(planWarpTiles(srcGrid, dstGrid, { method, tileSizePx: TILE }))) {
      const rowSource = row.source === null ? null : await band.window(row.source);
      for (const p of row.tiles) {
        const source = rowSource === null || p.source === null ? null : { ...p.source, pixels: rowSource.pixels, stride: rowSource.stride, offset: (rowSource.offset ?? 0) + (p.source.y - rowSource.y) * (rowSource.stride ?? 0) + (p.source.x - rowSource.x) };
        const { pixels } = warpTile({ source, srcGrid, dstGrid, tile: p.tile, method, nodata });
        await sink.tile(p.col, p.row, p.tile, pixels);
      }
    }
  } finally {
    await src.close?.();
  }
}

/** The warped raster as one array (what GDAL's MEM dataset holds). */
async function warpToArray(path: string, method: WarpMethod): Promise<Float32Array | Uint8Array> {
  let out: Float32Array | Uint8Array = new Uint8Array(0);
  let width = 0;
  await warpCog(path, method, {
    begin(grid, sampleType) {
      width = grid.width;
      out = sampleType === 'uint8' ? new Uint8Array(grid.width * grid.height) : new Float32Array(grid.width * grid.height);
    },
    tile(_col, _row, tile, px) {
      for (let y = 0; y < tile.height; y++) out.set(px.subarray(y * tile.width, (y + 1) * tile.width), (tile.y + y) * width + tile.x);
    },
  });
  return out;
}

/** The warped raster as a COG on disk, tiles handed to the CogBuilder as they are done. */
async function warpToCog(path: string, method: WarpMethod, outPath: string): Promise<void> {
  let builder: CogBuilder | null = null;
  let fill = 0;
  let type: SampleType = 'uint8';
  await warpCog(path, method, {
    begin(grid, sampleType, nodata) {
      fill = nodata;
      type = sampleType;
      builder = new CogBuilder({
        width: grid.width,
        height: grid.height,
        bandCount: 1,
        sampleType,
        nodata,
        bands: [],
        geo: { epsg: grid.epsg, geoTransform: grid.geoTransform },
        profile: { compression: 'deflate', level: 6, tileSizePx: TILE },
        overviewResampling: method === 'nearest' ? 'nearest' : 'average',
      });
    },
    async tile(col, row, tile, px) {
      let full = px;
      if (tile.width !== TILE || tile.height !== TILE) {
        // Edge tiles are padded to the COG's block size with nodata.
        full = type === 'uint8' ? new Uint8Array(TILE * TILE) : new Float32Array(TILE * TILE);
        full.fill(fill);
        for (let y = 0; y < tile.height; y++) full.set(px.subarray(y * tile.width, (y + 1) * tile.width), y * TILE);
      }
      await (builder as CogBuilder).addTile(col, row, full);
    },
  });
  await writeCogFile(outPath, builder as unknown as CogBuilder);
}

/** A COG's first band in memory with its grid and nodata (the raw rows' input, read untimed). */
async function readSource(path: string): Promise<{ pixels: Float32Array | Uint8Array; grid: GridInput; nodata: number }> {
  const src = new FileSource(path);
  try {
    const tiff = await Tiff.open(src);
    const info = tiff.info();
    const [band] = await tiff.images[0].readWindow({ x: 0, y: 0, width: info.width, height: info.height });
    const grid = { epsg: info.geo?.epsg as number, geoTransform: info.geo?.geoTransform as number[], width: info.width, height: info.height };
    return { pixels: band as Float32Array | Uint8Array, grid, nodata: info.nodata ?? (info.sampleType === 'uint8' ? 255 : NaN) };
  } finally {
    await src.close?.();
  }
}

async function main(): Promise<void> {
  const size = Number(arg('size', '2048'));
  const runs = Number(arg('runs', '3'));
  const scene = arg('scene', '') || benchScene(size);
  const work = mkdtempSync(join(tmpdir(), 'warp-bench-'));
  try {
    const rasters = [
      { name: 'ndci', path: join(scene, 'cog', 'ndci.tif'), method: 'bilinear' as const, gdal: 'bilinear', ovr: 'AVERAGE' },
      { name: 'water', path: join(scene, 'cog', 'water.tif'), method: 'nearest' as const, gdal: 'near', ovr: 'NEAREST' },
    ];
    const k = (): Record<'api' | 'file' | 'apiCpu' | 'fileCpu' | 'cli' | 'raw' | 'rawCpu', number[]> => ({ api: [], file: [], apiCpu: [], fileCpu: [], cli: [], raw: [], rawCpu: [] });
    const inMemory = await Promise.all(rasters.map((x) => readSource(x.path)));
    const ours = rasters.map(k);
    const gdal = rasters.map(k);
    const sizes: string[] = rasters.map(() => '');
    for (let r = 0; r <= runs; r++) {
      const lines = execFileSync('/usr/bin/python3', [join(ROOT, 'bench', 'reference', 'warp_gdal.py'), '--runs', '1', '--t_srs', 'EPSG:3857', '--workdir', work, ...rasters.map((x) => `${x.path}:${x.gdal}:${x.ovr}`)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { size: number[]; api_s: number[]; file_s: number[]; cli_s: number[]; api_cpu_s: number[]; file_cpu_s: number[]; raw_s: number[]; raw_cpu_s: number[] });
      for (const [i, x] of rasters.entries()) {
        const api = await measure(() => warpToArray(x.path, x.method));
        const file = await measure(() => warpToCog(x.path, x.method, join(work, `${x.name}.3857.tif`)));
        const raw = await measure(async () => {
          const m = inMemory[i];
          warpRaster({ pixels: m.pixels, srcGrid: m.grid, dstEpsg: 3857, method: x.method, nodata: m.nodata });
        });
        sizes[i] = lines[i].size.join('x');
        if (r === 0) continue;
        ours[i].raw.push(raw.wallMs);
        ours[i].rawCpu.push(raw.cpuMs);
        gdal[i].raw.push(lines[i].raw_s[0] * 1000);
        gdal[i].rawCpu.push(lines[i].raw_cpu_s[0] * 1000);
        ours[i].api.push(api.wallMs);
        ours[i].apiCpu.push(api.cpuMs);
        ours[i].file.push(file.wallMs);
        ours[i].fileCpu.push(file.cpuMs);
        gdal[i].api.push(lines[i].api_s[0] * 1000);
        gdal[i].apiCpu.push(lines[i].api_cpu_s[0] * 1000);
        gdal[i].file.push(lines[i].file_s[0] * 1000);
        gdal[i].fileCpu.push(lines[i].file_cpu_s[0] * 1000);
        gdal[i].cli.push(lines[i].cli_s[0] * 1000);
      }
    }
    const r1 = (v: number): number => Math.round(v * 10) / 10;
    const ratio = (a: number[], b: number[]): number => Math.round((median(a) / median(b)) * 100) / 100;
    const rows = rasters.map((x, i) => ({
      bench: 'warp',
      raster: x.name,
      method: x.method,
      target: `EPSG:3857 ${sizes[i]}`,
      runs,
      warmup: WARMUP,
      apiMs: r1(median(ours[i].api)),
      fileMs: r1(median(ours[i].file)),
      gdalApiMs: r1(median(gdal[i].api)),
      gdalFileMs: r1(median(gdal[i].file)),
      gdalCliMs: r1(median(gdal[i].cli)),
      apiCpuMs: r1(median(ours[i].apiCpu)),
      fileCpuMs: r1(median(ours[i].fileCpu)),
      gdalApiCpuMs: r1(median(gdal[i].apiCpu)),
      gdalFileCpuMs: r1(median(gdal[i].fileCpu)),
      rawMs: r1(median(ours[i].raw)),
      gdalRawMs: r1(median(gdal[i].raw)),
      rawCpuMs: r1(median(ours[i].rawCpu)),
      gdalRawCpuMs: r1(median(gdal[i].rawCpu)),
      apiRatio: ratio(gdal[i].api, ours[i].api),
      fileRatio: ratio(gdal[i].file, ours[i].file),
      apiCpuRatio: ratio(gdal[i].apiCpu, ours[i].apiCpu),
      fileCpuRatio: ratio(gdal[i].fileCpu, ours[i].fileCpu),
      rawRatio: ratio(gdal[i].raw, ours[i].raw),
      rawCpuRatio: ratio(gdal[i].rawCpu, ours[i].rawCpu),
    }));
    for (const row of rows) console.log(JSON.stringify(row));
    console.log(JSON.stringify({ bench: 'warp', summary: rows.map((r) => `${r.raster} ${r.method}: api x${r.apiRatio} (cpu x${r.apiCpuRatio}), file x${r.fileRatio} (cpu x${r.fileCpuRatio}), raw x${r.rawRatio} (cpu x${r.rawCpuRatio})`).join('; ') }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
