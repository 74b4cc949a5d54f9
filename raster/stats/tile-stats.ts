/**
 * Per-tile statistics of a product, for the tile statistics table and the scene summary.
 */
import { percentilesInPlace } from './percentile';
import { resolveRegion, type TileRegion } from './region';

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
 * Copies the valid values of a region into a fresh array (float64, so sums and percentiles are computed
 * exactly as numpy does on the values cast to float64).
 */
export function validValues(values: Float32Array | Uint8Array, opts: TileStatsOptions, what: string): Float64Array {
  const { rows, cols, rowStride } = resolveRegion(values.length, opts, what);
  const nodata = opts.nodata ?? NaN;
  const out = new Float64Array(rows * cols);
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
 * Percentiles select ranks in a float64 copy of the valid values (O(n); no full sort).
 *
 * @throws RasterError (INVALID_ARGUMENT) when the region does not fit the buffer.
 */
export function tileStats(values: Float32Array | Uint8Array, opts: TileStatsOptions = {}): TileStats {
  const { rows, cols } = resolveRegion(values.length, opts, 'tileStats');
  const valid = validValues(values, opts, 'tileStats');
  const n = valid.length;
  const count = rows * cols;
  if (n === 0) {
    return { count, validCount: 0, min: null, max: null, mean: null, std: null, p2: null, p50: null, p98: null };
  }
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = valid[i];
    sum += v;
    min = v < min ? v : min;
    max = v > max ? v : max;
  }
  const mean = sum / n;
  // Two passes: sum of squared deviations, not E[x²] − E[x]², which cancels badly for data far from 0.
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = valid[i] - mean;
    ss += d * d;
  }
  const [p2, p50, p98] = percentilesInPlace(valid, [2, 50, 98]);
  return { count, validCount: n, min, max, mean, std: Math.sqrt(ss / n), p2, p50, p98 };
}
