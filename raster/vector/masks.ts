/**
 * The masks Tessera vectorises. Water is a product COG already (raster/indices/water-mask.ts: 1 water, 0 not,
 * 255 nodata); bloom is derived here from NDCI and water, with the rule `bloomFraction` counts by, so the bloom
 * polygons' pixels add up to the scene's bloom pixel count.
 */
import { VectorInputError } from './errors';

/** Value of the masks where the input is undefined. */
export const MASK_NODATA = 255;

/**
 * bloom = 1 where the pixel is water (water = 1) with an NDCI that is not NaN and above `threshold` (float32
 * comparison, as `ndci > 0.3` in numpy on the float32 raster); 0 where it is valid and not bloom (land, or water
 * at or below the threshold); 255 where the water mask is nodata or a water pixel has no NDCI.
 * @param threshold NDCI threshold (raster/indices/hab.ts BLOOM_NDCI_THRESHOLD is the product's default).
 * @returns `out`.
 * @throws VectorInputError when the three arrays differ in length.
 */
export function bloomMask(ndci: Float32Array, water: Uint8Array, threshold: number, out: Uint8Array = new Uint8Array(water.length)): Uint8Array {
  if (ndci.length !== water.length || out.length !== water.length) {
    throw new VectorInputError('bloom mask', `ndci has ${ndci.length} samples, water ${water.length}, out ${out.length}`);
  }
  const t = Math.fround(threshold);
  for (let i = 0; i < water.length; i++) {
    const w = water[i];
    const v = ndci[i];
    out[i] = w === 1 ? (v !== v ? MASK_NODATA : v > t ? 1 : 0) : w === 0 ? 0 : MASK_NODATA;
  }
  return out;
}
