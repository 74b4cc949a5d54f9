/**
 * Linear contrast stretch of float bands to bytes, for PNG previews.
 */
import { RasterError } from '../errors';
import { percentilesOfFloat32InPlace } from '../stats/percentile';
import { validValues, type TileStatsOptions } from '../stats/tile-stats';

/**
 * Percentiles (0..100, numpy's default linear method) of the valid values (not NaN, not `opts.nodata`) of
 * `values`, or of the region `opts` describes. null for each when no value is valid.
 */
export function percentiles(
  values: Float32Array | Uint8Array,
  ps: number[],
  opts: TileStatsOptions = {},
): Array<number | null> {
  // The histogram selection on float32: the same numbers as a float64 selection, a fraction of the work.
  return percentilesOfFloat32InPlace(validValues(values, opts, 'percentiles', Float32Array), ps);
}

export interface StretchOptions {
  /** Value mapped to 0 besides NaN. @default none */
  nodata?: number;
}

/**
 * Maps `lo..hi` linearly onto 1..255: byte = ⌊1 + (v − lo)·254/(hi − lo) + 0.5⌋ (round half up), clamped
 * to 1..255. 0 is kept for NaN and nodata, so a PNG reader can treat 0 as transparent. When `hi === lo`,
 * values ≤ lo map to 1 and values above to 255.
 *
 * @throws RasterError (INVALID_ARGUMENT) when lo/hi are not finite or hi < lo.
 */
export function stretchToByte(values: Float32Array, lo: number, hi: number, opts: StretchOptions = {}): Uint8Array {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
    throw new RasterError('INVALID_ARGUMENT', 'stretchToByte', `bad range ${lo}..${hi}`);
  }
  const nodata = opts.nodata ?? NaN;
  const out = new Uint8Array(values.length);
  if (hi === lo) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = v !== v || v === nodata ? 0 : v > lo ? 255 : 1;
    }
    return out;
  }
  const k = 254 / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const x = 1 + (v - lo) * k;
    const c = x < 1 ? 1 : x > 255 ? 255 : x;
    // NaN fails both comparisons above and would reach here as NaN; the select below maps it to 0.
    out[i] = v !== v || v === nodata ? 0 : Math.floor(c + 0.5);
  }
  return out;
}
