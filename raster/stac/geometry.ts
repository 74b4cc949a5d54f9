/**
 * Footprint helpers for STAC Items: lon/lat bbox checks, bbox → GeoJSON polygon, and the extent of a GeoJSON
 * geometry, so an Item's `bbox` and `geometry` can be built from one another and checked against each other.
 */
import { StacInputError } from './errors';

/** [west, south, east, north] in degrees (WGS 84). west > east means the box crosses the antimeridian (RFC 7946 §5.2). */
export type LonLatBbox = [number, number, number, number];

/** A GeoJSON geometry object (RFC 7946), loosely typed: coordinates are nested arrays of positions. */
export interface GeoJsonGeometry {
  type: string;
  coordinates?: unknown;
  geometries?: GeoJsonGeometry[];
}

/** @throws StacInputError unless bbox is 4 finite numbers with lon in [-180, 180], lat in [-90, 90], south <= north. */
export function checkLonLatBbox(id: string, bbox: readonly number[]): asserts bbox is LonLatBbox {
  if (bbox.length !== 4 || !bbox.every(Number.isFinite)) throw new StacInputError(id, `bbox [${bbox.join(', ')}] is not 4 finite numbers`);
  const [w, s, e, n] = bbox;
  if (w < -180 || w > 180 || e < -180 || e > 180 || s < -90 || n > 90 || s > n) {
    throw new StacInputError(id, `bbox [${bbox.join(', ')}] is not a lon/lat box [west, south, east, north]`);
  }
}

/**
 * The bbox as a GeoJSON geometry: a counter-clockwise Polygon, or a MultiPolygon of the two halves when the box
 * crosses the antimeridian (RFC 7946 §3.1.9 asks for the split).
 */
export function bboxToGeometry(bbox: LonLatBbox): GeoJsonGeometry {
  const [w, s, e, n] = bbox;
  const ring = (west: number, east: number): number[][] => [[west, s], [east, s], [east, n], [west, n], [west, s]];
  if (w <= e) return { type: 'Polygon', coordinates: [ring(w, e)] };
  return { type: 'MultiPolygon', coordinates: [[ring(w, 180)], [ring(-180, e)]] };
}

/** Every [lon, lat] position of a geometry (any type, collections included). @throws StacInputError on malformed input. */
export function geometryPositions(id: string, geometry: GeoJsonGeometry): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && c.length >= 2 && typeof c[0] === 'number' && typeof c[1] === 'number') {
      out.push([c[0], c[1]]);
    } else if (Array.isArray(c)) {
      c.forEach(walk);
    } else {
      throw new StacInputError(id, `geometry ${geometry.type} has a coordinate that is not a position: ${JSON.stringify(c)}`);
    }
  };
  const KNOWN = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon'];
  if (geometry.type === 'GeometryCollection' && Array.isArray(geometry.geometries)) {
    for (const g of geometry.geometries) out.push(...geometryPositions(id, g));
  } else if (KNOWN.includes(geometry.type) && Array.isArray(geometry.coordinates)) {
    walk(geometry.coordinates);
  } else {
    throw new StacInputError(id, `geometry of type ${String(geometry.type)} is not a GeoJSON geometry`);
  }
  return out;
}

/**
 * Checks that every position of `geometry` lies inside `bbox` (within `toleranceDeg`, for rounding in whoever
 * computed the two), handling a bbox that crosses the antimeridian.
 * @throws StacInputError naming the first position outside.
 */
export function checkGeometryInBbox(id: string, geometry: GeoJsonGeometry, bbox: LonLatBbox, toleranceDeg = 1e-9): void {
  const [w, s, e, n] = bbox;
  const t = toleranceDeg;
  const lonInside = w <= e ? (lon: number) => lon >= w - t && lon <= e + t : (lon: number) => lon >= w - t || lon <= e + t;
  for (const [lon, lat] of geometryPositions(id, geometry)) {
    if (!lonInside(lon) || lat < s - t || lat > n + t) {
      throw new StacInputError(id, `geometry position [${lon}, ${lat}] lies outside bbox [${bbox.join(', ')}]`);
    }
  }
}
