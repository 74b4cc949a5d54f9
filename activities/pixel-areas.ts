import { isKnownEpsg } from '../raster/geo/crs';
import { pixelAreasM2 } from '../raster/geo/pixel-area';
import type { ScenePlan } from '../workflows/types';

/** Per-row pixel areas of a scene, kept per process: every tile of a scene needs a slice of the same array. */
const cache = new Map<string, Float64Array>();
const CAPACITY = 16;

/**
 * Area in m² of one pixel in each of `rows` rows from `y0`, from the plan's CRS (metres for a projected CRS,
 * geodesic per row for EPSG:4326); undefined for a scene without georeferencing or in a CRS the projection layer
 * does not know (README lists them), whose areas stay 0 and whose item has no footprint.
 */
export function rowAreasM2(plan: Pick<ScenePlan, 'epsg' | 'geoTransform' | 'width' | 'height'>, y0: number, rows: number): Float64Array | undefined {
  if (plan.epsg === null || !plan.geoTransform || !isKnownEpsg(plan.epsg)) return undefined;
  const id = JSON.stringify([plan.epsg, plan.geoTransform, plan.width, plan.height]);
  let all = cache.get(id);
  if (!all) {
    all = pixelAreasM2({ epsg: plan.epsg, geoTransform: plan.geoTransform as never, width: plan.width, height: plan.height });
    cache.set(id, all);
    if (cache.size > CAPACITY) cache.delete(cache.keys().next().value as string);
  }
  return all.slice(y0, y0 + rows);
}
