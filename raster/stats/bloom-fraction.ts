/**
 * Share of water under bloom: the headline number of the HAB product.
 */
import { RasterError } from '../errors';
import { resolveRegion, type TileRegion } from './region';

/**
 * Share of valid water pixels (water = 1 and NDCI not NaN) whose NDCI is above `threshold`, or null when
 * the region has no such pixel. The comparison is float32 against the threshold rounded to float32, as
 * `ndci > 0.3` does in numpy on the written float32 raster.
 *
 * @param region only this part of the buffers counts (padded edge tiles).
 * @throws RasterError (INVALID_ARGUMENT) when the arrays differ in length or the region does not fit.
 */
export function bloomFraction(
  ndci: Float32Array,
  water: Uint8Array,
  threshold: number,
  region: TileRegion = {},
): number | null {
  if (ndci.length !== water.length) {
    throw new RasterError('INVALID_ARGUMENT', 'bloomFraction', `ndci has ${ndci.length} values, water ${water.length}`);
  }
  const { rows, cols, rowStride } = resolveRegion(ndci.length, region, 'bloomFraction');
  const t = Math.fround(threshold);
  let waterCount = 0;
  let bloom = 0;
  for (let y = 0; y < rows; y++) {
    const end = y * rowStride + cols;
    for (let i = y * rowStride; i < end; i++) {
      const v = ndci[i];
      const isWater = water[i] === 1 && v === v;
      waterCount += +isWater;
      bloom += +(isWater && v > t);
    }
  }
  return waterCount === 0 ? null : bloom / waterCount;
}
