/** GDAL-style geotransform from the GeoTIFF model tags (GeoTIFF 1.0 §2.6, as GDAL's GTiff driver reads them). */
import type { GeoTransform } from '../types';

/**
 * ModelTransformation (34264, 16 doubles, row-major 4x4) wins; else ModelTiepoint (33922) + ModelPixelScale
 * (33550) with the first tiepoint. Undefined when neither is usable (e.g. GCPs without a scale).
 * `pixelIsPoint` moves the origin half a pixel up-left, so the transform is corner-based like GDAL's.
 */
export function geoTransformFromTags(
  tiepoint: number[] | undefined,
  scale: number[] | undefined,
  transformation: number[] | undefined,
  pixelIsPoint: boolean,
): GeoTransform | undefined {
  let gt: GeoTransform | undefined;
  if (transformation && transformation.length >= 16) {
    const m = transformation;
    gt = [m[3], m[0], m[1], m[7], m[4], m[5]];
  } else if (tiepoint && tiepoint.length >= 6 && scale && scale.length >= 2) {
    const [i, j, , x, y] = tiepoint;
    const [sx, sy] = scale;
    gt = [x - i * sx, sx, 0, y + j * sy, 0, -sy];
  }
  if (gt && pixelIsPoint) {
    gt[0] -= gt[1] * 0.5 + gt[2] * 0.5;
    gt[3] -= gt[4] * 0.5 + gt[5] * 0.5;
  }
  return gt;
}
