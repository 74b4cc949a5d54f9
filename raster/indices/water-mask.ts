/**
 * Water mask from NDWI.
 */
import { assertOutput } from './band-view';
import { WATER_NDWI_THRESHOLD } from './hab';

/** Value of the water mask where NDWI is undefined (input nodata or zero denominator). */
export const WATER_MASK_NODATA = 255;

/**
 * water = NDWI > threshold ? 1 : 0, and 255 where NDWI is NaN.
 *
 * The comparison is made between float32 values: the NDWI as stored and the threshold rounded to float32.
 * That is what `ndwi > 0.3` does in numpy on a float32 raster read back from our output, so a mask recomputed
 * downstream agrees pixel for pixel (an NDWI of exactly float32(0.3) is not water).
 *
 * @param threshold @default WATER_NDWI_THRESHOLD (0.3)
 * @returns `out`.
 */
export function waterMask(
  ndwiValues: Float32Array,
  count: number,
  out: Uint8Array,
  threshold: number = WATER_NDWI_THRESHOLD,
): Uint8Array {
  assertOutput(ndwiValues, count, 'water mask input');
  assertOutput(out, count, 'water mask');
  const t = Math.fround(threshold);
  for (let i = 0; i < count; i++) {
    const v = ndwiValues[i];
    out[i] = v !== v ? WATER_MASK_NODATA : v > t ? 1 : 0;
  }
  return out;
}
