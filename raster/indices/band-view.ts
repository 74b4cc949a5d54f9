/**
 * How kernels see one input band without copying it out of a decoded tile.
 */
import { RasterError } from '../errors';
import type { TypedArray } from '../types';

/**
 * A strided view of one band: value `i` is `data[offset + i * stride] * scale + addOffset`.
 * For a pixel-interleaved tile of `s` samples per pixel, band `b` is `{ data: tile, offset: b, stride: s }`;
 * for a band-sequential array it is `{ data: band, offset: 0, stride: 1 }`.
 */
export interface BandView {
  data: TypedArray;
  /** Index of the first pixel's sample in `data`. */
  offset: number;
  /** Samples between consecutive pixels (samples per pixel for interleaved tiles, 1 for a band array). */
  stride: number;
  /** Multiplier applied to raw samples (GDAL band scale). @default 1 */
  scale?: number;
  /** Added after scaling (GDAL band offset). @default 0 */
  addOffset?: number;
}

/** Options every index kernel takes. */
export interface KernelOptions {
  /**
   * Input nodata value, compared with the RAW sample (before scale/offset), as GDAL defines it.
   * NaN samples are always nodata, whatever this says. @default none
   */
  nodata?: number;
}

/** The view of band `band` of a pixel-interleaved tile with `samplesPerPixel` samples per pixel. */
export function interleavedBand(data: TypedArray, band: number, samplesPerPixel: number): BandView {
  return { data, offset: band, stride: samplesPerPixel };
}

/**
 * Checks that `count` pixels can be read from a view; kernels index typed arrays directly, and an
 * out-of-range read would silently yield undefined (NaN) instead of failing.
 *
 * @throws RasterError (INVALID_ARGUMENT) when the view is too short or malformed.
 */
export function assertViewCovers(view: BandView, count: number, what: string): void {
  if (count <= 0) return;
  const last = view.offset + (count - 1) * view.stride;
  if (view.offset < 0 || view.stride < 0 || !Number.isInteger(view.stride) || last >= view.data.length) {
    throw new RasterError(
      'INVALID_ARGUMENT',
      what,
      `view (offset ${view.offset}, stride ${view.stride}) cannot hold ${count} pixels of ${view.data.length} samples`,
    );
  }
}

/** Checks that an output array has room for `count` results. */
export function assertOutput(out: { length: number }, count: number, what: string): void {
  if (out.length < count) {
    throw new RasterError('INVALID_ARGUMENT', what, `output holds ${out.length} values, ${count} needed`);
  }
}
