/** Checks shared by footprints and pixel areas: a GDAL geotransform and a raster size that describe a real grid. */
import { GeoInputError } from './errors';

/** GDAL order: [originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight], in CRS units. */
export type GdalGeoTransform = readonly [number, number, number, number, number, number];

/** The grid of a raster: its CRS, geotransform and size in pixels. */
export interface GridInput {
  /** EPSG code of the raster's CRS. */
  epsg: number;
  /** GDAL geotransform: x = gt[0] + col·gt[1] + row·gt[2], y = gt[3] + col·gt[4] + row·gt[5], CRS units. */
  geoTransform: readonly number[];
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * @throws GeoInputError unless the geotransform is 6 finite numbers with a non-zero determinant and the size is
 *   whole, positive pixels.
 */
export function checkGrid(subject: string, grid: GridInput): GdalGeoTransform {
  const gt = grid.geoTransform;
  if (gt.length !== 6 || !gt.every(Number.isFinite)) {
    throw new GeoInputError(subject, `geoTransform [${gt.join(', ')}] is not 6 finite numbers (GDAL order)`);
  }
  if (gt[1] * gt[5] - gt[2] * gt[4] === 0) throw new GeoInputError(subject, `geoTransform [${gt.join(', ')}] is singular`);
  if (!Number.isInteger(grid.width) || grid.width <= 0 || !Number.isInteger(grid.height) || grid.height <= 0) {
    throw new GeoInputError(subject, `size ${grid.width} x ${grid.height} is not whole, positive pixels`);
  }
  return [gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]];
}

/** Pixel (col, row) → CRS (x, y); (0, 0) is the outer corner of the first pixel. */
export function pixelToCrs(gt: GdalGeoTransform, col: number, row: number): [number, number] {
  return [gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]];
}
