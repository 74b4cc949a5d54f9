/**
 * Test oracle for raster/geo: runs test/oracle/geo_reference.py (GDAL's OSR for transforms, numpy quadrature for
 * areas) on Debian's /usr/bin/python3, which has osgeo. Test-only; nothing in the library imports it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const SYSTEM_PYTHON = '/usr/bin/python3';
// dist/raster/geo/testing → repository root.
const SCRIPT = join(__dirname, '..', '..', '..', '..', 'test', 'oracle', 'geo_reference.py');

type Pt = [number, number];

export type OracleRequest =
  | { op: 'to_lonlat' | 'from_lonlat'; epsg: number; points: Pt[]; datum?: 'wgs84' | 'base' }
  | { op: 'crs_info'; epsg: number }
  | { op: 'row_areas'; lat0_deg: number; dlat_deg: number; rows: number; dlon_deg: number };

export interface CrsInfo {
  geographic: boolean;
  linear_units_m: number | null;
  area_of_use: [number, number, number, number] | null;
}

/** Runs every request in one python process (GDAL start-up dominates), results in request order. */
export function oracle(requests: OracleRequest[]): unknown[] {
  const out = execFileSync(SYSTEM_PYTHON, [SCRIPT], { input: JSON.stringify({ requests }), maxBuffer: 1 << 26 });
  return (JSON.parse(out.toString('utf8')) as { results: unknown[] }).results;
}

/** CRS coordinates → WGS 84 (or the CRS's own datum, `base`) lon/lat by GDAL. */
export function gdalToLonLat(epsg: number, points: Pt[], datum: 'wgs84' | 'base' = 'wgs84'): Pt[] {
  return (oracle([{ op: 'to_lonlat', epsg, points, datum }])[0] as { points: Pt[] }).points;
}

/** The pixel ring footprint.ts samples: top, right, bottom, left edge, n positions each, start corner included. */
export function pixelRing(width: number, height: number, n: number): Pt[] {
  const out: Pt[] = [];
  for (let i = 0; i < n; i++) out.push([(width * i) / n, 0]);
  for (let i = 0; i < n; i++) out.push([width, (height * i) / n]);
  for (let i = 0; i < n; i++) out.push([width - (width * i) / n, height]);
  for (let i = 0; i < n; i++) out.push([0, height - (height * i) / n]);
  return out;
}

/** GDAL geotransform applied to pixel positions. */
export function toCrs(gt: readonly number[], pixels: Pt[]): Pt[] {
  return pixels.map(([c, r]) => [gt[0] + c * gt[1] + r * gt[2], gt[3] + c * gt[4] + r * gt[5]]);
}
