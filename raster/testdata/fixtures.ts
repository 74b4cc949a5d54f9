/**
 * Test access to the GDAL-made fixtures: runs make-fixtures.py (which does nothing when its stamp matches)
 * and reads each fixture's oracle (GDAL's pixels and `gdalinfo -json`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** raster/testdata in the source tree (this file runs from dist/raster/testdata). */
export const TESTDATA_DIR = resolve(__dirname, '../../../raster/testdata');
export const GENERATED_DIR = join(TESTDATA_DIR, 'generated');

export interface FixtureEntry {
  name: string;
  /** [width, height] of each overview level. */
  overviews: [number, number][];
}

let ensured = false;

/** Generates the fixtures if needed (GDAL's Python bindings live in /usr/bin/python3) and lists them. */
export function ensureFixtures(): FixtureEntry[] {
  if (!ensured) {
    execFileSync('/usr/bin/python3', [join(TESTDATA_DIR, 'make-fixtures.py')], { stdio: ['ignore', 'ignore', 'inherit'] });
    ensured = true;
  }
  return JSON.parse(readFileSync(join(GENERATED_DIR, 'manifest.json'), 'utf8')) as FixtureEntry[];
}

export function fixturePath(name: string, ext = '.tif'): string {
  return join(GENERATED_DIR, name + ext);
}

/** GDAL's ReadAsArray of the whole image (or overview `level`), band-sequential little-endian bytes. */
export function oraclePixels(name: string, level?: number): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name, level === undefined ? '.raw' : `.ovr${level}.raw`)));
}

/** `gdalinfo -json` of the fixture. */
export function oracleInfo(name: string): GdalInfo {
  return JSON.parse(readFileSync(fixturePath(name, ".json"), "utf8")) as GdalInfo;
}

/** The parts of `gdalinfo -json` the tests compare. */
export interface GdalInfo {
  size: [number, number];
  geoTransform?: number[];
  coordinateSystem?: { wkt: string };
  metadata?: Record<string, Record<string, string>>;
  bands: {
    band: number;
    type: string;
    description?: string;
    noDataValue?: number | string;
    scale?: number;
    offset?: number;
    unit?: string;
    metadata?: Record<string, Record<string, string>>;
    overviews?: { size: [number, number] }[];
  }[];
}
