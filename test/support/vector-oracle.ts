/**
 * Checks of a run's vector files against GDAL: the GeoParquet read back by geopandas (project venv), its polygons
 * matched with gdal_polygonize.py's on the mask COG (test/oracle/vector_reference.py, Debian's python with
 * osgeo), the GeoJSON opened by ogrinfo and OGR.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gdalOp } from '../../raster/vector/testing/gdal-polygonize';
import type { OutputFile } from '../../workflows/types';
import { repoRoot } from './dev-stack';
import { GDAL_PYTHON } from './gdal-oracle';

const run = promisify(execFile);
const ORACLE = () => join(repoRoot(), 'test', 'oracle');
export const VENV_PYTHON = () => join(repoRoot(), '.tools', 'venv', 'bin', 'python');

/** What read_geoparquet.py reports (see its docstring). */
export interface GeoParquetReport {
  count: number;
  epsg: number | null;
  crs_name: string | null;
  columns: string[];
  file_columns: string[];
  geometry_types: string[];
  invalid: number;
  geo_version: string;
  covering: unknown;
  area_m2: number[];
  pixel_count: number[];
  mean: Array<number | null>;
  max: Array<number | null>;
  class: string[];
  scene_id: string[];
  datetime: string[];
}

export interface CompareReport {
  gdal: { count: number; kept: number; total_area: number; total_area_m2: number; near_min: number };
  ours: {
    count: number;
    invalid: number[];
    unmatched: number[];
    area_mismatch: number[];
    max_symdiff_area: number;
    total_area: number;
    total_area_m2: number;
    max_rel_area_m2_diff: number;
  };
}

async function oracle<T>(req: Record<string, unknown>): Promise<T> {
  const child = run(GDAL_PYTHON, [join(ORACLE(), 'vector_reference.py')], { maxBuffer: 1 << 28 });
  child.child.stdin!.end(JSON.stringify(req));
  const { stdout } = await child;
  return JSON.parse(stdout) as T;
}

/** geopandas.read_parquet of `path`; the geometries are written to `wkbOut` for {@link compareWithGdal}. */
export async function readGeoParquet(path: string, wkbOut: string): Promise<GeoParquetReport> {
  const { stdout } = await run(VENV_PYTHON(), [join(ORACLE(), 'read_geoparquet.py'), path, wkbOut], { maxBuffer: 1 << 28 });
  return JSON.parse(stdout) as GeoParquetReport;
}

/** gdal_polygonize.py on `mask`, GDAL's polygons of ≥ minAreaM2 matched with ours (see vector_reference.py). */
export function compareWithGdal(req: { mask: string; connectivity: 4 | 8; ours: string; oursAreaM2: number[]; minAreaM2?: number; workdir: string }): Promise<CompareReport> {
  return oracle({ op: 'compare', mask: req.mask, connectivity: req.connectivity, ours: req.ours, ours_area_m2: req.oursAreaM2, min_area_m2: req.minAreaM2 ?? 0, workdir: req.workdir });
}

/** The bloom mask of water + NDCI COGs, made with numpy and written by GDAL (the oracle's own, not ours). */
export function writeBloomMask(req: { water: string; ndci: string; threshold: number; out: string }): Promise<{ pixels: number }> {
  return oracle({ op: 'bloom_mask', ...req });
}

/** `ogrinfo -so -al`: the layer's feature count, or a failure if ogrinfo cannot open the file. */
export async function ogrinfoFeatureCount(path: string): Promise<number> {
  const { stdout } = await run('ogrinfo', ['-so', '-al', path], { maxBuffer: 1 << 24 });
  const m = /Feature Count: (\d+)/.exec(stdout);
  assert.ok(m, `ogrinfo printed no feature count for ${path}:\n${stdout}`);
  return Number(m[1]);
}

/**
 * Every check of one vectorised mask: the GeoParquet (geopandas: CRS, columns, valid geometries) against GDAL's
 * polygons (count, total area in the CRS within 1e-6, each polygon's area and shape, ground areas), and the
 * GeoJSON (ogrinfo, OGR: WGS 84, valid, right-hand rule, same count). Returns both reports for further checks.
 */
