import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Debian's python: it has the osgeo module (a pyenv python3 on PATH may not). */
export const GDAL_PYTHON = '/usr/bin/python3';
const ORACLE_DIR = join(__dirname, '..', '..', '..', 'test', 'oracle');

/** GDAL's COG validator with --full-check=yes: errors and warnings as printed. */
export async function validateCog(path: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(GDAL_PYTHON, ['-m', 'osgeo_utils.samples.validate_cloud_optimized_geotiff', '--full-check=yes', path]);
    const output = `${stdout}${stderr}`;
    return { ok: !/warning|error/i.test(output.replace(/is a valid cloud optimized GeoTIFF/i, '')), output };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export interface BandDump {
  width: number;
  height: number;
  dtype: string;
  nodata: string | null;
  epsg: number | null;
  geotransform: number[];
  overviews: number;
  description: string;
  bytes: Buffer;
}

/** Band 1 of a raster exactly as GDAL reads it. */
export async function gdalReadBand(path: string, tmpDir: string): Promise<BandDump> {
  const bin = join(tmpDir, `band-${Math.random().toString(36).slice(2)}.bin`);
  const { stdout } = await run(GDAL_PYTHON, [join(ORACLE_DIR, 'read_band.py'), path, bin], { maxBuffer: 1 << 24 });
  return { ...(JSON.parse(stdout) as Omit<BandDump, 'bytes'>), bytes: await readFile(bin) };
}

/** The numpy reference of NDWI, water, NDCI and NDVI over the whole input (see test/oracle/hab_reference.py). */
export async function habReference(input: string, bands: { g: number; n: number; re: number; r: number }, outDir: string) {
  const { stdout } = await run(GDAL_PYTHON, [join(ORACLE_DIR, 'hab_reference.py'), input, String(bands.g), String(bands.n), String(bands.re), String(bands.r), outDir], { maxBuffer: 1 << 24 });
  const load = async (name: string) => readFile(join(outDir, name));
  const f32 = (b: Buffer) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  return {
    summary: JSON.parse(stdout) as { width: number; height: number; water: number; valid: number; bloom: number },
    ndwi: f32(await load('ndwi.f32')),
    water: new Uint8Array(await load('water.u8')),
    ndci: f32(await load('ndci.f32')),
    ndvi: f32(await load('ndvi.f32')),
  };
}

/** Largest |a-b| over pixels valid in both; throws when NaN (nodata) positions differ. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const an = Number.isNaN(a[i]);
    if (an !== Number.isNaN(b[i])) throw new Error(`nodata differs at pixel ${i}: ${a[i]} vs ${b[i]}`);
    if (!an) max = Math.max(max, Math.abs(a[i] - b[i]));
  }
  return max;
}

/** The numpy reference of the RGB preview (see test/oracle/preview_reference.py): RGB bytes, row-major. */
export async function rgbPreviewReference(input: string, bands: { red: number; green: number; blue: number }, factor: number, outDir: string) {
  const out = join(outDir, 'rgb-reference.u8');
  const { stdout } = await run(GDAL_PYTHON, [join(ORACLE_DIR, 'preview_reference.py'), input, String(bands.red), String(bands.green), String(bands.blue), String(factor), out]);
  return { ...(JSON.parse(stdout) as { width: number; height: number }), rgb: new Uint8Array(await readFile(out)) };
}
