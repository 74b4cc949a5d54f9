/**
 * The WGS 84 footprint of a raster grid, as STAC wants it: a GeoJSON Polygon or MultiPolygon (RFC 7946) and its
 * [west, south, east, north] bbox. Each edge is densified in pixel space and projected, so a UTM or polar
 * stereographic scene gets its curved outline, not the lon/lat box of its corners.
 */
import { bboxToGeometry, type LonLatBbox } from '../stac/geometry';
import { projectionFor } from './crs';
import { GeoInputError } from './errors';
import { checkGrid, pixelToCrs, type GridInput } from './grid';

/** [lon, lat] in degrees. */
export type Position = [number, number];

export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Position[][];
}

export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}

export interface FootprintInput extends GridInput {
  /**
   * Positions sampled along each raster edge, its start corner included, so the ring has 4·pointsPerEdge
   * positions before it is closed or split. More follow a curved edge more closely: with 32, a 60 km UTM edge is
   * sampled every ~2 km. Whole number in [1, 10000].
   * @default 32
   */
  pointsPerEdge?: number;
}

export interface Footprint {
  /** Counter-clockwise exterior rings, positions rounded to 1e-7° (~1 cm). */
  geometry: PolygonGeometry | MultiPolygonGeometry;
  /** Extent of `geometry`; west > east when it crosses the antimeridian (RFC 7946 §5.2). */
  bbox: LonLatBbox;
}

const DEFAULT_POINTS_PER_EDGE = 32;
const MAX_POINTS_PER_EDGE = 10_000;
/** RFC 7946 §11.2 suggests 6 decimals; 7 keeps ~1 cm, below any pixel we read, at little extra size. */
const SCALE = 1e7;

/**
 * The footprint of the grid in WGS 84 lon/lat.
 *
 * - EPSG:4326 grids are used as they are (no transform), longitudes beyond ±180 (0–360 grids) wrapped.
 * - A footprint crossing the antimeridian becomes a MultiPolygon of its parts east and west of it (RFC 7946
 *   §3.1.9), with bbox west > east.
 * - A footprint containing a pole (its outline winds once around it, as a polar stereographic scene over the pole
 *   does) becomes one Polygon that follows the outline from -180° to 180° and closes along the pole: for the north
 *   pole (-180, φ) … (180, φ') → (180, 90) → (-180, 90). Its bbox spans all longitudes and reaches ±90°. In
 *   lon/lat (RFC 7946 allows no other CRS) a cap around a pole can only be written this way, with the pole as an
 *   edge of the plane; STAC bboxes of polar scenes take the same [-180, s, 180, 90] form. An outline passing
 *   exactly through the pole is not treated specially.
 *
 * @throws UnknownCrsError for an EPSG code Tessera has no definition for.
 * @throws GeoInputError for a singular or non-finite geotransform, a size that is not whole pixels, a bad
 *   pointsPerEdge, or an edge point outside the CRS's domain (non-finite, or beyond ±90° latitude).
 */
export function footprintWgs84(input: FootprintInput): Footprint {
  const subject = `footprint in EPSG:${input.epsg}`;
  const gt = checkGrid(subject, input);
  const n = input.pointsPerEdge ?? DEFAULT_POINTS_PER_EDGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_POINTS_PER_EDGE) {
    throw new GeoInputError(subject, `pointsPerEdge ${n} is not a whole number in [1, ${MAX_POINTS_PER_EDGE}]`);
  }
  const projection = projectionFor(input.epsg);
  const ring = edgeRing(input.width, input.height, n).map(([col, row]): Position => {
    const [x, y] = pixelToCrs(gt, col, row);
    const [lon, lat] = projection.toLonLat(x, y);
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lat) > 90 + 1e-9) {
      throw new GeoInputError(subject, `pixel (${col}, ${row}) at (${x}, ${y}) has no lon/lat in EPSG:${input.epsg} (got ${lon}, ${lat})`);
    }
    return [lon, Math.max(-90, Math.min(90, lat))];
  });

  // A geographic grid is affine in lon/lat, so its longitudes are continuous as they are; a projected one's
  // are unwrapped step by step (each step < 180° after densification), which also shows whether it winds round a pole.
  const lons = projection.geographic ? ring.map((p) => p[0]) : unwrap(ring.map((p) => p[0]));
  const winding = projection.geographic ? 0 : lons[lons.length - 1] + wrap180(lons[0] - lons[lons.length - 1]) - lons[0];
  if (Math.abs(winding) > 180) return polarFootprint(ring, winding);
  return ordinaryFootprint(ring.map((p, i): Position => [lons[i], p[1]]));
}

