/**
 * The area of interest of `tessera report --aoi`: a GeoJSON file (RFC 7946, lon/lat WGS 84) holding a Polygon,
 * a MultiPolygon, a Feature of one, or a FeatureCollection of them, read into plain polygons.
 */
import type { ObjectStore } from '../../platform/storage/object-store';
import { ObjectNotFoundError } from '../../platform/storage/errors';
import { UsageError } from '../usage-error';

/** [lon, lat] in degrees. */
export type Position = [number, number];
/** A closed ring: the first position is repeated at the end. */
export type Ring = Position[];
/** Outer ring first, then holes. */
export type Polygon = Ring[];

export interface Aoi {
  /** What the user passed, for messages and the chart's subtitle. */
  source: string;
  polygons: Polygon[];
}

/**
 * Reads and checks an AOI file through the store (a path, `file://` or `s3://` URI).
 * @throws UsageError (one line naming the file) when it is missing, not JSON, holds no polygon, holds another
 *   geometry type, or has a ring that is too short or whose coordinates are not lon/lat degrees.
 */
export async function readAoi(store: ObjectStore, uri: string): Promise<Aoi> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(uri);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new UsageError(`--aoi ${uri}: no such file`);
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new UsageError(`--aoi ${uri}: not JSON (${(err as Error).message})`);
  }
  try {
    const polygons = polygonsOf(doc, 'the file');
    if (polygons.length === 0) throw new AoiShapeError('holds no polygon');
    return { source: uri, polygons };
  } catch (err) {
    if (err instanceof AoiShapeError) throw new UsageError(`--aoi ${uri}: ${err.message}`);
    throw err;
  }
}

class AoiShapeError extends Error {}

function polygonsOf(node: unknown, where: string): Polygon[] {
  const obj = node as { type?: unknown; coordinates?: unknown; geometry?: unknown; features?: unknown };
  if (typeof node !== 'object' || node === null || typeof obj.type !== 'string') {
    throw new AoiShapeError(`${where} is not a GeoJSON object (no "type")`);
  }
  switch (obj.type) {
    case 'FeatureCollection':
      if (!Array.isArray(obj.features)) throw new AoiShapeError(`${where} is a FeatureCollection without "features"`);
      return obj.features.flatMap((f, i) => polygonsOf(f, `feature ${i}`));
    case 'Feature':
      if (obj.geometry === null || obj.geometry === undefined) throw new AoiShapeError(`${where} has no geometry`);
      return polygonsOf(obj.geometry, where);
    case 'Polygon':
      return [polygon(obj.coordinates, where)];
    case 'MultiPolygon':
      if (!Array.isArray(obj.coordinates)) throw new AoiShapeError(`${where}: MultiPolygon without coordinates`);
      return obj.coordinates.map((p, i) => polygon(p, `${where}, polygon ${i}`));
    default:
      throw new AoiShapeError(`${where} is a ${obj.type}; the AOI must be a Polygon or MultiPolygon`);
  }
}

function polygon(coords: unknown, where: string): Polygon {
  if (!Array.isArray(coords) || coords.length === 0) throw new AoiShapeError(`${where}: Polygon without rings`);
  return coords.map((ring, r) => {
    const at = `${where}, ring ${r}`;
    if (!Array.isArray(ring)) throw new AoiShapeError(`${at} is not an array of positions`);
    const out: Ring = ring.map((p, i) => {
      if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        throw new AoiShapeError(`${at}, position ${i} is not [lon, lat]: ${JSON.stringify(p)}`);
      }
      // Projected coordinates (metres) are the usual mistake: GeoJSON is always lon/lat degrees.
      if (Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) {
        throw new AoiShapeError(`${at}, position ${i} [${p[0]}, ${p[1]}] is not lon/lat degrees (GeoJSON is WGS 84)`);
      }
      return [p[0], p[1]] as Position;
    });
    const [first, last] = [out[0], out[out.length - 1]];
    if (out.length > 0 && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0], first[1]]);
    if (out.length < 4) throw new AoiShapeError(`${at} has ${ring.length} positions; a ring needs at least 4`);
    return out;
  });
}
