import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gdalInspect, SYSTEM_PYTHON, type GdalReport } from '../cog/testing/gdal-oracle';
import { bandSet } from './band-sets';
import { generateScene, stacPathFor, type GeneratedScene } from './scene';

const dir = mkdtempSync(join(tmpdir(), 'scene-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sha(path: string): string {
  return createHash('sha256').update(new Uint8Array(readFileSync(path))).digest('hex');
}

// Land-cover checks with numpy on what GDAL reads: fractions of valid pixels meeting each index condition.
const COVER_SCRIPT = String.raw`
import sys, json, numpy as np
from osgeo import gdal
ds = gdal.Open(sys.argv[1])
wl = np.array([float(ds.GetRasterBand(i + 1).GetMetadataItem('wavelength')) for i in range(ds.RasterCount)])
a = ds.ReadAsArray().astype(np.float64)
def band(nm): return a[int(np.argmin(np.abs(wl - nm)))]
valid = band(560) != -9999
g, r, re, nir = band(560), band(665), band(705), band(842)
with np.errstate(all='ignore'):
    ndwi = (g - nir) / (g + nir); ndci = (re - r) / (re + r); ndvi = (nir - r) / (nir + r)
h, w = valid.shape
print(json.dumps({
  'validFraction': float(valid.mean()),
  'corners': [bool(valid[0, 0]), bool(valid[h - 1, 0]), bool(valid[0, w - 1]), bool(valid[h - 1, w - 1])],
  'bloom': float((valid & (ndwi > 0.3) & (ndci > 0.3)).mean()),
  'clearWater': float((valid & (ndwi > 0.3) & (ndci < 0.1)).mean()),
  'vegetation': float((valid & (ndvi > 0.6)).mean()),
  'soil': float((valid & (ndvi > 0.1) & (ndvi < 0.4)).mean()),
  'maxReflectance': float(a[:, valid].max()), 'minReflectance': float(a[:, valid].min()),
}))
`;

describe('generateScene (600x600, 23 bands)', () => {
  let scene: GeneratedScene;
  let rep: GdalReport;
  before(async () => {
    scene = await generateScene({ outPath: join(dir, 'a', 'scene.tif'), sizePx: 600, bands: 23, seed: 42 });
    rep = gdalInspect(scene.cogPath);
  });

  it('is a valid COG with GDAL seeing the promised structure', () => {
    assert.deepEqual(rep.errors, []);
    assert.deepEqual(rep.warnings, []);
    assert.deepEqual([rep.width, rep.height, rep.bandCount], [600, 600, 23]);
    assert.deepEqual(rep.overviews, [[300, 300]]);
    assert.equal(rep.structure.COMPRESSION, 'LZW');
    assert.equal(rep.structure.PREDICTOR, '3');
    assert.equal(rep.structure.INTERLEAVE, 'PIXEL');
    assert.equal(rep.structure.LAYOUT, 'COG');
    assert.equal(rep.epsg, 4326);
    assert.deepEqual(rep.geoTransform, [-83.3, 6e-5, 0, 41.8, 0, -4.5e-5]);
  });

  it('carries per-band wavelength, fwhm, units and description', () => {
    const { wavelengthsNm, fwhmNm } = bandSet(23);
    assert.equal(wavelengthsNm[0], 503);
    assert.equal(wavelengthsNm[22], 799);
    assert.deepEqual(scene.wavelengthsNm, wavelengthsNm);
    rep.bands.forEach((b, i) => {
      assert.equal(b.dtype, 'Float32');
      assert.equal(b.nodata, -9999);
      assert.equal(b.description, `Band_${wavelengthsNm[i]}`);
      assert.deepEqual(b.metadata, { wavelength: String(wavelengthsNm[i]), fwhm: String(fwhmNm[i]), wavelength_units: 'nm' });
    });
  });

  it('has a nodata swath edge and the four land covers with their index signatures', () => {
    const c = JSON.parse(execFileSync(SYSTEM_PYTHON, ['-c', COVER_SCRIPT, scene.cogPath], { encoding: 'utf8' }));
    assert.ok(c.validFraction > 0.75 && c.validFraction < 0.95, `valid fraction ${c.validFraction}`);
    assert.deepEqual(c.corners, [false, false, false, false]); // both slanted swath edges cut the corners
    for (const k of ['bloom', 'clearWater', 'vegetation', 'soil']) assert.ok(c[k] > 0.05, `${k} covers ${c[k]}`);
    assert.ok(c.minReflectance >= 0 && c.maxReflectance < 0.7, `reflectance ${c.minReflectance}..${c.maxReflectance}`);
  });

  it('writes a STAC item with eo and projection fields', () => {
    assert.equal(scene.stacPath, join(dir, 'a', 'scene.json'));
    const item = JSON.parse(readFileSync(scene.stacPath, 'utf8'));
    const { wavelengthsNm, fwhmNm } = bandSet(23);
    assert.equal(item.stac_version, '1.0.0');
    assert.equal(item.type, 'Feature');
    assert.ok(item.stac_extensions.some((u: string) => u.includes('/eo/')));
    assert.ok(item.stac_extensions.some((u: string) => u.includes('/projection/')));
    assert.equal(item.properties['proj:epsg'], 4326);
    assert.deepEqual(item.properties['proj:shape'], [600, 600]);
    assert.deepEqual(item.properties['proj:transform'], [6e-5, 0, -83.3, 0, -4.5e-5, 41.8]);
    const eo = item.assets.cog['eo:bands'];
    assert.equal(eo.length, 23);
    eo.forEach((b: { name: string; center_wavelength: number; full_width_half_max: number }, i: number) => {
      assert.equal(b.name, `Band_${wavelengthsNm[i]}`);
      assert.ok(Math.abs(b.center_wavelength - wavelengthsNm[i] / 1000) < 1e-9);
      assert.ok(Math.abs(b.full_width_half_max - fwhmNm[i] / 1000) < 1e-9);
    });
    assert.deepEqual(item.properties['eo:bands'], eo);
    assert.deepEqual(item.assets.cog.roles, ['data']);
    assert.equal(item.assets.cog.href, './scene.tif');
    const [minX, minY, maxX, maxY] = item.bbox;
    assert.ok(Math.abs(minX - -83.3) < 1e-12 && Math.abs(maxY - 41.8) < 1e-12);
    assert.ok(Math.abs(maxX - (-83.3 + 600 * 6e-5)) < 1e-9 && Math.abs(minY - (41.8 - 600 * 4.5e-5)) < 1e-9);
    assert.equal(item.geometry.type, 'Polygon');
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const again = await generateScene({ outPath: join(dir, 'b', 'scene.tif'), sizePx: 600, bands: 23, seed: 42 });
    assert.equal(sha(again.cogPath), sha(scene.cogPath));
    const other = await generateScene({ outPath: join(dir, 'c.tif'), sizePx: 100, bands: 31, seed: 43, tileSizePx: 64 });
    assert.equal(other.bandCount, 31);
    assert.equal(other.wavelengthsNm[0], 445);
    assert.equal(other.wavelengthsNm[30], 880);
    assert.equal(stacPathFor('x/y.TIFF'), 'x/y.json');
    assert.equal(stacPathFor('x/y.cog'), 'x/y.cog.json');
  });
});
