/**
 * Per-tile statistics of a product, for the tile statistics table and the scene summary.
 */
import { percentilesOfCounts, percentilesOfFloat32InPlace } from './percentile';
import { resolveRegion, type ResolvedRegion, type TileRegion } from './region';

export { bloomFraction } from './bloom-fraction';
export type { TileRegion } from './region';

export interface TileStatsOptions extends TileRegion {
  /** Value that marks nodata (NaN always does, for float input). @default none */
  nodata?: number;
}

/** Statistics over the valid pixels of a tile region; null fields when no pixel is valid. */
export interface TileStats {
  /** Pixels in the region, valid or not. */
  count: number;
  /** Pixels that are not NaN and not nodata. */
  validCount: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation (numpy's default ddof=0). */
  std: number | null;
  /** Percentiles by numpy's default linear interpolation. */
  p2: number | null;
  p50: number | null;
  p98: number | null;
}

/**
 * Copies the valid values of a region into a fresh array: float64 by default, so sums and percentiles are computed
 * exactly as numpy does on the values cast to float64; float32 (`Float32Array` as `type`) for
 * percentilesOfFloat32InPlace, exact too since float32 and byte values are float32 numbers.
 */
export function validValues(values: Float32Array | Uint8Array, opts: TileStatsOptions, what: string): Float64Array;
export function validValues(values: Float32Array | Uint8Array, opts: TileStatsOptions, what: string, type: Float32ArrayConstructor): Float32Array;
export function validValues(
  values: Float32Array | Uint8Array,
  opts: TileStatsOptions,
  what: string,
  type: Float64ArrayConstructor | Float32ArrayConstructor = Float64Array,
): Float64Array | Float32Array {
  const { rows, cols, rowStride } = resolveRegion(values.length, opts, what);
  const nodata = opts.nodata ?? NaN;
  const out = new type(rows * cols);
  let k = 0;
  for (let y = 0; y < rows; y++) {
    const end = y * rowStride + cols;
    for (let i = y * rowStride; i < end; i++) {
      const v = values[i];
      out[k] = v;
      // Branch-free append: the slot is overwritten next time when v is NaN or nodata.
      k += +(v === v && v !== nodata);
    }
  }
  return out.subarray(0, k);
}

/**
 * Count, min, max, mean, population std and the 2nd/50th/98th percentiles of the valid pixels of a tile region.
 * Sums run in float64 over the values in pixel order, as numpy's do on the values cast to float64, and
 * percentiles are exact order statistics; no full sort. Float tiles: one pass copies the valid values as float32
 * and sums them; percentiles come from a histogram of their bits and a selection in the few bins that hold the
 * ranks. Byte tiles (masks): counts of each value, which give the sum (exact: integers), min, max and percentiles.
 *
 * @throws RasterError (INVALID_ARGUMENT) when the region does not fit the buffer.
 */
export function tileStats(values: Float32Array | Uint8Array, opts: TileStatsOptions = {}): TileStats {
  const region = resolveRegion(values.length, opts, 'tileStats');
  const nodata = opts.nodata ?? NaN;
  return values instanceof Uint8Array ? byteStats(values, region, nodata) : floatStats(values, region, nodata);
}

function emptyStats(count: number): TileStats {
  return { count, validCount: 0, min: null, max: null, mean: null, std: null, p2: null, p50: null, p98: null };
}

function floatStats(values: Float32Array, { rows, cols, rowStride }: ResolvedRegion, nodata: number): TileStats {
  const count = rows * cols;
  // The valid values in pixel order, as float32 (their own type: no rounding), summed on the way. Adding 0 for an
  // invalid pixel leaves the float64 sum as it was, so it is the sum over the valid values in order.
  const valid = new Float32Array(count);
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let y = 0; y < rows; y++) {
    const end = y * rowStride + cols;
    for (let i = y * rowStride; i < end; i++) {
      const v = values[i];
      valid[n] = v;
      const ok = v === v && v !== nodata;
      n += +ok;
      sum += ok ? v : 0;
      min = ok && v < min ? v : min;
      max = ok && v > max ? v : max;
    }
  }
  if (n === 0) return emptyStats(count);
  const mean = sum / n;
  // Two passes: sum of squared deviations, not E[x²] − E[x]², which cancels badly for data far from 0.
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = valid[i] - mean;
    ss += d * d;
  }
  const [p2, p50, p98] = percentilesOfFloat32InPlace(valid.subarray(0, n), [2, 50, 98], { min, max });
  return { count, validCount: n, min, max, mean, std: Math.sqrt(ss / n), p2, p50, p98 };
}

/**
 * Byte tiles by counting. The sum of integers is exact in float64 whatever the order, so Σ v·count equals the
 * pixel-order sum; the squared deviations are still added in pixel order (from a table of the 256 values, 0 for
 * nodata, and adding 0 changes nothing), so std is the same number too.
 */
function byteStats(values: Uint8Array, { rows, cols, rowStride }: ResolvedRegion, nodata: number): TileStats {
  const count = rows * cols;
  const counts = new Float64Array(256);
  for (let y = 0; y < rows; y++) {
    const end = y * rowStride + cols;
    for (let i = y * rowStride; i < end; i++) counts[values[i]]++;
  }
  const byteNodata = Number.isInteger(nodata) && nodata >= 0 && nodata <= 255;
  if (byteNodata) counts[nodata] = 0;
  let n = 0;
  let sum = 0;
  let min = -1;
  let max = -1;
  for (let v = 0; v < 256; v++) {
    const c = counts[v];
    if (c === 0) continue;
    n += c;
    sum += v * c;
    if (min < 0) min = v;
    max = v;
  }
  if (n === 0) return emptyStats(count);
  const mean = sum / n;
  const squares = new Float64Array(256);
  for (let v = 0; v < 256; v++) {
    const d = v - mean;
    squares[v] = d * d;
  }
  if (byteNodata) squares[nodata] = 0;
  let ss = 0;
  for (let y = 0; y < rows; y++) {
    const end = y * rowStride + cols;
    for (let i = y * rowStride; i < end; i++) ss += squares[values[i]];
  }
  const [p2, p50, p98] = percentilesOfCounts(counts, [2, 50, 98]);
  return { count, validCount: n, min, max, mean, std: Math.sqrt(ss / n), p2, p50, p98 };
}
