/**
 * Does a scene's lon/lat bbox meet the AOI? Exact polygon–rectangle intersection in lon/lat (no projection: both
 * are WGS 84, and a scene is small next to the curvature that would matter). Boundaries count: a bbox that only
 * touches the AOI's edge intersects it.
 */
import type { Aoi, Polygon, Position } from './aoi';

/** [west, south, east, north] in degrees; west > east crosses the antimeridian. */
export type LonLatBbox = [number, number, number, number];

/** True when the bbox and some polygon of the AOI share at least one point. */
export function aoiIntersectsBbox(aoi: Aoi, bbox: LonLatBbox): boolean {
  const [w, s, e, n] = bbox;
  // A box across the antimeridian is two boxes, one each side (RFC 7946 §5.2).
  const boxes: LonLatBbox[] = w <= e ? [bbox] : [[w, s, 180, n], [-180, s, e, n]];
  return boxes.some((b) => aoi.polygons.some((p) => polygonIntersectsBox(p, b)));
}

/**
 * A polygon (with holes) and a closed box intersect when one contains a point of the other or their boundaries
 * cross: a vertex of the polygon lies in the box, a corner of the box lies in the polygon, or an edge of a ring
 * crosses an edge of the box. The three cases cover a box inside a hole (no vertex in it, its corners outside
 * the polygon, no crossing) correctly as disjoint.
 */
export function polygonIntersectsBox(polygon: Polygon, box: LonLatBbox): boolean {
  const [w, s, e, n] = box;
  for (const ring of polygon) {
    for (const [x, y] of ring) if (x >= w && x <= e && y >= s && y <= n) return true;
  }
  const corners: Position[] = [[w, s], [e, s], [e, n], [w, n]];
  if (corners.some((c) => insidePolygon(polygon, c))) return true;
  const edges: Array<[Position, Position]> = corners.map((c, i) => [c, corners[(i + 1) % 4]]);
  for (const ring of polygon) {
    for (let i = 0; i + 1 < ring.length; i++) {
      for (const [a, b] of edges) if (segmentsIntersect(ring[i], ring[i + 1], a, b)) return true;
    }
  }
  return false;
}

/** Even-odd rule over every ring, so holes are outside. */
function insidePolygon(polygon: Polygon, [px, py]: Position): boolean {
  let inside = false;
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

function orient(a: Position, b: Position, c: Position): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function onSegment(a: Position, b: Position, p: Position): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

/** Closed segments ab and cd share a point (touching and collinear overlap included). */
function segmentsIntersect(a: Position, b: Position, c: Position, d: Position): boolean {
  const d1 = orient(c, d, a);
  const d2 = orient(c, d, b);
  const d3 = orient(a, b, c);
  const d4 = orient(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (d1 === 0 && onSegment(c, d, a)) || (d2 === 0 && onSegment(c, d, b)) || (d3 === 0 && onSegment(a, b, c)) || (d4 === 0 && onSegment(a, b, d));
}
