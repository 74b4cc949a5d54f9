/**
 * The per-tile job of the bloom pipeline, run in a worker thread: decode the input blocks of one output tile,
 * compute NDWI → water → NDCI (→ NDVI) in one fused pass, then per product: statistics, the compressed COG tile and
 * its 2x-reduced block for overviews; plus a preview block (RGB reflectance and NDCI averaged over
 * previewFactor² pixels). Returns finished tile-part objects, so the activity only has to PUT bytes.
 */
import type { BlockCodec } from '../compression/decode-block';
import { downsample2x } from '../cog/overview';
import { encodeTile, type TileEncoding } from '../cog/tile-codec';
import { habFused } from '../indices/hab-fused';
import { BLOOM_NDCI_THRESHOLD, WATER_NDWI_THRESHOLD } from '../indices/hab';
import { bloomFraction, tileStats } from '../stats/tile-stats';
import type { SampleType, TypedArray } from '../types';
import { extractBands, type BlockPayload, type PixelWindow } from './extract-bands';
import { encodeTilePart } from './tile-part';

export type HabRole = 'g' | 'n' | 're' | 'r' | 'red' | 'green' | 'blue';
export type HabProduct = 'ndwi' | 'water' | 'ndci' | 'ndvi';

/** Nodata written in the water mask (1 water, 0 not water). */
export const WATER_NODATA = 255;

export interface HabTileJob {
  file: string;
  codec: BlockCodec;
  blocks: BlockPayload[];
  col: number;
  row: number;
  window: PixelWindow;
  tileSizePx: number;
  /** Input band index per role. */
  bands: Record<HabRole, number>;
  nodata: number | null;
  products: HabProduct[];
  /** Whether the COGs get overviews (then every product part carries its reduced block). */
  overviews: boolean;
  /** Preview reduction factor (power of two, <= tileSizePx); 0 = no preview. */
  previewFactor: number;
  previewPlanes: Array<'red' | 'green' | 'blue' | 'ndci'>;
  encodings: { float: TileEncoding; mask: TileEncoding };
  /** A pixel is water when NDWI > waterThreshold. @default WATER_NDWI_THRESHOLD */
  waterThreshold?: number;
  /** A water pixel is bloom when NDCI > bloomThreshold. @default BLOOM_NDCI_THRESHOLD */
  bloomThreshold?: number;
  /** Area in m² of one pixel of each row of the window (length window.height); areas are 0 without it. */
  rowAreasM2?: Float64Array;
}

/** Bins of the per-tile histograms that scene-level percentiles are merged from (over HISTOGRAM_RANGE). */
export const HISTOGRAM_BINS = 1024;
/** Index products lie in [-1, 1]; values outside fall into the end bins. */
export const HISTOGRAM_RANGE: [number, number] = [-1, 1];

export interface HabTileOutput {
  /** Tile-part bytes per product, plus 'preview' when asked. */
  parts: Record<string, Uint8Array>;
  counts: { validPixels: number; waterPixels: number; bloomPixels: number };
}

