/**
 * Test oracle: runs test/oracle/polygonize_reference.py (gdal_polygonize.py + OGR on Debian's /usr/bin/python3)
 * on a mask raster and, optionally, compares our features' WKB with GDAL's polygons. Test-only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VectorFeature } from '../features';
import { featureToWkb } from '../wkb';

export const SYSTEM_PYTHON = '/usr/bin/python3';
// dist/raster/vector/testing → repository root.
const SCRIPT = join(__dirname, '..', '..', '..', '..', 'test', 'oracle', 'polygonize_reference.py');

export interface PolygonizeReport {
  gdal: { count: number; areas: number[]; total_area: number; invalid: number };
  ours?: {
    count: number;
    invalid: number[];
    invalid_reasons: string[];
    unmatched: number[];
    area_mismatch: number[];
    max_symdiff_area: number;
    total_area: number;
  };
}

/** Writes features as the oracle reads them: per record a uint32 LE length, then the WKB. */
export function writeWkbRecords(path: string, features: VectorFeature[]): void {
  const chunks: Uint8Array[] = [];
  for (const f of features) {
    const wkb = featureToWkb(f);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, wkb.byteLength, true);
    chunks.push(len, wkb);
  }
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  writeFileSync(path, out);
}

export function gdalPolygonize(req: { mask: string; connectivity: 4 | 8; value?: number; ours?: string; workdir: string }): PolygonizeReport {
  const out = execFileSync(SYSTEM_PYTHON, [SCRIPT], { input: JSON.stringify(req), maxBuffer: 1 << 28 });
  return JSON.parse(out.toString('utf8')) as PolygonizeReport;
}

/** Band 1 of any GDAL-readable raster (a window of it), as float32, with the window's geotransform. */
export function gdalReadBand(path: string, srcwin: [number, number, number, number], rawOut: string): { width: number; height: number; geoTransform: [number, number, number, number, number, number]; values: Float32Array } {
  const out = execFileSync(SYSTEM_PYTHON, [SCRIPT], { input: JSON.stringify({ op: 'read_band', path, out: rawOut, srcwin }) });
  const rep = JSON.parse(out.toString('utf8')) as { width: number; height: number; geotransform: [number, number, number, number, number, number] };
  const bytes = readFileSync(rawOut);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { width: rep.width, height: rep.height, geoTransform: rep.geotransform, values };
}

/** One of the oracle's file checks (see the docstring of polygonize_reference.py). */
export function gdalOp<T>(req: { op: 'projjson'; codes: number[] } | { op: 'wkb'; hex: string[] } | { op: 'ogr_open'; path: string }): T {
  const out = execFileSync(SYSTEM_PYTHON, [SCRIPT], { input: JSON.stringify(req), maxBuffer: 1 << 28 });
  return JSON.parse(out.toString('utf8')) as T;
}
