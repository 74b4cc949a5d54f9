import { isKnownEpsg } from '../raster/geo/crs';
import { footprintWgs84, type Footprint } from '../raster/geo/footprint';
import type { ScenePlan } from '../workflows/types';

export type Bbox = [number, number, number, number];

/** Bounding box, in the raster's CRS, of a pixel window: the four corners through the geotransform. */
export function windowBbox(gt: number[], x: number, y: number, width: number, height: number): Bbox {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [px, py] of [[x, y], [x + width, y], [x, y + height], [x + width, y + height]]) {
    xs.push(gt[0] + px * gt[1] + py * gt[2]);
    ys.push(gt[3] + px * gt[4] + py * gt[5]);
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** The scene's bbox in the raster CRS, or null without georeferencing. */
export function sceneBbox(plan: ScenePlan): Bbox | null {
  return plan.geoTransform ? windowBbox(plan.geoTransform, 0, 0, plan.width, plan.height) : null;
}

/**
 * The scene's WGS 84 footprint (GeoJSON geometry and bbox for its STAC item), or null when the plan has no
 * georeferencing or its EPSG code is not one Tessera can project: the item is then published without a footprint
 * (`geometry: null`, as STAC allows) rather than failing a scene whose outputs are already written.
 * @throws GeoInputError for a geotransform or size that describes no grid.
 */
export function sceneFootprint(plan: Pick<ScenePlan, 'epsg' | 'geoTransform' | 'width' | 'height'>): Footprint | null {
  if (plan.epsg === null || !plan.geoTransform || !isKnownEpsg(plan.epsg)) return null;
  return footprintWgs84({ epsg: plan.epsg, geoTransform: plan.geoTransform, width: plan.width, height: plan.height });
}

/** The tile grid in row-major order: the order COG tiles, tables and previews are assembled in. */
export function* tiles(plan: ScenePlan): Generator<{ col: number; row: number; x: number; y: number; width: number; height: number }> {
  const ts = plan.tileSizePx;
  for (let row = 0; row < plan.tilesDown; row++) {
    for (let col = 0; col < plan.tilesAcross; col++) {
      yield { col, row, x: col * ts, y: row * ts, width: Math.min(ts, plan.width - col * ts), height: Math.min(ts, plan.height - row * ts) };
    }
  }
}
