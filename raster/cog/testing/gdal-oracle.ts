/**
 * Test oracle: runs GDAL 3.6 + numpy (system /usr/bin/python3, which has osgeo) on a written COG and reports what
 * GDAL sees, the COG validator's verdict (--full-check=yes), and whether pixels and overviews equal a numpy
 * reference computed from the raw input. Test-only; nothing in the library imports it.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { SampleType, TypedArray } from '../../types';

export const SYSTEM_PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import sys, json, math
import numpy as np
from osgeo import gdal
gdal.UseExceptions()
from osgeo_utils.samples.validate_cloud_optimized_geotiff import validate

def num(v):
    if v is None: return None
    if isinstance(v, float) and math.isnan(v): return 'nan'
    return v

def reduce(x, nodata, method, dtype):
    n, h, w = x.shape
    oh, ow = h // 2, w // 2
    a = x[:, 0:2*oh:2, 0:2*ow:2]; b = x[:, 0:2*oh:2, 1:2*ow:2]
    c = x[:, 1:2*oh:2, 0:2*ow:2]; d = x[:, 1:2*oh:2, 1:2*ow:2]
    if method == 'nearest':
        return a.copy()
    isfloat = np.issubdtype(dtype, np.floating)
    nd = None
    if nodata is not None and not (isinstance(nodata, float) and math.isnan(nodata)):
        nd = float(np.array([nodata], dtype=dtype)[0])
    s = np.zeros(a.shape, dtype=np.float64); cnt = np.zeros(a.shape, dtype=np.int64)
    for v in (a, b, c, d):
        v = v.astype(np.float64)
        valid = ~np.isnan(v)
        if nd is not None: valid &= (v != nd)
        s = s + np.where(valid, v, 0.0); cnt += valid
    with np.errstate(invalid='ignore', divide='ignore'):
        m = s / cnt
    if not isfloat: m = np.floor(m + 0.5)
    fill = nodata if nodata is not None else (float('nan') if isfloat else 0)
    m = np.where(cnt == 0, fill, m)
    return m.astype(dtype)

def same(x, y):
    if x.shape != y.shape: return False, -1
    if np.issubdtype(x.dtype, np.floating):
        eq = (x == y) | (np.isnan(x) & np.isnan(y))
    else:
        eq = x == y
    return bool(eq.all()), int((~eq).sum())

args = json.loads(sys.argv[1])
if args.get('mode') == 'reduce':
    dt = np.dtype(args['dtype'])
    x = np.fromfile(args['raw'], dtype=dt).reshape(args['height'], args['width'], args['spp']).transpose(2, 0, 1)
    r = reduce(x, args.get('nodata'), args['method'], dt)
    np.ascontiguousarray(r.transpose(1, 2, 0)).tofile(args['out'])
    print(json.dumps({'width': int(r.shape[2]), 'height': int(r.shape[1])}))
    sys.exit(0)

path = args['path']
warnings, errors, details = validate(path, full_check=True)
ds = gdal.Open(path)
srs = ds.GetSpatialRef()
code = srs.GetAuthorityCode(None) if srs is not None else None
b1 = ds.GetRasterBand(1)
ovs = []
for i in range(b1.GetOverviewCount()):
    o = b1.GetOverview(i)
    ovs.append([o.XSize, o.YSize])
bands = []
for j in range(ds.RasterCount):
    b = ds.GetRasterBand(j + 1)
    bands.append({'description': b.GetDescription(), 'nodata': num(b.GetNoDataValue()), 'metadata': b.GetMetadata(),
                  'scale': b.GetScale(), 'offset': b.GetOffset(), 'unit': b.GetUnitType(),
                  'dtype': gdal.GetDataTypeName(b.DataType)})
rep = {'warnings': warnings, 'errors': errors, 'width': ds.RasterXSize, 'height': ds.RasterYSize, 'bandCount': ds.RasterCount,
       'epsg': int(code) if code else None, 'geoTransform': list(ds.GetGeoTransform()), 'overviews': ovs, 'bands': bands,
       'datasetMetadata': ds.GetMetadata(), 'structure': ds.GetMetadata('IMAGE_STRUCTURE'),
       'areaOrPoint': ds.GetMetadataItem('AREA_OR_POINT')}
raw = args.get('raw')
if raw:
    dt = np.dtype(args['dtype'])
    n = ds.RasterCount
    x = np.fromfile(raw, dtype=dt).reshape(ds.RasterYSize, ds.RasterXSize, n).transpose(2, 0, 1)
    got = np.stack([ds.GetRasterBand(j + 1).ReadAsArray() for j in range(n)])
    rep['pixelsEqual'], rep['pixelMismatches'] = same(x, got)
    rep['overviewEqual'] = []
    rep['overviewMismatches'] = []
    level = x
    for i in range(len(ovs)):
        level = reduce(level, args.get('nodata'), args['method'], dt)
        got = np.stack([ds.GetRasterBand(j + 1).GetOverview(i).ReadAsArray() for j in range(n)])
        ok, bad = same(level, got)
        rep['overviewEqual'].append(ok)
        rep['overviewMismatches'].append(bad)
print(json.dumps(rep))
`;

export interface GdalBandReport {
  description: string;
  nodata: number | 'nan' | null;
  metadata: Record<string, string>;
  scale: number | null;
  offset: number | null;
  unit: string;
  dtype: string;
}

export interface GdalReport {
  warnings: string[];
  errors: string[];
  width: number;
  height: number;
  bandCount: number;
  epsg: number | null;
  geoTransform: number[];
  overviews: [number, number][];
  bands: GdalBandReport[];
  datasetMetadata: Record<string, string>;
  structure: Record<string, string>;
  areaOrPoint: string | null;
  pixelsEqual?: boolean;
  pixelMismatches?: number;
  overviewEqual?: boolean[];
  overviewMismatches?: number[];
}

export const NUMPY_DTYPE: Record<SampleType, string> = {
  uint8: '<u1',
  int8: '<i1',
  uint16: '<u2',
  int16: '<i2',
  uint32: '<u4',
  int32: '<i4',
  float32: '<f4',
  float64: '<f8',
};

function runPython(args: object, nodata: number | undefined): string {
  let text = JSON.stringify(args);
  // JSON has no NaN (stringify writes null); Python's json.loads accepts the bare token NaN.
  if (nodata !== undefined && Number.isNaN(nodata)) text = text.replace('"nodata":null', '"nodata":NaN');
  return execFileSync(SYSTEM_PYTHON, ['-c', SCRIPT, text], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Writes a full-resolution raster (rows x cols x bands, native LE) where the oracle can read it. */
