/**
 * Polygon records → a GeoJSON FeatureCollection (RFC 7946): WGS 84 longitude/latitude through raster/geo's
 * projection layer, exterior rings counter-clockwise and holes clockwise (§3.1.6, the right-hand rule), every
 * ring closed, positions rounded (7 decimals ≈ 1 cm by default).
 *
 * Rings are mapped vertex by vertex: an edge of a pixel boundary is at most a few pixels long, and its
 * curvature in lon/lat is far below the rounding. Polygons are not cut at the antimeridian (no scene Tessera
 * reads crosses it yet); a scene that does would get rings spanning ±180°.
 */
import { projectionFor } from '../geo/crs';
import { VectorInputError } from './errors';
import type { VectorClass, VectorFeature } from './features';
import { ringSignedArea } from './rings';

export interface GeoJsonInput {
  features: VectorFeature[];
  /** CRS of the features' coordinates. */
  epsg: number;
  sceneId: string;
  /** ISO 8601 time of the scene. */
  datetime: string;
  class: VectorClass;
}

export interface GeoJsonOptions {
  /** Decimal places of longitudes and latitudes, 0..15. @default 7 */
  decimals?: number;
}

/**
 * The FeatureCollection as JSON text. Each feature's properties: id, scene_id, datetime, class, area_m2,
 * pixel_count, mean, max (null without a value raster).
 * @throws UnknownCrsError for an EPSG code raster/geo does not know; VectorInputError for bad decimals or a
 *   vertex outside the CRS's domain.
 */
export function featuresToGeoJson(input: GeoJsonInput, opts: GeoJsonOptions = {}): string {
  const decimals = opts.decimals ?? 7;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 15) throw new VectorInputError('geojson', `decimals ${decimals} is not a whole number in 0..15`);
  const scale = 10 ** decimals;
  const projection = projectionFor(input.epsg);
  const round = (v: number): number => Math.round(v * scale) / scale + 0; // + 0: no "-0" in the output
  const parts: string[] = ['{"type":"FeatureCollection","features":['];
  input.features.forEach((f, i) => {
    const polygons = f.polygons.map((rings) =>
      rings.map((ring, k) => {
        const ll: number[] = [];
        for (let j = 0; j < ring.length; j += 2) {
          const [lon, lat] = projection.toLonLat(ring[j], ring[j + 1]);
          if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
            throw new VectorInputError('geojson', `feature ${f.id}: (${ring[j]}, ${ring[j + 1]}) has no lon/lat in EPSG:${input.epsg}`);
          }
          const x = round(lon);
          const y = round(lat);
          const n = ll.length;
          if (n === 0 || ll[n - 2] !== x || ll[n - 1] !== y) ll.push(x, y);
        }
        if (ll.length > 2 && ll[0] === ll[ll.length - 2] && ll[1] === ll[ll.length - 1]) ll.length -= 2;
        // Exterior (k = 0) counter-clockwise, i.e. positive area with y (latitude) up; holes the other way.
        const ccw = ringSignedArea(ll) > 0;
        if (ccw !== (k === 0)) reversePairs(ll);
        return ll;
      }),
    );
    const coords = polygons.map((rings) => `[${rings.map(ringText).join(',')}]`);
    const geometry =
      coords.length === 1 ? `{"type":"Polygon","coordinates":${coords[0]}}` : `{"type":"MultiPolygon","coordinates":[${coords.join(',')}]}`;
    const props = {
      id: f.id,
      scene_id: input.sceneId,
      datetime: input.datetime,
      class: input.class,
      area_m2: f.areaM2,
      pixel_count: f.pixelCount,
      mean: f.mean,
      max: f.max,
    };
    parts.push(`${i === 0 ? '' : ','}{"type":"Feature","id":${f.id},"properties":${JSON.stringify(props)},"geometry":${geometry}}`);
  });
  parts.push(']}');
  return parts.join('');
}

/** Reverses a ring's vertex order keeping its first vertex first. */
function reversePairs(ll: number[]): void {
  for (let a = 2, b = ll.length - 2; a < b; a += 2, b -= 2) {
    const x = ll[a];
    const y = ll[a + 1];
    ll[a] = ll[b];
    ll[a + 1] = ll[b + 1];
    ll[b] = x;
    ll[b + 1] = y;
  }
}

function ringText(ll: number[]): string {
  const pos: string[] = [];
  for (let j = 0; j < ll.length; j += 2) pos.push(`[${ll[j]},${ll[j + 1]}]`);
  pos.push(`[${ll[0]},${ll[1]}]`);
  return `[${pos.join(',')}]`;
}
