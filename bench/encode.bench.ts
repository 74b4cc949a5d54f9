/**
 * COG tile encoding, one core: every 512x512 tile of a float32 product encoded DEFLATE level 6 + predictor 3 by
 * `encodeTile` (what the tile job does for NDWI and NDCI), against `gdal_translate -co COMPRESS=DEFLATE
 * -co PREDICTOR=3 -co ZLEVEL=6 -co NUM_THREADS=1` of the same raster (whose time also includes reading the
 * uncompressed input and writing the file, so GDAL's figure is a lower bound of its encode speed).
 *
 * Input: an uncompressed, 512-tiled single-band float32 GeoTIFF (bench/run.sh makes it from an NDWI output).
 * Run: `node dist/bench/encode.bench.js INPUT [--reps N]`. Prints one JSON line per side (MB/s of raw input).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeBlock, initCodecs } from '../raster/compression/decode-block';
import { encodeTile, resolveTileEncoding } from '../raster/cog/tile-codec';
import { FileSource } from '../raster/source';
import { Tiff } from '../raster/tiff/tiff';
import { median } from './bench-args';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const r = args.indexOf('--reps');
  const reps = r >= 0 ? Number(args.splice(r, 2)[1]) : 3;
  const input = args[0];
  if (!input) throw new Error('usage: encode.bench.js INPUT [--reps N]');
  await initCodecs();
  const source = new FileSource(input);
  const tiff = await Tiff.open(source);
  const image = tiff.images[0];
  const codec = image.blockCodec();
  const tiles: Float32Array[] = [];
  for (let row = 0; row < image.blocksDown; row++) {
    for (let col = 0; col < image.blocksAcross; col++) tiles.push(decodeBlock(codec, await image.readBlockBytes(col, row)) as Float32Array);
  }
  await source.close();
  const enc = resolveTileEncoding({ compression: 'deflate', level: 6, tileSizePx: codec.blockWidth }, 'float32', 1);
  const rawBytes = tiles.reduce((n, t) => n + t.byteLength, 0);
  let outBytes = 0;
  const passMs: number[] = [];
  for (let rep = 0; rep <= reps; rep++) {
    performance.mark('encode:start');
    outBytes = 0;
    for (const t of tiles) outBytes += encodeTile(enc, t).byteLength;
    performance.mark('encode:end');
    if (rep > 0) passMs.push(performance.measure('encode', 'encode:start', 'encode:end').duration);
    performance.clearMarks();
    performance.clearMeasures();
  }
  const ms = median(passMs);
  console.log(JSON.stringify({
    bench: 'encode', side: 'tessera', codec: 'deflate-6+p3', tiles: tiles.length, rawMB: round(rawBytes / 1e6),
    ratio: round(rawBytes / outBytes), ms: round(ms), msMin: round(Math.min(...passMs)), msMax: round(Math.max(...passMs)),
    mbPerS: round(rawBytes / 1e6 / (ms / 1000)),
  }));

  const dir = mkdtempSync(join(tmpdir(), 'encode-bench-'));
  try {
    const gdalMs: number[] = [];
    let gdalBytes = 0;
    for (let rep = 0; rep <= reps; rep++) {
      const out = join(dir, `gdal-${rep}.tif`);
      const t0 = performance.now();
      const res = spawnSync('gdal_translate', ['-q', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=512', '-co', 'BLOCKYSIZE=512', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3', '-co', 'ZLEVEL=6', '-co', 'NUM_THREADS=1', '--config', 'GDAL_NUM_THREADS', '1', input, out]);
      if (res.status !== 0) throw new Error(`gdal_translate failed: ${res.stderr}`);
      if (rep > 0) gdalMs.push(performance.now() - t0);
      gdalBytes = statSync(out).size;
    }
    const g = median(gdalMs);
    console.log(JSON.stringify({
      bench: 'encode', side: 'gdal_translate', codec: 'deflate-6+p3', rawMB: round(rawBytes / 1e6), ratio: round(rawBytes / gdalBytes),
      ms: round(g), msMin: round(Math.min(...gdalMs)), msMax: round(Math.max(...gdalMs)), mbPerS: round(rawBytes / 1e6 / (g / 1000)),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
