/**
 * 2x reduction of pixel-interleaved samples, the building block of the COG overview pyramid.
 */
import type { TypedArray } from '../types';

export interface DownsampleOptions {
  /** Samples equal to this value are skipped by 'average'; a 2x2 group with no valid sample becomes nodata. */
  nodata?: number;
  /** 'average': mean of the valid samples of each 2x2 group (NaN always counts as invalid); 'nearest': its top-left sample. */
  method: 'average' | 'nearest';
}

/**
 * Halves a raster: output is floor(width/2) x floor(height/2), same sample type as the input. Integer averages are
 * rounded half up (Math.round); float averages are summed in float64 in the order top-left, top-right,
 * bottom-left, bottom-right, then divided and stored in the input type.
 */
export function downsample2x(
  pixels: TypedArray,
  width: number,
  height: number,
  spp: number,
  opts: DownsampleOptions,
): { pixels: TypedArray; width: number; height: number } {
  if (pixels.length < width * height * spp) {
    throw new RangeError(`downsample2x: ${pixels.length} samples < ${width}x${height}x${spp}`);
  }
  const ow = width >> 1;
  const oh = height >> 1;
  const ctor = pixels.constructor as { new (n: number): TypedArray };
  const out = new ctor(ow * oh * spp);
  if (opts.method === 'nearest') {
    for (let y = 0; y < oh; y++) {
      let s = 2 * y * width * spp;
      let d = y * ow * spp;
      for (let x = 0; x < ow; x++, s += 2 * spp, d += spp) {
        for (let k = 0; k < spp; k++) out[d + k] = pixels[s + k];
      }
    }
    return { pixels: out, width: ow, height: oh };
  }
  const isFloat = pixels instanceof Float32Array || pixels instanceof Float64Array;
  // Compare against nodata as stored in this type (e.g. float32 rounding of 0.1), so stored nodata is recognised.
  let nd = NaN;
  const hasNodata = opts.nodata !== undefined && !Number.isNaN(opts.nodata);
  if (hasNodata) {
    const one = new ctor(1);
    one[0] = opts.nodata as number;
    nd = one[0];
  }
  const empty = opts.nodata !== undefined ? (opts.nodata as number) : isFloat ? NaN : 0;
  const rowStride = width * spp;
  for (let y = 0; y < oh; y++) {
    let s = 2 * y * rowStride;
    let d = y * ow * spp;
    for (let x = 0; x < ow; x++, s += 2 * spp, d += spp) {
      for (let k = 0; k < spp; k++) {
        const a = pixels[s + k];
        const b = pixels[s + spp + k];
        const c = pixels[s + rowStride + k];
        const e = pixels[s + rowStride + spp + k];
        let sum = 0;
        let n = 0;
        // v === v rejects NaN.
        if (a === a && a !== nd) { sum += a; n++; }
        if (b === b && b !== nd) { sum += b; n++; }
        if (c === c && c !== nd) { sum += c; n++; }
        if (e === e && e !== nd) { sum += e; n++; }
        out[d + k] = n === 0 ? empty : isFloat ? sum / n : Math.round(sum / n);
      }
    }
  }
  return { pixels: out, width: ow, height: oh };
}
