/**
 * GeoJSON polygons (WGS 84) → SVG path data in a preview's pixel space: each position goes to the scene's CRS
 * through raster/geo's projection, to scene pixels through the inverse geotransform, then to preview pixels by
 * the preview's reduction factor (a preview pixel covers factor × factor scene pixels, raster/preview).
 */
import { projectionFor } from '../geo/crs';
import { checkGrid, type GridInput } from '../geo/grid';
import { QuicklookInputError } from './errors';

/** The parts of a GeoJSON FeatureCollection the overlay reads. */
export interface PolygonFeatureCollection {
  type: 'FeatureCollection';
  features: Array<{
    id?: number | string;
    properties: Record<string, unknown> | null;
    geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
  }>;
}

/** One feature as an SVG path, with the properties the page shows. */
export interface OverlayPath {
  /** SVG path data (`M x y L … Z` per ring), preview pixels, 2 decimals; draw with fill-rule evenodd. */
  d: string;
  properties: Record<string, unknown>;
}

/**
 * The features of `fc` as paths over a preview of the scene `grid`, reduced by `factor`.
 * @throws QuicklookInputError for a position with no coordinates in the scene's CRS; UnknownCrsError,
 *   GeoInputError for a bad grid.
 */
export function overlayPaths(fc: PolygonFeatureCollection, grid: GridInput, factor: number): OverlayPath[] {
  const gt = checkGrid('quicklook overlay', grid);
  const projection = projectionFor(grid.epsg);
  // Inverse of the affine geotransform: CRS → scene pixel.
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  const toPreview = (lon: number, lat: number): [number, number] => {
    const [x, y] = projection.fromLonLat(lon, lat);
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new QuicklookInputError(`(${lon}, ${lat}) has no coordinates in EPSG:${grid.epsg}`);
    const dx = x - gt[0];
    const dy = y - gt[3];
    const col = (gt[5] * dx - gt[2] * dy) / det;
    const row = (-gt[4] * dx + gt[1] * dy) / det;
    return [col / factor, row / factor];
  };
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  return fc.features.map((f) => {
    const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    const parts: string[] = [];
    for (const rings of polygons) {
      for (const ring of rings) {
        // GeoJSON rings repeat their first position; Z closes the path instead.
        const n = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1] ? ring.length - 1 : ring.length;
        for (let i = 0; i < n; i++) {
          const [px, py] = toPreview(ring[i][0], ring[i][1]);
          parts.push(`${i === 0 ? 'M' : 'L'}${r2(px)} ${r2(py)}`);
        }
        parts.push('Z');
      }
    }
    return { d: parts.join(''), properties: f.properties ?? {} };
  });
}
