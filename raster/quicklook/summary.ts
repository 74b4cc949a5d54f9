/** The numbers a quick-look page shows, counted from the scene's water and bloom masks. */
import { QuicklookInputError } from './errors';

export interface SceneSummary {
  /** Area of pixels with data (water mask not nodata). @format km² */
  validKm2: number;
  /** Null when the scene has no water mask. @format km² */
  waterKm2: number | null;
  /** Null when the scene has no NDCI. @format km² */
  bloomKm2: number | null;
  /** Bloom pixels over water pixels with an NDCI (bloom mask not nodata); null without such water. */
  bloomFraction: number | null;
  /** Polygons per vectorised mask (`{ water: 12, bloom: 3 }`); a mask not vectorised is absent. */
  polygons: Record<string, number>;
}

/**
 * Areas from the masks (1 in, 0 out, 255 nodata; raster/vector/masks.ts) and raster/geo's per-row pixel areas.
 * @throws QuicklookInputError when the masks differ in length or do not fill whole rows of `rowAreasM2`.
 */
export function summarizeMasks(
  water: Uint8Array,
  bloom: Uint8Array,
  rowAreasM2: ArrayLike<number>,
  polygons: Record<string, number>,
): SceneSummary {
  const rows = rowAreasM2.length;
  if (water.length !== bloom.length || rows === 0 || water.length % rows !== 0) {
    throw new QuicklookInputError(`water has ${water.length} samples, bloom ${bloom.length}, for ${rows} rows`);
  }
  const width = water.length / rows;
  let valid = 0;
  let wet = 0;
  let bloomed = 0;
  let bloomPx = 0;
  let assessed = 0;
  for (let y = 0; y < rows; y++) {
    let v = 0;
    let w = 0;
    let b = 0;
    for (let i = y * width, e = i + width; i < e; i++) {
      const wv = water[i];
      v += +(wv !== 255);
      w += +(wv === 1);
      const bv = bloom[i];
      b += +(bv === 1);
      assessed += +(wv === 1 && bv !== 255);
    }
    bloomPx += b;
    valid += v * rowAreasM2[y];
    wet += w * rowAreasM2[y];
    bloomed += b * rowAreasM2[y];
  }
  return {
    validKm2: valid / 1e6,
    waterKm2: wet / 1e6,
    bloomKm2: bloomed / 1e6,
    bloomFraction: assessed > 0 ? bloomPx / assessed : null,
    polygons,
  };
}