export function runHabTile(job: HabTileJob): HabTileOutput {
  const ts = job.tileSizePx;
  const n = ts * ts;
  const roles: HabRole[] = ['g', 'n', 're', 'r', 'red', 'green', 'blue'];
  const wanted = [...new Set(roles.map((r) => job.bands[r]))];
  const arrays = extractBands(job.codec, job.blocks, job.window, ts, wanted, job.nodata);
  const band = (role: HabRole) => arrays[wanted.indexOf(job.bands[role])];
  const view = (role: HabRole) => ({ data: band(role), offset: 0, stride: 1 });

  const ndwi = new Float32Array(n);
  const water = new Uint8Array(n);
  const ndci = new Float32Array(n);
  const ndvi = job.products.includes('ndvi') ? new Float32Array(n) : undefined;
  const bloomThreshold = job.bloomThreshold ?? BLOOM_NDCI_THRESHOLD;
  habFused(
    { g: view('g'), n: view('n'), re: view('re'), r: view('r') },
    n,
    { nodata: job.nodata ?? undefined, waterThreshold: job.waterThreshold ?? WATER_NDWI_THRESHOLD },
    { ndwi, water, ndci, ndvi },
  );

  const region = { width: ts, height: ts, validWidth: job.window.width, validHeight: job.window.height };
  const waterStats = tileStats(water, { ...region, nodata: WATER_NODATA });
  const ndciStats = tileStats(ndci, region);
  const bloom = bloomFraction(ndci, water, bloomThreshold, region);
  const areas = areasM2(job, ts, water, ndci, bloomThreshold);
  const waterPixels = Math.round((waterStats.mean ?? 0) * waterStats.validCount);
  const bloomPixels = bloom === null ? 0 : Math.round(bloom * (ndciStats.validCount));
  const values: Record<HabProduct, { pixels: TypedArray; type: SampleType; nodata: number }> = {
    ndwi: { pixels: ndwi, type: 'float32', nodata: NaN },
    water: { pixels: water, type: 'uint8', nodata: WATER_NODATA },
    ndci: { pixels: ndci, type: 'float32', nodata: NaN },
    ndvi: { pixels: ndvi ?? ndwi, type: 'float32', nodata: NaN },
  };

  const parts: Record<string, Uint8Array> = {};
  for (const product of job.products) {
    const v = values[product];
    const stats: Record<string, number | null> =
      product === 'water' ? { ...waterStats } : product === 'ndci' ? { ...ndciStats } : { ...tileStats(v.pixels as Float32Array, region) };
    // Every part carries the scene-level counters, so any subset of products yields the same summary.
    stats.validPixels = waterStats.validCount;
    stats.validInputAreaM2 = areas.valid;
    stats.validAreaM2 = product === 'ndci' ? areas.water : areas.valid;
    if (product === 'water' || product === 'ndci') {
      stats.waterPixels = waterPixels;
      stats.waterAreaM2 = areas.water;
    }
    if (product === 'ndci') {
      stats.bloomFraction = bloom;
      stats.bloomPixels = bloomPixels;
      stats.bloomAreaM2 = areas.bloom;
      // Water pixels with a valid NDCI: the denominator of the bloom fraction.
      stats.ndciWaterPixels = ndciStats.validCount;
    }
    const encoding = v.type === 'uint8' ? job.encodings.mask : job.encodings.float;
    const tile = encodeTile(encoding, v.pixels);
    const half = job.overviews
      ? downsample2x(v.pixels, ts, ts, 1, { nodata: v.nodata, method: product === 'water' ? 'nearest' : 'average' })
      : null;
    parts[product] = encodeTilePart(
      { product, col: job.col, row: job.row, stats, histogram: v.type === 'float32' ? histogram(v.pixels as Float32Array, ts, job.window) : undefined },
      tile,
      half ? { pixels: half.pixels, width: half.width, height: half.height, sampleType: v.type } : null,
    );
  }

  if (job.previewFactor > 0) {
    const planes = job.previewPlanes.map((name) => reduce(name === 'ndci' ? ndci : band(name), ts, job.previewFactor));
    const size = ts / job.previewFactor;
    parts.preview = encodeTilePart(
      { product: 'preview', col: job.col, row: job.row, stats: {} },
      null,
      null,
      { names: job.previewPlanes, width: size, height: size, data: planes },
    );
  }

  return {
    parts,
    counts: { validPixels: waterStats.validCount, waterPixels, bloomPixels },
  };
}

/**
 * Area-weighted counts over the window: valid input pixels (water mask not nodata), water, and bloom (water with
 * NDCI > threshold). Pixel areas vary by row in a geographic CRS, hence one weight per row.
 */
function areasM2(job: HabTileJob, ts: number, water: Uint8Array, ndci: Float32Array, bloomThreshold: number) {
  let valid = 0;
  let wet = 0;
  let bloom = 0;
  const rows = job.rowAreasM2;
  if (!rows) return { valid, water: wet, bloom };
  const t = Math.fround(bloomThreshold);
  for (let y = 0; y < job.window.height; y++) {
    let v = 0;
    let w = 0;
    let b = 0;
    for (let i = y * ts, end = y * ts + job.window.width; i < end; i++) {
      const m = water[i];
      v += +(m !== WATER_NODATA);
      w += +(m === 1);
      b += +(m === 1 && ndci[i] > t);
    }
    const a = rows[y];
    valid += v * a;
    wet += w * a;
    bloom += b * a;
  }
  return { valid, water: wet, bloom };
}

/** Counts of the window's valid values in HISTOGRAM_BINS equal bins over HISTOGRAM_RANGE (end bins take the rest). */
function histogram(values: Float32Array, ts: number, window: PixelWindow): number[] {
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const [lo, hi] = HISTOGRAM_RANGE;
  const scale = HISTOGRAM_BINS / (hi - lo);
  for (let y = 0; y < window.height; y++) {
    for (let i = y * ts, end = y * ts + window.width; i < end; i++) {
      const v = values[i];
      if (v !== v) continue;
      const bin = Math.floor((v - lo) * scale);
      counts[bin < 0 ? 0 : bin >= HISTOGRAM_BINS ? HISTOGRAM_BINS - 1 : bin]++;
    }
  }
  return counts;
}

/** Averages `factor x factor` blocks (NaN = nodata) by repeated 2x reduction, exactly as the overviews do. */
function reduce(values: Float32Array, size: number, factor: number): Float32Array {
  let cur: TypedArray = values;
  let w = size;
  for (let f = factor; f > 1; f /= 2) {
    const next = downsample2x(cur, w, w, 1, { nodata: NaN, method: 'average' });
    cur = next.pixels;
    w = next.width;
  }
  return cur === values ? values.slice() : (cur as Float32Array);
}

export { WATER_NDWI_THRESHOLD };
