/** Test oracle: gdalwarp through test/oracle/warp_reference.py (Debian's /usr/bin/python3). Test-only. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SYSTEM_PYTHON = '/usr/bin/python3';
// dist/raster/warp/testing → repository root.
const SCRIPT = join(__dirname, '..', '..', '..', '..', 'test', 'oracle', 'warp_reference.py');

export interface GdalWarpResult {
  width: number;
  height: number;
  geoTransform: number[];
  nodata: string | null;
  dtype: string;
  pixels?: Float32Array | Uint8Array;
}

/** gdalwarp -t_srs EPSG:<epsg> -r <method> of `src`; with `pixels` the warped band too. */
export function gdalWarp(src: string, epsg: number, method: 'nearest' | 'bilinear', out: string, pixels = true): GdalWarpResult {
  const req = { src, t_srs: `EPSG:${epsg}`, r: method === 'nearest' ? 'near' : 'bilinear', out, pixels };
  const rep = JSON.parse(execFileSync(SYSTEM_PYTHON, [SCRIPT], { input: JSON.stringify(req) }).toString('utf8')) as {
    width: number;
    height: number;
    geotransform: number[];
    nodata: string | null;
    dtype: string;
    raw?: string;
  };
  const result: GdalWarpResult = { width: rep.width, height: rep.height, geoTransform: rep.geotransform, nodata: rep.nodata, dtype: rep.dtype };
  if (rep.raw) {
    const b = readFileSync(rep.raw);
    const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    result.pixels = rep.dtype === 'Byte' ? new Uint8Array(buf) : new Float32Array(buf);
  }
  return result;
}
