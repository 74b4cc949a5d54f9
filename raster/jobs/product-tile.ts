/**
 * The per-tile job, run in a worker thread: decode the input blocks of one output tile (only the bands its
 * products read), evaluate every product in one program (fused HAB kernel + compiled formula sets,
 * products/program.ts), then per asked product: statistics and scene counters, the compressed COG tile and its
 * 2x-reduced block for overviews; plus a preview block (planes averaged over previewFactor² pixels). Returns
 * finished tile-part objects, so the activity only has to PUT bytes.
 */
import type { BlockCodec } from '../compression/decode-block';
import { downsample2x } from '../cog/overview';
import { encodeTile, type TileEncoding } from '../cog/tile-codec';
import { bloomFraction, tileStats } from '../stats/tile-stats';
import type { TypedArray } from '../types';
import { extractBands, type BlockPayload, type PixelWindow } from './extract-bands';
import { HISTOGRAM_BINS, INT16_NODATA, isMask, MASK_NODATA, nodataValue, type ProductDefinition, type ProductDtype } from './products/definition';
import { tileProgram, type ProductValues } from './products/program';
import { encodeTilePart } from './tile-part';

export interface ProductTileJob {
  file: string;
  codec: BlockCodec;
  blocks: BlockPayload[];
  col: number;
  row: number;
  window: PixelWindow;
  tileSizePx: number;
  /** Band input (HAB role, catalog band key, wavelength name) → its 0-based band index in the file. */
  bands: Record<string, number>;
  nodata: number | null;
  /** Every product the tile computes (asked ones and what they read), dependencies first. */
  definitions: ProductDefinition[];
  /** Effective parameters per product. */
  params: Record<string, Record<string, number>>;
  /** Products whose tile parts are written. */
  products: string[];
  /** Identifies `definitions` and `bands`' names; the thread keeps the compiled program under it. */
  programKey: string;
  /** Whether the COGs get overviews (then every product part carries its reduced block). */
  overviews: boolean;
  /** Preview reduction factor (power of two, <= tileSizePx); 0 = no preview. */
  previewFactor: number;
  /** Preview planes: `rgb.red`, `rgb.green`, `rgb.blue` (reflectance of those roles) and product names (values). */
  previewPlanes: string[];
  /** Tile encoding per stored sample type. */
  encodings: Partial<Record<ProductDtype, TileEncoding>>;
  /** Area in m² of one pixel of each row of the window (length window.height); areas are 0 without it. */
  rowAreasM2?: Float64Array;
}

export interface ProductTileOutput {
  /** Tile-part bytes per product, plus 'preview' when asked. */
  parts: Record<string, Uint8Array>;
  /** The scene counters of the tile (see the `counters` of the products that carry them). */
  counts: { validPixels: number; waterPixels: number; bloomPixels: number };
}

export function runProductTile(job: ProductTileJob): ProductTileOutput {
  const ts = job.tileSizePx;
  const n = ts * ts;
  const program = tileProgram(job.programKey, job.definitions, Object.keys(job.bands));
  const rgbRoles = job.previewPlanes.filter((p) => p.startsWith('rgb.')).map((p) => p.slice(4));
  const roles = [...new Set([...program.roles, ...rgbRoles])];
  const indices = [...new Set(roles.map((r) => job.bands[r]))];
  // Decoding first: a damaged block fails the tile before anything else is done.
  const arrays = extractBands(job.codec, job.blocks, job.window, ts, indices, job.nodata);
  const bands = Object.fromEntries(roles.map((r) => [r, arrays[indices.indexOf(job.bands[r])]]));
  const values = program.run(bands, n, job.params);

  const defs = new Map(job.definitions.map((d) => [d.name, d]));
  const region = { width: ts, height: ts, validWidth: job.window.width, validHeight: job.window.height };
  const area = new WindowArea(job, ts);
  const parts: Record<string, Uint8Array> = {};
  let counts: ProductTileOutput['counts'] | undefined;
  for (const product of job.products) {
    const def = defs.get(product)!;
    const f32 = values.f32[product];
    const mask = values.masks[product];
    const s = mask ? tileStats(mask, { ...region, nodata: MASK_NODATA }) : tileStats(f32, region);
    const stats: Record<string, number | null> = { ...s };
    const scene = sceneCounters(def, values, job.params[product] ?? {}, region, area, s.validCount);
    Object.assign(stats, scene.stats);
    counts ??= def.statistics.counters || job.products.every((p) => !defs.get(p)!.statistics.counters) ? scene.counts : undefined;

    const pixels = stored(def, f32, mask);
    const tile = encodeTile(job.encodings[def.dtype]!, pixels);
    const half = job.overviews ? downsample2x(pixels, ts, ts, 1, { nodata: nodataValue(def), method: def.overviewResampling }) : null;
    parts[product] = encodeTilePart(
      { product, col: job.col, row: job.row, stats, histogram: isMask(def) ? undefined : histogram(f32, ts, job.window, def.statistics.histogramRange) },
      tile,
      half ? { pixels: half.pixels, width: half.width, height: half.height, sampleType: def.dtype } : null,
    );
  }

  if (job.previewFactor > 0) {
    const planes = job.previewPlanes.map((name) => reduce(name.startsWith('rgb.') ? bands[name.slice(4)] : values.f32[name], ts, job.previewFactor));
    const size = ts / job.previewFactor;
    parts.preview = encodeTilePart({ product: 'preview', col: job.col, row: job.row, stats: {} }, null, null, { names: job.previewPlanes, width: size, height: size, data: planes });
  }
  return { parts, counts: counts ?? { validPixels: 0, waterPixels: 0, bloomPixels: 0 } };
}

