/**
 * Block decoding, one core: every full-resolution 512x512 block of each input file decoded by `decodeBlock`
 * (decompress + predictor), timed per block on the main thread with the compressed bytes already in memory.
 * The GDAL counterpart (bench/reference/gdal_decode.py) reads the same blocks of the same files with
 * GDAL_NUM_THREADS=1, so both sides do the same work: one block in, one block of native samples out.
 *
 * Inputs (made by bench/run.sh from the generated scene with gdal_translate, 512 px tiles, pixel-interleaved,
 * 31 bands): float32 LZW+predictor 3 (the scene itself), float32 DEFLATE+p3, float32 ZSTD+p3, uint16 DEFLATE+p2.
 * For pixel-interleaved files with band wavelengths it also times `decodeBlockSamples` on the bands a bloom tile
 * job reads (its seven roles, matched on the file's own metadata), the decode the pipeline actually runs.
 * Run: `node dist/bench/decode.bench.js [--reps N] FILE...`. Prints one JSON line per file.
 */
import { performance } from 'node:perf_hooks';
import { decodeBlock, decodeBlockSamples, initCodecs, type BlockCodec } from '../raster/compression/decode-block';
import { matchBand, sensorFromBandInfo } from '../raster/bands';
import { HAB_ROLES } from '../raster/indices/hab';
import { FileSource } from '../raster/source';
import { Tiff } from '../raster/tiff/tiff';
import { median } from './bench-args';

async function benchFile(path: string, reps: number): Promise<Record<string, unknown>> {
  const source = new FileSource(path);
  try {
    const tiff = await Tiff.open(source);
    const image = tiff.images[0];
    const codec = image.blockCodec();
    const blocks: Uint8Array[] = [];
    for (let row = 0; row < image.blocksDown; row++) {
      for (let col = 0; col < image.blocksAcross; col++) blocks.push(await image.readBlockBytes(col, row));
    }
    const compressedBytes = blocks.reduce((n, b) => n + b.byteLength, 0);
    // Every block is a full tile: its decoded size follows from the codec (timePerBlock does the warm-up pass).
    const blockBytes = codec.blockWidth * codec.blockHeight * codec.samplesPerPixel * (codec.bitsPerSample / 8);
    const decodedBytes = blockBytes * blocks.length;
    const perBlockMs = timePerBlock(blocks, reps, (b) => decodeBlock(codec, b));
    const ms = median(perBlockMs);
    const jobBands = habJobBands(tiff, codec);
    const jobMs = jobBands.length ? median(timePerBlock(blocks, reps, (b) => decodeBlockSamples(codec, b, jobBands))) : null;
    return {
      bench: 'decode',
      file: path,
      compression: codec.compression,
      predictor: codec.predictor,
      sampleType: codec.sampleType,
      samplesPerPixel: codec.samplesPerPixel,
      blocks: blocks.length,
      reps,
      ratio: Math.round((decodedBytes / compressedBytes) * 100) / 100,
      msPerBlock: Math.round(ms * 100) / 100,
      msPerBlockMin: Math.round(Math.min(...perBlockMs) * 100) / 100,
      msPerBlockMax: Math.round(Math.max(...perBlockMs) * 100) / 100,
      decodedMBps: Math.round(blockBytes / 1e6 / (ms / 1000)),
      jobBands,
      msPerBlockJobBands: jobMs === null ? null : Math.round(jobMs * 100) / 100,
    };
  } finally {
    await source.close();
  }
}

/** Milliseconds per call of `decode` on each block, `reps` times over. */
function timePerBlock(blocks: Uint8Array[], reps: number, decode: (block: Uint8Array) => unknown): number[] {
  const out: number[] = [];
  for (const b of blocks) decode(b); // untimed: JIT warm-up for this code path
  for (let r = 0; r < reps; r++) {
    for (const b of blocks) {
      performance.mark('decode:start');
      decode(b);
      performance.mark('decode:end');
      out.push(performance.measure('decode', 'decode:start', 'decode:end').duration);
      performance.clearMarks();
      performance.clearMeasures();
    }
  }
  return out;
}

/** Distinct band indices of the bloom job's roles on a pixel-interleaved file with wavelengths; else none. */
function habJobBands(tiff: Tiff, codec: BlockCodec): number[] {
  const info = tiff.info();
  if (codec.samplesPerPixel === 1 || !info.bands.some((b) => b.wavelengthNm !== undefined)) return [];
  const sensor = sensorFromBandInfo('bench', info.bands);
  try {
    return [...new Set(Object.values(HAB_ROLES).map((role) => matchBand(sensor, role, 'bench').index))];
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const r = args.indexOf('--reps');
  const reps = r >= 0 ? Number(args.splice(r, 2)[1]) : 3;
  await initCodecs();
  for (const path of args) console.log(JSON.stringify(await benchFile(path, reps)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
