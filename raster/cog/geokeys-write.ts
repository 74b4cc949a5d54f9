/**
 * GeoTIFF georeferencing tags for the main IFD: GeoKeyDirectory with the minimal key set GDAL needs to name the CRS
 * (GTModelType, GTRasterType, GeographicType or ProjectedCSType), plus ModelPixelScale + ModelTiepoint for north-up
 * transforms or ModelTransformation when the transform is rotated.
 */
import { GeoKey, ModelType, RasterType, TiffTag, TiffType } from '../tiff/const';
import type { GeoReference } from '../types';
import type { TagEntry } from './ifd-writer';

/**
 * Whether an EPSG code names a geographic 2D CRS. EPSG keeps those in 4000–4999 (4326 WGS 84, 4258 ETRS89, 4269 NAD83);
 * the few geocentric and 3D codes in that range are listed. Everything else is treated as projected.
 */
export function isGeographicEpsg(epsg: number): boolean {
  if (epsg < 4000 || epsg > 4999) return false;
  return ![4328, 4329, 4936, 4937, 4938, 4939, 4978, 4979].includes(epsg);
}

export function geoTags(geo: GeoReference): TagEntry[] {
  const [x0, sx, rx, y0, ry, sy] = geo.geoTransform;
  const keys: number[][] = [];
  if (geo.epsg !== undefined) {
    const geographic = isGeographicEpsg(geo.epsg);
    keys.push([GeoKey.GTModelType, 0, 1, geographic ? ModelType.Geographic : ModelType.Projected]);
    keys.push([GeoKey.GTRasterType, 0, 1, geo.pixelIsPoint ? RasterType.PixelIsPoint : RasterType.PixelIsArea]);
    keys.push([geographic ? GeoKey.GeographicType : GeoKey.ProjectedCSType, 0, 1, geo.epsg]);
  } else {
    keys.push([GeoKey.GTRasterType, 0, 1, geo.pixelIsPoint ? RasterType.PixelIsPoint : RasterType.PixelIsArea]);
  }
  const directory = [1, 1, 0, keys.length, ...keys.flat()];
  // PixelIsPoint: the tiepoint / transform origin is the centre of the first pixel (GDAL shifts back on read).
  const ox = geo.pixelIsPoint ? x0 + 0.5 * sx + 0.5 * rx : x0;
  const oy = geo.pixelIsPoint ? y0 + 0.5 * ry + 0.5 * sy : y0;
  const tags: TagEntry[] = [];
  if (rx === 0 && ry === 0) {
    tags.push({ tag: TiffTag.ModelPixelScale, type: TiffType.Double, values: [sx, -sy, 0] });
    tags.push({ tag: TiffTag.ModelTiepoint, type: TiffType.Double, values: [0, 0, 0, ox, oy, 0] });
  } else {
    tags.push({
      tag: TiffTag.ModelTransformation,
      type: TiffType.Double,
      values: [sx, rx, 0, ox, ry, sy, 0, oy, 0, 0, 0, 0, 0, 0, 0, 1],
    });
  }
  tags.push({ tag: TiffTag.GeoKeyDirectory, type: TiffType.Short, values: directory });
  return tags;
}