/**
 * The counters a product's tile part carries, so that any subset of products gives the same scene numbers for
 * the products it has:
 * - valid input pixels and their area: the water mask's valid pixels for the water family (`counters`), the
 *   `where` mask's valid pixels for a product computed inside a mask, the product's own valid pixels otherwise;
 * - the product's own valid area: inside its mask (water for NDCI), else the valid input area;
 * - water pixels and area (`counters` water or bloom), and bloom: water pixels whose value is above the product's
 *   `threshold` (`counters` bloom), with the bloom fraction's denominator.
 */
function sceneCounters(
  def: ProductDefinition,
  values: ProductValues,
  params: Readonly<Record<string, number>>,
  region: { width: number; height: number; validWidth: number; validHeight: number },
  area: WindowArea,
  ownValid: number,
): { stats: Record<string, number | null>; counts: ProductTileOutput['counts'] } {
  const stats: Record<string, number | null> = {};
  const water = values.masks.water;
  const inputMask = def.statistics.counters ? water : def.where ? values.masks[def.where] : undefined;
  const own = values.f32[def.name];
  const inputValid = inputMask ? area.count((i) => inputMask[i] !== MASK_NODATA) : { pixels: ownValid, areaM2: area.sum((i) => own[i] === own[i]) };
  stats.validPixels = inputValid.pixels;
  stats.validInputAreaM2 = inputValid.areaM2;
  const whereMask = def.where ? values.masks[def.where] : undefined;
  stats.validAreaM2 = whereMask ? area.sum((i) => whereMask[i] === 1) : inputValid.areaM2;
  const counts = { validPixels: inputValid.pixels, waterPixels: 0, bloomPixels: 0 };
  if (def.statistics.counters && water) {
    const w = area.count((i) => water[i] === 1);
    stats.waterPixels = w.pixels;
    stats.waterAreaM2 = w.areaM2;
    counts.waterPixels = w.pixels;
  }
  if (def.statistics.counters === 'bloom' && water) {
    const t = Math.fround(params.threshold);
    const bloom = bloomFraction(own, water, params.threshold, region);
    // Water pixels with a valid value: the denominator of the bloom fraction.
    const wet = area.count((i) => water[i] === 1 && own[i] === own[i]).pixels;
    stats.bloomFraction = bloom;
    stats.bloomPixels = bloom === null ? 0 : Math.round(bloom * wet);
    stats.bloomAreaM2 = area.sum((i) => water[i] === 1 && own[i] > t);
    stats.ndciWaterPixels = wet;
    counts.bloomPixels = stats.bloomPixels;
  }
  return { stats, counts };
}

/** Pixel counts and areas over the tile's window (padding excluded); areas weight each row by its pixel area. */
class WindowArea {
  constructor(
    private readonly job: Pick<ProductTileJob, 'window' | 'rowAreasM2'>,
    private readonly ts: number,
  ) {}

  count(test: (i: number) => boolean): { pixels: number; areaM2: number } {
    const rows = this.job.rowAreasM2;
    let pixels = 0;
    let areaM2 = 0;
    for (let y = 0; y < this.job.window.height; y++) {
      let k = 0;
      for (let i = y * this.ts, end = y * this.ts + this.job.window.width; i < end; i++) k += +test(i);
      pixels += k;
      if (rows) areaM2 += k * rows[y];
    }
    return { pixels, areaM2 };
  }

  sum(test: (i: number) => boolean): number {
    return this.job.rowAreasM2 ? this.count(test).areaM2 : 0;
  }
}

/** The samples a product's COG stores: float32 values, a uint8 mask, or int16 = round((value − offset) / factor). */
function stored(def: ProductDefinition, f32: Float32Array, mask: Uint8Array | undefined): TypedArray {
  if (mask) return mask;
  if (def.dtype !== 'int16') return f32;
  const { factor, offset } = def.scale ?? { factor: 1, offset: 0 };
  const out = new Int16Array(f32.length);
  for (let i = 0; i < f32.length; i++) {
    const v = f32[i];
    const q = Math.round((v - offset) / factor);
    // Values the type cannot hold are clamped to its range; -32768 stays nodata.
    out[i] = v !== v ? INT16_NODATA : q < -32767 ? -32767 : q > 32767 ? 32767 : q;
  }
  return out;
}

/** Counts of the window's valid values in HISTOGRAM_BINS equal bins over `range` (end bins take the rest). */
function histogram(values: Float32Array, ts: number, window: PixelWindow, range: readonly [number, number]): number[] {
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const [lo, hi] = range;
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
