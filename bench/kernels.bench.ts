/**
 * Index kernels on one core, against numpy on the same pixels: the fused bloom kernel (NDWI → water → NDCI, plus
 * NDVI, as the tile job runs it) and 20 catalog formulas compiled from the spectral-index catalog and evaluated
 * one after the other over the same tile, as a request for 20 indices would.
 *
 * Input: the four central 512x512 blocks of a generated scene (float32, 31 bands, pixel-interleaved); the bands
 * are copied out once (extractBands, untimed) and each kernel runs on band-sequential Float32Arrays. Bands are
 * picked by nearest centre wavelength from the scene's STAC item (INPUT with .json).
 * numpy (bench/reference/kernels_numpy.py, fed the same blocks through GDAL) computes the same formulas in float64
 * with nodata already turned into NaN (untimed), the way such a script is usually written.
 * Run: `node dist/bench/kernels.bench.js INPUT [--reps N]`. Prints one JSON line per kernel family and side.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initCodecs } from '../raster/compression/decode-block';
import { catalogIndex, compileCatalogIndex } from '../raster/indices/catalog';
import type { CompiledIndex } from '../raster/indices/expression';
import { habFused } from '../raster/indices/hab-fused';
import { extractBands } from '../raster/jobs/extract-bands';
import { FileSource } from '../raster/source';
import { Tiff } from '../raster/tiff/tiff';

/** Catalog band keys → centre wavelength (nm) used to pick a scene band. */
const KEY_NM: Record<string, number> = { A: 443, B: 490, G: 560, R: 665, RE1: 705, RE2: 740, RE3: 783, N: 842, N2: 865 };
/** Vegetation and water indices over VNIR bands only, with catalog defaults for every constant. */
const FORMULAS = [
  'NDCI', 'NDWI', 'NDVI', 'EVI', 'SAVI', 'GNDVI', 'MCARI', 'MTCI', 'IRECI', 'CIRE',
  'CIG', 'ARVI', 'OSAVI', 'MSAVI', 'NDREI', 'GEMI', 'MTVI2', 'TCARI', 'EVI2', 'WDRVI',
];
const TILE = 512;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bandIndexByKey(stacPath: string): Record<string, number> {
  const item = JSON.parse(readFileSync(stacPath, 'utf8')) as { assets: Record<string, { 'eo:bands'?: Array<{ center_wavelength: number }> }> };
  const bands = Object.values(item.assets).find((a) => a['eo:bands'])?.['eo:bands'] ?? [];
  const nm = bands.map((b) => b.center_wavelength * 1000);
  const out: Record<string, number> = {};
  for (const [key, want] of Object.entries(KEY_NM)) {
    out[key] = nm.reduce((best, v, i) => (Math.abs(v - want) < Math.abs(nm[best] - want) ? i : best), 0);
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const r = args.indexOf('--reps');
  const reps = r >= 0 ? Number(args.splice(r, 2)[1]) : 5;
  const input = args[0];
  if (!input) throw new Error('usage: kernels.bench.js INPUT [--reps N]');
  await initCodecs();
  const keyBand = bandIndexByKey(input.replace(/\.tiff?$/, '.json'));
  const keys = Object.keys(KEY_NM);

  const source = new FileSource(input);
  const tiff = await Tiff.open(source);
  const image = tiff.images[0];
  const codec = image.blockCodec();
  const nodata = -9999;
  const cx = Math.floor(image.blocksAcross / 2);
  const cy = Math.floor(image.blocksDown / 2);
  const blockXY = [[cx - 1, cy - 1], [cx, cy - 1], [cx - 1, cy], [cx, cy]].filter(([x, y]) => x >= 0 && y >= 0);
  const tiles: Record<string, Float32Array>[] = [];
  for (const [col, row] of blockXY) {
    const bytes = await image.readBlockBytes(col, row);
    const arrays = extractBands(codec, [{ bytes, x: col * TILE, y: row * TILE, rows: TILE, plane: 0 }], { x: col * TILE, y: row * TILE, width: TILE, height: TILE }, TILE, keys.map((k) => keyBand[k]));
    tiles.push(Object.fromEntries(keys.map((k, i) => [k, arrays[i]])));
  }
  await source.close();
  const n = TILE * TILE;
  const view = (a: Float32Array) => ({ data: a, offset: 0, stride: 1 });

  // Fused kernel.
  const out = { ndwi: new Float32Array(n), water: new Uint8Array(n), ndci: new Float32Array(n), ndvi: new Float32Array(n) };
  const fusedMs: number[] = [];
  for (let rep = 0; rep <= reps; rep++) {
    for (const t of tiles) {
      performance.mark('fused:start');
      habFused({ g: view(t.G), n: view(t.N), re: view(t.RE1), r: view(t.R) }, n, { nodata }, out);
      performance.mark('fused:end');
      if (rep > 0) fusedMs.push(performance.measure('fused', 'fused:start', 'fused:end').duration);
      performance.clearMarks();
      performance.clearMeasures();
    }
  }
  const fused = median(fusedMs);
  console.log(JSON.stringify({ bench: 'kernel', side: 'tessera', kernel: 'hab-fused (ndwi+water+ndci+ndvi)', msPerTile: round(fused), mpixPerS: round(n / 1e6 / (fused / 1000)) }));

  // 20 catalog formulas, one after the other over each tile.
  const compiled: CompiledIndex[] = FORMULAS.map((name) => compileCatalogIndex(name));
  const dst = new Float32Array(n);
  const allMs: number[] = [];
  for (let rep = 0; rep <= reps; rep++) {
    for (const t of tiles) {
      const views = Object.fromEntries(keys.map((k) => [k, view(t[k])]));
      performance.mark('formulas:start');
      for (const f of compiled) f.run(views, n, dst, { nodata });
      performance.mark('formulas:end');
      if (rep > 0) allMs.push(performance.measure('formulas', 'formulas:start', 'formulas:end').duration);
      performance.clearMarks();
      performance.clearMeasures();
    }
  }
  const all = median(allMs);
  console.log(JSON.stringify({
    bench: 'kernel', side: 'tessera', kernel: `${FORMULAS.length} catalog formulas`, msPerTile: round(all),
    mpixPerS: round(n / 1e6 / (all / 1000)), formulaMpixPerS: round((FORMULAS.length * n) / 1e6 / (all / 1000)),
  }));

  // numpy on the same blocks and bands.
  const spec = {
    input,
    blocks: blockXY,
    tile: TILE,
    nodata,
    reps,
    bands: keyBand,
    formulas: FORMULAS.map((name) => {
      const idx = catalogIndex(name);
      return { name, formula: idx.formula, constants: compiled[FORMULAS.indexOf(name)].constants };
    }),
  };
  const py = spawnSync('/usr/bin/python3', [join(__dirname, '..', '..', 'bench', 'reference', 'kernels_numpy.py')], { input: JSON.stringify(spec), encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`kernels_numpy.py failed: ${py.stderr}`);
  process.stdout.write(py.stdout);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
