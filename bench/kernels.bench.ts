/**
 * Index kernels on one core, against numpy on the same pixels: the fused bloom kernel (NDWI → water → NDCI, plus
 * NDVI, as the tile job runs it) and 20 catalog formulas compiled from the spectral-index catalog into one fused
 * pass over the tile (formula-set.ts), as a request for 20 indices runs. For context the same 20 formulas are also
 * timed on the generated-JavaScript engine and one loop per formula (the reference evaluator, the engine before).
 *
 * Input: the four central 512x512 blocks of a generated scene (float32, 31 bands, pixel-interleaved); the bands
 * are copied out once (extractBands, untimed) and each kernel runs on band-sequential Float32Arrays. Bands are
 * picked by nearest centre wavelength from the scene's STAC item (INPUT with .json).
 * numpy (bench/reference/kernels_numpy.py, fed the same blocks through GDAL) computes the same formulas in float64
 * with nodata already turned into NaN (untimed), the way such a script is usually written.
 * It also times the per-tile statistics the tile job computes of the fused kernel's outputs (count, min, max, mean,
 * std and exact p2/p50/p98: raster/stats/tile-stats.ts), on the float ndci and the byte water mask (no numpy side).
 * Run: `node dist/bench/kernels.bench.js INPUT [--reps N]`. Prints one JSON line per kernel family and side, then
 * one `kernel-ratio` line per family: numpy's ms per tile over Tessera's (above 1 = Tessera faster).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initCodecs } from '../raster/compression/decode-block';
import { catalogIndex, compileCatalogIndex } from '../raster/indices/catalog';
import type { CompiledIndex } from '../raster/indices/expression';
import { compileFormulaReference } from '../raster/indices/expression-reference';
import { compileFormulas } from '../raster/indices/formula-set';
import { habFused } from '../raster/indices/hab-fused';
import { extractBands } from '../raster/jobs/extract-bands';
import { MASK_NODATA } from '../raster/jobs/products/definition';
import { FileSource } from '../raster/source';
import { tileStats } from '../raster/stats/tile-stats';
import { Tiff } from '../raster/tiff/tiff';
import { median } from './bench-args';

/** Catalog band keys → centre wavelength (nm) used to pick a scene band. */
const KEY_NM: Record<string, number> = { A: 443, B: 490, G: 560, R: 665, RE1: 705, RE2: 740, RE3: 783, N: 842, N2: 865 };
/** Vegetation and water indices over VNIR bands only, with catalog defaults for every constant. */
const FORMULAS = [
  'NDCI', 'NDWI', 'NDVI', 'EVI', 'SAVI', 'GNDVI', 'MCARI', 'MTCI', 'IRECI', 'CIRE',
  'CIG', 'ARVI', 'OSAVI', 'MSAVI', 'NDREI', 'GEMI', 'MTVI2', 'TCARI', 'EVI2', 'WDRVI',
];
const TILE = 512;

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
  // Untimed passes first: V8 tiers code up over the first calls (JavaScript: interpreter, then on-stack replacement,
  // then optimised code; WebAssembly: Liftoff, then TurboFan compiled in the background), and a worker thread runs
  // hundreds of tiles, so the steady state is what a scene costs. numpy needs no warm-up beyond its first pass.
  const warmup = 3;
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
  for (let rep = 0; rep < warmup + reps; rep++) {
    for (const t of tiles) {
      performance.mark('fused:start');
      habFused({ g: view(t.G), n: view(t.N), re: view(t.RE1), r: view(t.R) }, n, { nodata }, out);
      performance.mark('fused:end');
      if (rep >= warmup) fusedMs.push(performance.measure('fused', 'fused:start', 'fused:end').duration);
      performance.clearMarks();
      performance.clearMeasures();
    }
  }
  const fused = median(fusedMs);
  const lines: Array<Record<string, unknown>> = [];
  lines.push({ bench: 'kernel', side: 'tessera', kernel: 'hab-fused (ndwi+water+ndci+ndvi)', msPerTile: round(fused), mpixPerS: round(n / 1e6 / (fused / 1000)) });

  // Tile statistics of each tile's fused outputs, as the tile job computes them for each product.
  const products = tiles.map((t) => {
    const o = { ndwi: new Float32Array(n), water: new Uint8Array(n), ndci: new Float32Array(n), ndvi: new Float32Array(n) };
    habFused({ g: view(t.G), n: view(t.N), re: view(t.RE1), r: view(t.R) }, n, { nodata }, o);
    return o;
  });
  const statsRows: Array<[string, (o: (typeof products)[number]) => void]> = [
    ['tile-stats (ndci, float32)', (o) => tileStats(o.ndci)],
    ['tile-stats (water, byte)', (o) => tileStats(o.water, { nodata: MASK_NODATA })],
  ];
  for (const [kernel, run] of statsRows) {
    const ms: number[] = [];
    for (let rep = 0; rep < warmup + reps; rep++) {
      for (const o of products) {
        performance.mark('stats:start');
        run(o);
        performance.mark('stats:end');
        if (rep >= warmup) ms.push(performance.measure('stats', 'stats:start', 'stats:end').duration);
        performance.clearMarks();
        performance.clearMeasures();
      }
    }
    const m = median(ms);
    lines.push({ bench: 'kernel', side: 'tessera', kernel, msPerTile: round(m), mpixPerS: round(n / 1e6 / (m / 1000)) });
  }

  // 20 catalog formulas: one fused pass (default engine), the same on the JavaScript engine, and one loop each.
  const compiled: CompiledIndex[] = FORMULAS.map((name) => compileCatalogIndex(name));
  const specs = compiled.map((c) => ({ name: c.name, formula: c.formula, constants: c.constants }));
  const onePass = compileFormulas(specs, { bands: keys });
  const onePassJs = compileFormulas(specs, { bands: keys, engine: 'js' });
  const reference = specs.map((f) => compileFormulaReference(f.name, f.formula, { bands: keys, constants: f.constants }));
  // Outputs as separate allocations, as a caller would make them.
  const outs = FORMULAS.map(() => new Float32Array(n));
  const variants: Array<{ kernel: string; engine: string; run: (views: Record<string, ReturnType<typeof view>>) => void }> = [
    { kernel: `${FORMULAS.length} catalog formulas`, engine: `one pass, ${onePass.stats.engine}`, run: (v) => onePass.run(v, n, outs, { nodata }) },
    { kernel: `${FORMULAS.length} catalog formulas (js engine)`, engine: 'one pass, js', run: (v) => onePassJs.run(v, n, outs, { nodata }) },
    { kernel: `${FORMULAS.length} catalog formulas (one loop each)`, engine: 'reference', run: (v) => reference.forEach((f, j) => f.run(v, n, outs[j], { nodata })) },
  ];
  const formulaMs: Record<string, number> = {};
  for (const variant of variants) {
    const ms: number[] = [];
    for (let rep = 0; rep < warmup + reps; rep++) {
      for (const t of tiles) {
        const views = Object.fromEntries(keys.map((k) => [k, view(t[k])]));
        performance.mark('formulas:start');
        variant.run(views);
        performance.mark('formulas:end');
        if (rep >= warmup) ms.push(performance.measure('formulas', 'formulas:start', 'formulas:end').duration);
        performance.clearMarks();
        performance.clearMeasures();
      }
    }
    const m = median(ms);
    formulaMs[variant.kernel] = m;
    lines.push({
      bench: 'kernel', side: 'tessera', kernel: variant.kernel, engine: variant.engine, msPerTile: round(m),
      mpixPerS: round(n / 1e6 / (m / 1000)), formulaMpixPerS: round((FORMULAS.length * n) / 1e6 / (m / 1000)),
    });
  }
  for (const l of lines) console.log(JSON.stringify(l));

  // numpy on the same blocks and bands.
  const spec = {
    input,
    blocks: blockXY,
    tile: TILE,
    nodata,
    reps,
    bands: keyBand,
    formulas: FORMULAS.map((name, j) => ({ name, formula: catalogIndex(name).formula, constants: compiled[j].constants })),
  };
  // OPENBLAS_* tuning some machines export is irrelevant to element-wise numpy and only changes its start-up.
  const env = { ...process.env };
  delete env['OPENBLAS_CORETYPE'];
  delete env['OPENBLAS_L2_SIZE'];
  const py = spawnSync('/usr/bin/python3', [join(__dirname, '..', '..', 'bench', 'reference', 'kernels_numpy.py')], { input: JSON.stringify(spec), encoding: 'utf8', env });
  if (py.status !== 0) throw new Error(`kernels_numpy.py failed: ${py.stderr}`);
  process.stdout.write(py.stdout);
  const numpy = py.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kernel: string; msPerTile: number });
  const numpyMs = (kernel: string) => numpy.find((l) => l.kernel === kernel)?.msPerTile;
  const ratio = (kernel: string, numpyKernel: string, ms: number) => {
    const ref = numpyMs(numpyKernel);
    if (ref !== undefined) console.log(JSON.stringify({ bench: 'kernel-ratio', kernel, numpyMsPerTile: ref, tesseraMsPerTile: round(ms), numpyOverTessera: round(ref / ms) }));
  };
  ratio('hab-fused (ndwi+water+ndci+ndvi)', 'hab-fused (ndwi+water+ndci+ndvi)', fused);
  for (const v of variants) ratio(v.kernel, `${FORMULAS.length} catalog formulas`, formulaMs[v.kernel]);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
