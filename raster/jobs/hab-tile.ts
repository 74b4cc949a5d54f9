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
}

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
  habFused(
    { g: view('g'), n: view('n'), re: view('re'), r: view('r') },
    n,
    { nodata: job.nodata ?? undefined },
    { ndwi, water, ndci, ndvi },
  );

  const region = { width: ts, height: ts, validWidth: job.window.width, validHeight: job.window.height };
  const waterStats = tileStats(water, { ...region, nodata: WATER_NODATA });
  const ndciStats = tileStats(ndci, region);
  const bloom = bloomFraction(ndci, water, BLOOM_NDCI_THRESHOLD, region);
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
    if (product === 'ndci') {
      stats.bloomFraction = bloom;
      stats.bloomPixels = bloomPixels;
      stats.waterPixels = ndciStats.validCount;
    }
    const encoding = v.type === 'uint8' ? job.encodings.mask : job.encodings.float;
    const tile = encodeTile(encoding, v.pixels);
    const half = job.overviews
      ? downsample2x(v.pixels, ts, ts, 1, { nodata: v.nodata, method: product === 'water' ? 'nearest' : 'average' })
      : null;
    parts[product] = encodeTilePart(
      { product, col: job.col, row: job.row, stats },
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