export async function checkMaskVectors(req: {
  label: string;
  parquet: string;
  geojson: string;
  mask: string;
  connectivity: 4 | 8;
  epsg: number;
  minAreaM2?: number;
  workdir: string;
  diagnostic?: (msg: string) => void;
}): Promise<{ parquet: GeoParquetReport; gdal: CompareReport }> {
  const { label } = req;
  const wkb = join(req.workdir, `${label.replace(/\W+/g, '-')}.wkb`);
  const pq = await readGeoParquet(req.parquet, wkb);
  assert.equal(pq.epsg, req.epsg, `${label}: geopandas reads the CRS as EPSG:${pq.epsg}`);
  assert.equal(pq.geo_version, '1.1.0', label);
  assert.deepEqual(pq.file_columns, ['id', 'scene_id', 'datetime', 'class', 'area_m2', 'pixel_count', 'mean', 'max', 'bbox', 'geometry'], label);
  // geopandas recognises `bbox` as the geometry's covering (GeoParquet 1.1) and leaves it out of the frame.
  assert.deepEqual(pq.columns, ['id', 'scene_id', 'datetime', 'class', 'area_m2', 'pixel_count', 'mean', 'max', 'geometry'], label);
  assert.equal(pq.invalid, 0, `${label}: shapely finds ${pq.invalid} invalid geometries`);

  const cmp = await compareWithGdal({ mask: req.mask, connectivity: req.connectivity, ours: wkb, oursAreaM2: pq.area_m2, minAreaM2: req.minAreaM2, workdir: req.workdir });
  const { gdal, ours } = cmp;
  req.diagnostic?.(
    `${label}: ${ours.count} polygons, GDAL ${gdal.kept} (of ${gdal.count}); area ${ours.total_area} vs ${gdal.total_area} CRS units, ` +
      `${ours.total_area_m2.toFixed(3)} vs ${gdal.total_area_m2.toFixed(3)} m²; max per-polygon m² rel diff ${ours.max_rel_area_m2_diff.toExponential(2)}`,
  );
  assert.equal(gdal.near_min, 0, `${label}: a GDAL polygon lies within 1e-6 of the minimum area; pick another threshold`);
  assert.equal(ours.count, gdal.kept, `${label}: polygon count`);
  assert.deepEqual(ours.invalid, [], `${label}: OGR IsValid`);
  assert.deepEqual(ours.unmatched, [], `${label}: every polygon has the envelope of one of GDAL's`);
  assert.deepEqual(ours.area_mismatch, [], `${label}: every polygon has the area of one of GDAL's`);
  assert.ok(ours.max_symdiff_area <= 1e-9 * Math.max(gdal.total_area, 1e-30), `${label}: same shapes (max symdiff ${ours.max_symdiff_area})`);
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
  if (gdal.kept > 0) {
    assert.ok(rel(ours.total_area, gdal.total_area) <= 1e-6, `${label}: total area ${ours.total_area} vs GDAL ${gdal.total_area}`);
    assert.ok(rel(ours.total_area_m2, gdal.total_area_m2) <= 1e-6, `${label}: total m² ${ours.total_area_m2} vs GDAL ${gdal.total_area_m2}`);
    assert.ok(ours.max_rel_area_m2_diff <= 1e-9, `${label}: a polygon's area_m2 differs from its GDAL polygon's ground area by ${ours.max_rel_area_m2_diff}`);
  }

  assert.equal(await ogrinfoFeatureCount(req.geojson), gdal.kept, `${label}: ogrinfo feature count of the GeoJSON`);
  const gj = gdalOp<{ driver: string; count: number; epsg: number | null; invalid: number; orientation_ok: boolean }>({ op: 'ogr_open', path: req.geojson });
  assert.equal(gj.driver, 'GeoJSON', label);
  assert.equal(gj.epsg, 4326, `${label}: GeoJSON in WGS 84`);
  assert.equal(gj.invalid, 0, `${label}: GeoJSON geometries valid in OGR`);
  assert.ok(gj.orientation_ok, `${label}: GeoJSON rings follow the right-hand rule`);
  return { parquet: pq, gdal: cmp };
}

/** The run's vector outputs: one per mask and format, each with the sha256 and size of the file it names. */
export async function checkVectorOutputs(outputs: OutputFile[], localPath: (uri: string) => string, expected: Record<string, number>): Promise<void> {
  const vectors = outputs.filter((o) => o.role === 'vector');
  for (const o of vectors) {
    const bytes = await readFile(localPath(o.uri));
    assert.equal(o.sizeBytes, bytes.byteLength, o.uri);
    assert.equal(o.sha256, createHash('sha256').update(new Uint8Array(bytes)).digest('hex'), o.uri);
    assert.equal(o.vector!.polygons, expected[o.vector!.name], `${o.uri}: polygons`);
  }
  const names = [...new Set(vectors.map((o) => o.vector!.name))].sort();
  assert.deepEqual(names, Object.keys(expected).sort());
}
