/**
 * Any subset of products gives the same outputs for those products as the full set: the same COG bytes, the same
 * partition summaries; and the scene's valid, water and bloom counts (SceneResult.summary and the STAC item) are
 * numpy's whenever the water family is asked, `--products ndci` alone included. The full set mixes every kind of
 * product: the fused HAB built-ins, a catalog index, a wavelength index, a custom mask inside water and a
 * calibration.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { ProductFlags } from '../../cli/args';
import { generateScene } from '../../raster/synthetic/scene';
import type { SceneResult } from '../../workflows/types';
import { gdalReadBand, habReference, maxAbsDiff } from '../support/gdal-oracle';
import { assertMatches, assertValidCogs, numpyOracle, readJsonUri, runFlags } from './support';

const MISHRA_2012 = [14.039, 86.115, 194.325];

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

const FULL: ProductFlags = { products: 'ndwi,water,ndci,ndvi,rgb,NDTI,MCI', index: ['bloom=NDCI > 0.3'], calibrate: ['chla=ndci:mishra2012'], where: 'water' };
const SUBSETS: Record<string, ProductFlags> = {
  'ndci alone': { products: 'ndci' },
  'water alone': { products: 'water' },
  'ndwi and ndvi': { products: 'ndwi,ndvi' },
  'the bloom mask alone': { index: ['bloom=NDCI > 0.3'], where: 'water' },
  'the calibration alone': { calibrate: ['chla=ndci:mishra2012'], where: 'water' },
  'catalog and wavelength indices with rgb': { products: 'NDTI,MCI,rgb' },
  'ndci with the mask': { products: 'ndci', index: ['bloom=NDCI > 0.3'], where: 'water' },
};

describe('product combinations', { timeout: 600_000 }, () => {
  let dir: string;
  let scene: Awaited<ReturnType<typeof generateScene>>;
  let full: SceneResult;
  const subsets: Record<string, SceneResult> = {};
  let reference: Awaited<ReturnType<typeof habReference>>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-combinations-'));
    scene = await generateScene({ outPath: join(dir, 'WYV.tif'), sizePx: 700, bands: 31, seed: 11 });
    full = await runFlags(scene.cogPath, join(dir, 'full'), FULL);
    let k = 0;
    for (const [name, flags] of Object.entries(SUBSETS)) subsets[name] = await runFlags(scene.cogPath, join(dir, `subset-${k++}`), flags);
    const manifest = await readJsonUri(full.manifest);
    const b = manifest.parameters.bands as Record<string, { index: number }>;
    reference = await habReference(scene.cogPath, { g: b.g.index, n: b.n.index, re: b.re.index, r: b.r.index }, dir);
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the full set: the built-ins equal numpy, the mask and the calibration equal numpy on them', async () => {
    assert.deepEqual(Object.keys(full.cogs).sort(), ['MCI', 'NDTI', 'bloom', 'chla', 'ndci', 'ndvi', 'ndwi', 'water']);
    assert.deepEqual(Object.keys(full.previews).sort(), ['ndci', 'rgb']);
    for (const p of ['ndwi', 'ndci', 'ndvi'] as const) {
      const band = await gdalReadBand(fileURLToPath(full.cogs[p]), dir);
      assert.ok(maxAbsDiff(new Float32Array(band.bytes.buffer, band.bytes.byteOffset, band.bytes.byteLength / 4), reference[p]) <= 1e-6, p);
    }
    assert.deepEqual(new Uint8Array((await gdalReadBand(fileURLToPath(full.cogs.water), dir)).bytes), reference.water);
    const cog = (p: string) => fileURLToPath(full.cogs[p]);
    const report = numpyOracle(scene.cogPath, [
      { name: 'ndci', cog: cog('ndci'), given: true, formula: '' },
      { name: 'water', cog: cog('water'), given: true, mask: true, formula: '' },
      { name: 'bloom', formula: 'NDCI > 0.3', refs: { NDCI: 'ndci' }, where: 'water', mask: true, cog: cog('bloom') },
      { name: 'chla', formula: 'ndci', refs: { ndci: 'ndci' }, where: 'water', calibration: MISHRA_2012, cog: cog('chla') },
      { name: 'NDTI', formula: '(R-G)/(R+G)', cog: cog('NDTI') },
    ]);
    for (const r of report) assertMatches(r);
    // The mask counts what the scene summary calls bloom.
    assert.equal(full.summary.bloomPixels, reference.summary.bloom);
    const mask = new Uint8Array((await gdalReadBand(cog('bloom'), dir)).bytes);
    assert.equal(mask.filter((v) => v === 1).length, reference.summary.bloom, 'bloom mask pixels');
    await assertValidCogs(full.cogs);
  });

  for (const name of Object.keys(SUBSETS)) {
    test(`${name}: the same COG bytes and partition summaries as the full set`, async () => {
      const sub = subsets[name];
      const [mf, ms] = await Promise.all([readJsonUri(full.manifest), readJsonUri(sub.manifest)]);
      for (const [product, uri] of Object.entries(sub.cogs)) {
        const [a, b] = await Promise.all([readFile(fileURLToPath(uri)), readFile(fileURLToPath(full.cogs[product]))]);
        assert.ok(sameBytes(a, b), `${product}: COG bytes differ from the full set's`);
        assert.deepEqual(ms.partitions[product].summary, mf.partitions[product].summary, `${product} summary`);
        assert.equal(ms.partitions[product].key, mf.partitions[product].key, `${product} partition key`);
      }
      for (const [product, uri] of Object.entries(sub.previews)) {
        const [a, b] = await Promise.all([readFile(fileURLToPath(uri)), readFile(fileURLToPath(full.previews[product]))]);
        assert.ok(sameBytes(a, b), `${product} preview differs from the full set's`);
      }
    });
  }

  test('valid, water and bloom counts are numpy’s in the summary and the STAC item, whatever the subset', async () => {
    const { valid, water, bloom } = reference.summary;
    assert.ok(bloom > 0 && water > bloom && valid > water, JSON.stringify(reference.summary));
    const check = async (label: string, r: SceneResult, expect: { valid: number; water: number; bloom: number | null }) => {
      assert.equal(r.summary.validPixels, expect.valid, `${label}: valid pixels`);
      assert.equal(r.summary.waterPixels, expect.water, `${label}: water pixels`);
      assert.equal(r.summary.bloomPixels, expect.bloom ?? 0, `${label}: bloom pixels`);
      if (expect.bloom !== null) assert.equal(r.summary.bloomFraction, bloom / (water - nanInWater()), `${label}: bloom fraction`);
      const item = await readJsonUri(r.stac);
      assert.equal(item.properties['tessera:valid_pixels'], expect.valid, `${label}: item valid pixels`);
      assert.equal(item.properties['tessera:water_pixels'], expect.water, `${label}: item water pixels`);
    };
    // Water pixels whose NDCI is nodata (red edge or red missing) are not in the bloom fraction's denominator.
    const nanInWater = () => {
      let n = 0;
      for (let i = 0; i < reference.water.length; i++) if (reference.water[i] === 1 && Number.isNaN(reference.ndci[i])) n++;
      return n;
    };
    await check('full set', full, { valid, water, bloom });
    await check('ndci alone', subsets['ndci alone'], { valid, water, bloom });
    await check('water alone', subsets['water alone'], { valid, water, bloom: null });
    await check('ndci with the mask', subsets['ndci with the mask'], { valid, water, bloom });
  });
});
