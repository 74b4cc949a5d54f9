/**
 * The map outputs a run asks for, checked against its products before any raster work: which masks are
 * vectorised and from what (`--vectors`), and the grid and resampling of reprojected copies (`--reproject`).
 *
 * The CLI checks the names and the EPSG code before it starts anything; the plan checks them again with the
 * scene's grid, which is where a reprojection that would be too large is found.
 */
import { isKnownEpsg, knownEpsgCodes } from '../../geo/crs';
import { RasterError } from '../../errors';
import { suggestedWarpOutput } from '../../warp/suggested-output';
import { isMask, type ProductDefinition } from './definition';

/** A request for map outputs that cannot be met; retrying cannot help. */
export class MapRequestError extends RasterError {
  override readonly name = 'MapRequestError';
  constructor(subject: string, detail: string) {
    super('INVALID_ARGUMENT', subject, detail);
  }
}

/** Where the polygons of one asked mask come from (workflows/types.ts VectorSource). */
export interface MaskSource {
  name: string;
  product: string;
  bloomThreshold?: number;
  valuesProduct?: string;
}

type Definitions = Readonly<Record<string, ProductDefinition>>;

/**
 * `water`, `bloom` and the run's mask products → their sources.
 * @param asked the products of the run (before partitions are decided: a skipped partition still has its COG).
 * @param params effective parameters per product (`{ ndci: { threshold: 0.3 } }`).
 * @throws MapRequestError naming the first name that is not a mask of the run.
 */
export function resolveMaskSources(
  names: readonly string[],
  asked: readonly string[],
  definitions: Definitions,
  params: Readonly<Record<string, Readonly<Record<string, number>>>> = {},
): MaskSource[] {
  const subject = '--vectors';
  if (names.length === 0) throw new MapRequestError(subject, 'needs at least one mask (water, bloom, or a mask product of the run)');
  const seen = new Set<string>();
  return names.map((name) => {
    if (seen.has(name)) throw new MapRequestError(subject, `"${name}" is listed twice`);
    seen.add(name);
    const def = definitions[name];
    if (def && asked.includes(name)) {
      if (!isMask(def)) {
        throw new MapRequestError(subject, `"${name}" is not a mask product (a mask is water or a comparison such as --index '${name}_mask=${name} > 0.3'); only masks can be vectorised`);
      }
      return { name, product: name };
    }
    if (name === 'bloom') {
      const missing = ['water', 'ndci'].filter((p) => !asked.includes(p));
      if (missing.length) throw new MapRequestError(subject, `bloom polygons are water pixels with NDCI above its threshold: add ${missing.join(' and ')} to --products`);
      return { name, product: 'ndci', bloomThreshold: params.ndci?.threshold ?? 0.3, valuesProduct: 'ndci' };
    }
    if (def) throw new MapRequestError(subject, `"${name}" is not among the run's products; add it to --products`);
    throw new MapRequestError(subject, `"${name}" is not a product of the run (water, bloom, or a mask such as --index 'x=NDTI > 0.1')`);
  });
}

/** @throws MapRequestError for a code the projection layer does not know. */
export function checkReprojectEpsg(epsg: number): void {
  if (!Number.isInteger(epsg) || !isKnownEpsg(epsg)) {
    throw new MapRequestError('--reproject', `EPSG:${epsg} is not among the ${knownEpsgCodes().length} CRSs Tessera can project to (WGS 84, web mercator, UTM zones, ...: README "Maps")`);
  }
}

/** Largest reprojected copy, in pixels: beyond this a warp is refused before it starts. */
export const MAX_REPROJECTED_PIXELS = 2 ** 30;
/** Largest growth of a reprojected copy over its source, in pixels (a scene near a pole in web mercator). */
export const MAX_REPROJECTED_GROWTH = 16;

export interface ReprojectGrid {
  epsg: number;
  width: number;
  height: number;
  geoTransform: [number, number, number, number, number, number];
}

/**
 * gdalwarp's default grid for the scene in EPSG:`epsg`, checked against the size limits.
 * @param file the input, named in errors.
 * @throws MapRequestError for a scene without a CRS, an unknown code, or a grid over the limits.
 */
export function planReprojectGrid(file: string, scene: { width: number; height: number; epsg: number | null; geoTransform: readonly number[] | null }, epsg: number): ReprojectGrid {
  checkReprojectEpsg(epsg);
  if (scene.epsg === null || !scene.geoTransform) throw new MapRequestError(file, `has no CRS or geotransform, so it cannot be reprojected to EPSG:${epsg}`);
  const grid = suggestedWarpOutput({ width: scene.width, height: scene.height, epsg: scene.epsg, geoTransform: scene.geoTransform as ReprojectGrid['geoTransform'] }, epsg);
  const pixels = grid.width * grid.height;
  const limit = Math.min(MAX_REPROJECTED_PIXELS, MAX_REPROJECTED_GROWTH * scene.width * scene.height);
  if (pixels > limit) {
    throw new MapRequestError(
      file,
      `in EPSG:${epsg} would be ${grid.width} x ${grid.height} pixels (${pixels}), over the limit of ${limit} (${MAX_REPROJECTED_GROWTH} x the scene, at most ${MAX_REPROJECTED_PIXELS})`,
    );
  }
  return { epsg, width: grid.width, height: grid.height, geoTransform: grid.geoTransform };
}

/** Resampling per product: the request's, else nearest for masks and bilinear for continuous values. */
export function resamplingFor(products: readonly string[], definitions: Definitions, override?: 'nearest' | 'bilinear'): Record<string, 'nearest' | 'bilinear'> {
  return Object.fromEntries(products.map((p) => [p, override ?? (isMask(definitions[p]) || definitions[p].dtype === 'uint8' ? 'nearest' : 'bilinear')]));
}
