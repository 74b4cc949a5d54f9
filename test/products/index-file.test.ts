/**
 * Custom products from an index file through the real CLI (`tessera run --local --index-file ... --const ...`):
 * a mask inside water with a preview, a calibration whose coefficients, units and reference reach the COG's
 * GDAL_METADATA and the STAC item, an index stored as scaled int16, a formula constant overridden per run
 * (its own variant); each against numpy, each COG valid for GDAL.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { generateScene } from '../../raster/synthetic/scene';
import { tessera } from '../support/cli';
import { assertMatches, assertValidCogs, numpyOracle, readJsonUri } from './support';

const run = promisify(execFile);
const REFERENCE = 'Mishra, S., Mishra, D. R. (2012). Remote Sensing of Environment 117, 394-406. doi:10.1016/j.rse.2011.10.016';
const INDICES = {
  indices: [
    { name: 'bloom', formula: 'NDCI > 0.3', where: 'water', preview: { colormap: 'viridis', range: [0, 1] } },
    { name: 'chla', formula: 'ndci', description: 'chlorophyll-a (Mishra & Mishra 2012)', calibration: { coefficients: [14.039, 86.115, 194.325], units: 'mg m-3', reference: REFERENCE }, statistics: { range: [0, 300] } },
    { name: 'turbidity', formula: '(R - G) / (R + G)', dtype: 'int16', scale: { factor: 0.0001, offset: 0 } },
    { name: 'savi_k', formula: '(1 + k) * (N - R) / (N + R + k)', constants: { k: 0.5 } },
  ],
};

async function gdalInfo(path: string): Promise<any> {
  return JSON.parse((await run('gdalinfo', ['-json', path], { maxBuffer: 1 << 24 })).stdout);
}

describe('an index file through the CLI', { timeout: 300_000 }, () => {
  let dir: string;
  let scene: string;
  let result: any;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-index-file-'));
    scene = (await generateScene({ outPath: join(dir, 'WYV.tif'), sizePx: 600, bands: 31, seed: 7 })).cogPath;
    await writeFile(join(dir, 'lake.json'), JSON.stringify(INDICES, null, 2));
    const r = await tessera(['run', scene, '--local', '--threads', '2', '--json', '--out', pathToFileURL(join(dir, 'out')).href, '--products', 'ndci,water', '--index-file', join(dir, 'lake.json'), '--const', 'k=0.25'], { ...process.env, LOG_LEVEL: 'warn' });
    assert.equal(r.code, 0, r.stderr);
    result = JSON.parse(r.stdout);
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('every product is written; the constant overridden on the command line makes its own variant', () => {
    const cogs = Object.keys(result.outputs.cogs).sort();
    assert.equal(cogs.length, 6);
    assert.deepEqual(cogs.filter((c: string) => !c.startsWith('savi_k@')), ['bloom', 'chla', 'ndci', 'turbidity', 'water']);
    assert.match(cogs.find((c: string) => c.startsWith('savi_k'))!, /^savi_k@[0-9a-f]{8}$/);
    assert.deepEqual(Object.keys(result.outputs.previews).sort(), ['bloom', 'ndci']);
  });

  test('values equal numpy: the mask inside water, the polynomial of NDCI, the scaled int16, the constant', async () => {
    const cog = (p: string) => fileURLToPath(result.outputs.cogs[p]);
    const savi = Object.keys(result.outputs.cogs).find((c: string) => c.startsWith('savi_k'))!;
    const report = numpyOracle(scene, [
      { name: 'ndci', cog: cog('ndci'), given: true, formula: '' },
      { name: 'water', cog: cog('water'), given: true, mask: true, formula: '' },
      { name: 'bloom', formula: 'NDCI > 0.3', refs: { NDCI: 'ndci' }, where: 'water', mask: true, cog: cog('bloom') },
      { name: 'chla', formula: 'ndci', refs: { ndci: 'ndci' }, calibration: [14.039, 86.115, 194.325], cog: cog('chla') },
      { name: savi, formula: '(1 + k) * (N - R) / (N + R + k)', constants: { k: 0.25 }, cog: cog(savi) },
      // int16: stored = round(value / 0.0001), so GDAL's scale gives the value back to half a step.
      { name: 'turbidity', formula: '(R - G) / (R + G)', cog: cog('turbidity') },
    ]);
    for (const r of report.filter((x) => x.name !== 'turbidity')) assertMatches(r);
    const t = numpyOracle(scene, [{ name: 'turbidity', formula: '(R - G) / (R + G)', cog: cog('turbidity') }], { rel: 0, abs: 0.00005 + 1e-7 })[0];
    assertMatches(t);
    assert.ok(report.find((r) => r.name === 'bloom')!.valid > 1000, 'the mask has water pixels');
  });

  test('the calibration’s coefficients, units and reference are in the COG metadata and the STAC item', async () => {
    const info = await gdalInfo(fileURLToPath(result.outputs.cogs.chla));
    const md = info.metadata[''];
    assert.equal(md.TESSERA_CALIBRATION_COEFFICIENTS, '14.039,86.115,194.325');
    assert.equal(md.TESSERA_CALIBRATION_UNITS, 'mg m-3');
    assert.equal(md.TESSERA_CALIBRATION_REFERENCE, REFERENCE);
    assert.equal(md.TESSERA_FORMULA, 'ndci');
    assert.equal(info.bands[0].unit, 'mg m-3');
    const item = await readJsonUri(result.outputs.stac);
    const chla = item.properties['tessera:products'].chla;
    assert.deepEqual(chla.calibration, { kind: 'polynomial', coefficients: [14.039, 86.115, 194.325], units: 'mg m-3', reference: REFERENCE });
    assert.equal(chla.unit, 'mg m-3');
    const bloom = item.properties['tessera:products'].bloom;
    assert.equal(bloom.where, 'water');
    assert.equal(bloom.data_type, 'uint8');
    assert.equal(item.assets.bloom['raster:bands'][0].data_type, 'uint8');
    assert.equal(item.assets.bloom['raster:bands'][0].nodata, 255);
    const mask = await gdalInfo(fileURLToPath(result.outputs.cogs.bloom));
    assert.equal(mask.bands[0].type, 'Byte');
    assert.equal(mask.bands[0].noDataValue, 255);
    assert.equal(mask.metadata[''].TESSERA_WHERE, 'water');
  });

  test('the int16 product carries its scale and nodata, in the COG and the STAC item', async () => {
    const info = await gdalInfo(fileURLToPath(result.outputs.cogs.turbidity));
    assert.equal(info.bands[0].type, 'Int16');
    assert.equal(info.bands[0].scale, 0.0001);
    assert.equal(info.bands[0].offset, 0);
    assert.equal(info.bands[0].noDataValue, -32768);
    const item = await readJsonUri(result.outputs.stac);
    assert.equal(item.assets.turbidity['raster:bands'][0].data_type, 'int16');
    assert.equal(item.properties['tessera:products'].turbidity.scale, 0.0001);
  });

  test('the COGs pass GDAL’s validator and the mask has its preview', async () => {
    await assertValidCogs(result.outputs.cogs);
    assert.ok((await stat(fileURLToPath(result.outputs.previews.bloom))).size > 0);
  });
});
