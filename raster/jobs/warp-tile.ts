/**
 * The warp job of one target tile, run in a worker thread: the source window the tile samples (planWarpTiles'
 * window, halo included, read once by the activity) in, the warped tile out, padded to the COG block size so it
 * goes to the COG builder as it is. Both buffers move between threads as transferables.
 *
 * The kernel samples float32 and uint8. An int16 product (stored integers with a scale) is warped as float32,
 * which holds every int16 exactly (its source may come as int16 or already widened to float32), and rounded back
 * to the nearest integer as GDAL does for integer targets.
 */
import type { GridInput } from '../geo/grid';
import { warpTile, type PixelWindow, type WarpMethod } from '../warp/kernel';
import type { WarpGrid } from '../warp/suggested-output';
import { WarpInputError } from '../warp/errors';

export type WarpSampleType = 'float32' | 'uint8' | 'int16';
type WarpSamples = Float32Array | Uint8Array | Int16Array;

export interface WarpTileJob {
  /** The source pixels the tile samples, row-major and compact (width × height), or null when it misses the source. */
  source: (PixelWindow & { pixels: WarpSamples }) | null;
  srcGrid: GridInput;
  dstGrid: WarpGrid;
  /** The target pixels of the tile (edge tiles are cut at the grid's edge). */
  tile: PixelWindow;
  sampleType: WarpSampleType;
  /** Nodata of source and target (NaN allowed for float32). */
  nodata: number;
  method: WarpMethod;
  /** Side of the padded output block; the padding is nodata. */
  tileSizePx: number;
}

export interface WarpTileOutput {
  /** tileSizePx² samples of `sampleType`, row-major; the tile in the top-left corner. */
  pixels: WarpSamples;
  /** Target pixels that got a value. */
  validCount: number;
  /** Samples the kernel needed outside the window (a planning error; they were taken as nodata). */
  outsideWindow: number;
}

const SUBJECT = 'warp-tile job';

export function runWarpTile(job: WarpTileJob): WarpTileOutput {
  const { tile, tileSizePx: ts, sampleType, nodata } = job;
  if (tile.width > ts || tile.height > ts) throw new WarpInputError(SUBJECT, `tile ${tile.width}x${tile.height} does not fit a ${ts}-px block`);
  const int16 = sampleType === 'int16';
  let source = job.source;
  if (source && source.pixels instanceof Int16Array) source = { ...source, pixels: Float32Array.from(source.pixels) };
  if (source && !(source.pixels instanceof Float32Array || source.pixels instanceof Uint8Array)) {
    throw new WarpInputError(SUBJECT, `source samples are a ${source.pixels.constructor.name}, not ${sampleType}`);
  }
  const warped = warpTile({
    source: source as (PixelWindow & { pixels: Float32Array | Uint8Array }) | null,
    srcGrid: job.srcGrid,
    dstGrid: job.dstGrid,
    tile,
    method: job.method,
    nodata,
  });
  const out = sampleType === 'uint8' ? new Uint8Array(ts * ts) : int16 ? new Int16Array(ts * ts) : new Float32Array(ts * ts);
  out.fill(nodata);
  const px = warped.pixels;
  for (let r = 0; r < tile.height; r++) {
    const from = r * tile.width;
    if (!int16) {
      out.set(px.subarray(from, from + tile.width), r * ts);
      continue;
    }
    // GDAL rounds bilinear values to the nearest integer of an integer target (GWKRoundValueT: floor(v + 0.5)).
    for (let c = 0; c < tile.width; c++) out[r * ts + c] = Math.max(-32768, Math.min(32767, Math.floor(px[from + c] + 0.5)));
  }
  return { pixels: out, validCount: warped.validCount, outsideWindow: warped.outsideWindow };
}