/** Pixel positions around the grid: top, right, bottom, left edge, n per edge (open ring, no repeated corner). */
function edgeRing(width: number, height: number, n: number): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < n; i++) out.push([(width * i) / n, 0]);
  for (let i = 0; i < n; i++) out.push([width, (height * i) / n]);
  for (let i = 0; i < n; i++) out.push([width - (width * i) / n, height]);
  for (let i = 0; i < n; i++) out.push([0, height - (height * i) / n]);
  return out;
}

/** A longitude difference brought into [-180, 180]. */
function wrap180(d: number): number {
  return d - 360 * Math.round(d / 360);
}

/** Longitudes made continuous: the first in [-180, 180), each next one within 180° of its predecessor. */
function unwrap(lons: number[]): number[] {
  const out = [lons[0] - 360 * Math.floor((lons[0] + 180) / 360)];
  for (let i = 1; i < lons.length; i++) out.push(out[i - 1] + wrap180(lons[i] - lons[i - 1]));
  return out;
}

function round(v: number): number {
  // + 0 turns -0 into 0, which JSON would otherwise print as 0 and compare unequal to the object.
  return Math.round(v * SCALE) / SCALE + 0;
}

/** Rounded, without consecutive repeats, closed (first position repeated last). */
function closedRounded(ring: Position[]): Position[] {
  const out: Position[] = [];
  for (const [lon, lat] of ring) {
    const p: Position = [round(lon), round(lat)];
    const last = out[out.length - 1];
    if (last === undefined || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  if (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) out.pop();
  out.push([out[0][0], out[0][1]]);
  return out;
}

/** Shoelace area in degrees²: positive for a counter-clockwise ring (open or closed). */
function signedArea(ring: Position[]): number {
  let a = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[(i + 1) % ring.length];
    a += x0 * y1 - x1 * y0;
  }
  return a / 2;
}

/** Sutherland–Hodgman against one side of the meridian lon = 180 (the ring's longitudes are continuous). */
function clipAt180(ring: Position[], keepEast: boolean): Position[] {
  const inside = (p: Position): boolean => (keepEast ? p[0] >= 180 : p[0] <= 180);
  const cut = (p: Position, q: Position): Position => [180, p[1] + ((180 - p[0]) / (q[0] - p[0])) * (q[1] - p[1])];
  const out: Position[] = [];
  for (let i = 0; i < ring.length; i++) {
    const prev = ring[(i + ring.length - 1) % ring.length];
    const cur = ring[i];
    if (inside(cur)) {
      if (!inside(prev)) out.push(cut(prev, cur));
      out.push(cur);
    } else if (inside(prev)) {
      out.push(cut(prev, cur));
    }
  }
  return out;
}

function latExtent(rings: Position[][]): [number, number] {
  let s = Infinity;
  let n = -Infinity;
  for (const r of rings) for (const p of r) ((s = Math.min(s, p[1])), (n = Math.max(n, p[1])));
  return [s, n];
}

function lonExtent(ring: Position[]): [number, number] {
  let w = Infinity;
  let e = -Infinity;
  for (const p of ring) ((w = Math.min(w, p[0])), (e = Math.max(e, p[0])));
  return [w, e];
}

/** A footprint that does not wind round a pole; `ring` has continuous longitudes. */
function ordinaryFootprint(ringIn: Position[]): Footprint {
  const [minLon] = lonExtent(ringIn);
  const shift = 360 * Math.floor((minLon + 180) / 360);
  let ring = ringIn.map(([lon, lat]): Position => [round(lon - shift), round(lat)]);
  if (signedArea(ring) < 0) ring = ring.reverse();
  const [w, e] = lonExtent(ring);
  const [s, n] = latExtent([ring]);

  if (e - w >= 360) {
    // Only a geographic grid of 360° or more gets here: it covers every longitude.
    const bbox: LonLatBbox = [-180, s, 180, n];
    return { geometry: bboxToGeometry(bbox) as PolygonGeometry, bbox };
  }
  if (e <= 180) {
    const closed = closedRounded(ring);
    return { geometry: { type: 'Polygon', coordinates: [closed] }, bbox: [w, s, e, n] };
  }
  const east = closedRounded(clipAt180(ring, false));
  const west = closedRounded(clipAt180(ring, true).map(([lon, lat]): Position => [lon - 360, lat]));
  // A part that rounds to a sliver (a raster touching 180° by less than 1e-7°) is dropped.
  const parts = [east, west].filter((r) => r.length >= 4 && signedArea(r) > 0);
  if (parts.length === 1) {
    const [pw, pe] = lonExtent(parts[0]);
    return { geometry: { type: 'Polygon', coordinates: [parts[0]] }, bbox: [pw, s, pe, n] };
  }
  return {
    geometry: { type: 'MultiPolygon', coordinates: [[east], [west]] },
    bbox: [lonExtent(east)[0], s, lonExtent(west)[1], n],
  };
}

/** A footprint whose outline winds once round a pole (winding = ±360° of longitude). */
function polarFootprint(ringIn: Position[], winding: number): Footprint {
  // Walk the outline eastwards (longitude increasing) whatever the grid's orientation.
  const ring = winding > 0 ? ringIn : [...ringIn].reverse();
  const lons = unwrap(ring.map((p) => p[0]));
  const count = ring.length;
  const lonAt = (i: number): number => lons[i % count] + 360 * Math.floor(i / count);
  const latAt = (i: number): number => ring[i % count][1];
  const north = ring.reduce((sum, p) => sum + p[1], 0) >= 0;

  // Cut the outline at the first meridian ≡ 180° after its start, and follow it one full turn to the next one.
  const c = -180 + 360 * Math.ceil((lonAt(0) + 180) / 360);
  const crossing = (from: number, meridian: number): { index: number; lat: number } => {
    for (let i = from; i < 2 * count; i++) {
      const l0 = lonAt(i);
      const l1 = lonAt(i + 1);
      if (l0 <= meridian && meridian < l1) return { index: i, lat: latAt(i) + ((meridian - l0) / (l1 - l0)) * (latAt(i + 1) - latAt(i)) };
    }
    throw new Error(`footprint: no crossing of meridian ${meridian}`); // unreachable: the outline winds +360°
  };
  const start = crossing(0, c);
  const end = crossing(start.index + 1, c + 360);
  const offset = c + 180;
  // The outline of a grid containing the pole is star-shaped about it, so longitudes only grow; the clamp only
  // guards against a wiggle of a non-convex edge.
  const clampLon = (lon: number): number => Math.max(-180, Math.min(180, lon - offset));
  const path: Position[] = [[-180, start.lat]];
  for (let i = start.index + 1; i <= end.index; i++) path.push([clampLon(lonAt(i)), latAt(i)]);
  path.push([180, end.lat]);

  const [s, n] = latExtent([path]);
  if (north) {
    const closed = closedRounded([...path, [180, 90], [-180, 90]]);
    return { geometry: { type: 'Polygon', coordinates: [closed] }, bbox: [-180, round(s), 180, 90] };
  }
  const closed = closedRounded([[-180, -90], [180, -90], ...path.reverse()]);
  return { geometry: { type: 'Polygon', coordinates: [closed] }, bbox: [-180, -90, 180, round(n)] };
}
