/**
 * Footprint tests in WGS 84 degrees, planar (as STAC API servers without a spheroid do): a bbox against a bbox,
 * and a GeoJSON geometry against a bbox. Boundaries count as intersecting, as in CQL2's `s_intersects`.
 */
import type { Bbox } from './scene-types';
import { isObject } from './stac';

type Position = [number, number];

/** Whether two bboxes share a point. A bbox with west > east crosses the antimeridian (STAC, RFC 7946 §5.2). */
export function bboxesIntersect(a: Bbox, b: Bbox): boolean {
  if (a[1] > b[3] || b[1] > a[3]) return false;
  return lonSpans(a).some(([aw, ae]) => lonSpans(b).some(([bw, be]) => aw <= be && bw <= ae));
}

/** A bbox's longitude span as one or two plain intervals (two when it crosses the antimeridian). */
function lonSpans(b: Bbox): Array<[number, number]> {
  return b[0] <= b[2] ? [[b[0], b[2]]] : [[b[0], 180], [-180, b[2]]];
}

/**
 * Whether a GeoJSON geometry (Point, LineString, Polygon, their Multi forms, GeometryCollection) shares a point
 * with a bbox. The geometry is taken as given: a polygon drawn across the antimeridian is not split.
 * @returns undefined for something that is not a GeoJSON geometry.
 */
export function geometryIntersectsBbox(geometry: unknown, box: Bbox): boolean | undefined {
  if (!isObject(geometry) || typeof geometry.type !== 'string') return undefined;
  const c = geometry.coordinates;
  switch (geometry.type) {
    case 'Point':
      return isPosition(c) ? lonSpans(box).some((span) => pointInBox(c, span, box)) : undefined;
    case 'MultiPoint':
      return allPositions(c) ? c.some((p) => geometryIntersectsBbox({ type: 'Point', coordinates: p }, box)) : undefined;
    case 'LineString':
      return allPositions(c) ? spansAny(box, (span) => lineHitsBox(c, span, box)) : undefined;
    case 'MultiLineString':
      return Array.isArray(c) && c.every(allPositions) ? c.some((l) => spansAny(box, (span) => lineHitsBox(l, span, box))) : undefined;
    case 'Polygon':
      return isRings(c) ? spansAny(box, (span) => polygonHitsBox(c, span, box)) : undefined;
    case 'MultiPolygon':
      return Array.isArray(c) && c.every(isRings) ? c.some((p) => spansAny(box, (span) => polygonHitsBox(p, span, box))) : undefined;
    case 'GeometryCollection': {
      const parts = geometry.geometries;
      if (!Array.isArray(parts)) return undefined;
      const hits = parts.map((g) => geometryIntersectsBbox(g, box));
      return hits.includes(undefined) ? undefined : hits.includes(true);
    }
    default:
      return undefined;
  }
}

function spansAny(box: Bbox, test: (span: [number, number]) => boolean): boolean {
  return lonSpans(box).some(test);
}

function pointInBox(p: Position, [w, e]: [number, number], box: Bbox): boolean {
  return p[0] >= w && p[0] <= e && p[1] >= box[1] && p[1] <= box[3];
}

function lineHitsBox(line: Position[], span: [number, number], box: Bbox): boolean {
  if (line.some((p) => pointInBox(p, span, box))) return true;
  for (let i = 1; i < line.length; i++) if (segmentHitsBox(line[i - 1], line[i], span, box)) return true;
  return false;
}

/** A polygon meets a box when an edge meets it, or the box lies inside the outer ring (and not in a hole). */
function polygonHitsBox(rings: Position[][], span: [number, number], box: Bbox): boolean {
  if (rings.some((ring) => lineHitsBox(ring, span, box))) return true;
  const centre: Position = [(span[0] + span[1]) / 2, (box[1] + box[3]) / 2];
  return pointInRing(centre, rings[0]) && !rings.slice(1).some((hole) => pointInRing(centre, hole));
}

/** Even-odd ray casting. */
function pointInRing([x, y]: Position, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function segmentHitsBox(a: Position, b: Position, [w, e]: [number, number], box: Bbox): boolean {
  const corners: Position[] = [[w, box[1]], [e, box[1]], [e, box[3]], [w, box[3]]];
  for (let i = 0; i < 4; i++) if (segmentsIntersect(a, b, corners[i], corners[(i + 1) % 4])) return true;
  return false;
}

function segmentsIntersect(p1: Position, p2: Position, p3: Position, p4: Position): boolean {
  const d1 = cross(p3, p4, p1);
  const d2 = cross(p3, p4, p2);
  const d3 = cross(p1, p2, p3);
  const d4 = cross(p1, p2, p4);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (d1 === 0 && onSegment(p3, p4, p1)) || (d2 === 0 && onSegment(p3, p4, p2)) || (d3 === 0 && onSegment(p1, p2, p3)) || (d4 === 0 && onSegment(p1, p2, p4));
}

function cross(a: Position, b: Position, c: Position): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function onSegment(a: Position, b: Position, p: Position): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

function isPosition(v: unknown): v is Position {
  return Array.isArray(v) && v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number' && Number.isFinite(v[0]) && Number.isFinite(v[1]);
}

function allPositions(v: unknown): v is Position[] {
  return Array.isArray(v) && v.length > 0 && v.every(isPosition);
}

function isRings(v: unknown): v is Position[][] {
  return Array.isArray(v) && v.length > 0 && v.every(allPositions);
}
