/**
 * Affine transforms in the two orders we meet: GDAL's geotransform (what our TIFF reader returns) and the
 * rasterio/Affine order that STAC `proj:transform` uses.
 */
import type { GeoTransform } from '../types';

/** [a, b, c, d, e, f]: x = a·col + b·row + c, y = d·col + e·row + f (rasterio / `affine.Affine` order). */
export type ProjTransform = [number, number, number, number, number, number];

/** GDAL [originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight] → STAC `proj:transform`. */
export function projTransformFromGeoTransform(gt: GeoTransform): ProjTransform {
  const [c, a, b, f, d, e] = gt;
  return [a, b, c, d, e, f];
}

/**
 * `proj:bbox` [minX, minY, maxX, maxY] in the raster's CRS: the extent of the four outer pixel corners, so it is
 * right for south-up and rotated grids too.
 * @param shape [height, width] in pixels (`proj:shape` order).
 */
export function projBbox(transform: readonly number[], shape: readonly [number, number]): [number, number, number, number] {
  const [a, b, c, d, e, f] = transform;
  const [height, width] = shape;
  const corners = [[0, 0], [width, 0], [0, height], [width, height]].map(([col, row]) => [a * col + b * row + c, d * col + e * row + f]);
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