export function writeRaw(path: string, pixels: TypedArray): void {
  writeFileSync(path, new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
}

/**
 * Inspects `path` with GDAL. With `raw` (the full-resolution input, see writeRaw), also compares pixels and every
 * overview with a numpy 2x2 cascade (nanmean skipping nodata, or top-left for 'nearest').
 */
export function gdalInspect(
  path: string,
  compare?: { raw: string; sampleType: SampleType; nodata?: number; method: 'average' | 'nearest' },
): GdalReport {
  const args = compare
    ? { path, raw: compare.raw, dtype: NUMPY_DTYPE[compare.sampleType], nodata: compare.nodata ?? null, method: compare.method }
    : { path };
  return JSON.parse(runPython(args, compare?.nodata)) as GdalReport;
}

/** numpy's 2x2 reduction of a raw raster, written to `out`; returns the reduced size. */
export function numpyReduce(
  raw: string,
  out: string,
  a: { width: number; height: number; spp: number; sampleType: SampleType; nodata?: number; method: 'average' | 'nearest' },
): { width: number; height: number } {
  const args = { mode: 'reduce', raw, out, width: a.width, height: a.height, spp: a.spp, dtype: NUMPY_DTYPE[a.sampleType], method: a.method, nodata: a.nodata ?? null };
  return JSON.parse(runPython(args, a.nodata)) as { width: number; height: number };
}

