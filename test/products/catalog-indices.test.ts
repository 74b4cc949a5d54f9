/**
 * Every catalog index a generated 31-band scene can compute, asked by name in one run (`tessera run --local
 * --products ...`), against numpy evaluating the catalog's own formula strings with its own band matching, at
 * exactly the same nodata pixels; every COG valid for GDAL; the Parquet tables and the STAC item list every product.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { computableIndices } from '../../raster/indices/catalog-sensor';
import { bandSet } from '../../raster/synthetic/band-sets';
import { generateScene } from '../../raster/synthetic/scene';
import type { SceneResult } from '../../workflows/types';
import { assertMatches, assertValidCogs, CATALOG_DIR, numpyOracle, readJsonUri, runFlags, type OracleProduct } from './support';

/** Catalog names that name built-ins (NDCI, NDVI, NDWI): their catalog formulas run as custom products instead. */
const SHADOWED = ['NDCI', 'NDVI', 'NDWI'];

describe('every computable catalog index on a 31-band scene', { timeout: 600_000 }, () => {
  let dir: string;
  let scene: Awaited<ReturnType<typeof generateScene>>;
  let result: SceneResult;
  let names: string[];
  let formulas: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-catalog-'));
    // 700 x 700: four tiles with edges on both axes, overviews, nodata outside the swath.
    scene = await generateScene({ outPath: join(dir, 'WYV31.tif'), sizePx: 700, bands: 31, seed: 21 });
    const bs = bandSet(31);
    const sensor = { name: 'WYV31.tif', bands: bs.wavelengthsNm.map((w, index) => ({ index, wavelengthNm: w, fwhmNm: bs.fwhmNm[index] })) };
    const catalog = JSON.parse(await readFile(join(CATALOG_DIR, 'spectral-indices-dict.json'), 'utf8')).SpectralIndices as Record<string, { formula: string }>;
    formulas = Object.fromEntries(Object.entries(catalog).map(([k, v]) => [k, v.formula]));
    names = computableIndices(sensor)
      .filter((a) => a.computable && a.source === 'catalog')
      .map((a) => a.shortName);
    const byName = names.filter((n) => !SHADOWED.includes(n));
    const custom = names.filter((n) => SHADOWED.includes(n)).map((n) => `${n}_catalog=${formulas[n]}`);
    const t0 = Date.now();
    result = await runFlags(scene.cogPath, join(dir, 'out'), { products: byName.join(','), index: custom });
    console.log(`# ${names.length} catalog indices, ${Object.keys(result.cogs).length} COGs in one run: ${Date.now() - t0} ms`);
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const productName = (n: string) => (SHADOWED.includes(n) ? `${n}_catalog` : n);

  test('more than a hundred indices are computable', () => {
    assert.ok(names.length > 100, `${names.length}`);
    assert.deepEqual(Object.keys(result.cogs).sort(), names.map(productName).sort());
  });

  test('each equals numpy on the catalog formula within 1e-5 relative, at exactly the same nodata pixels', async () => {
    const item = await readJsonUri(result.stac);
    const products: OracleProduct[] = names.map((n) => ({ name: productName(n), formula: formulas[n], cog: fileURLToPath(result.cogs[productName(n)]) }));
    const t0 = Date.now();
    const report = numpyOracle(scene.cogPath, products);
    console.log(`# numpy oracle over ${report.length} products: ${Date.now() - t0} ms`);
    assert.equal(report.length, names.length);
    let valid = 0;
    for (const r of report) {
      assertMatches(r);
      valid += r.valid;
      // The bands numpy matched from the catalog's ranges are the ones the run read.
      const ours = item.properties['tessera:products'][r.name].bands as Record<string, { index: number }>;
      for (const [role, index] of Object.entries(r.bands)) assert.equal(ours[role]?.index, index, `${r.name} ${role}`);
    }
    assert.ok(valid > 0.5 * report[0].pixels * report.length, `mostly valid pixels: ${valid}`);
  });

  test('every COG passes GDAL’s validator', async () => {
    await assertValidCogs(result.cogs);
  });

  test('the Parquet tables and the STAC item list every product', async () => {
    const item = await readJsonUri(result.stac);
    const expected = names.map(productName).sort();
    assert.deepEqual(Object.keys(item.properties['tessera:products']).sort(), expected);
    for (const p of expected) {
      assert.equal(item.assets[p]?.href, result.cogs[p], `asset ${p}`);
      assert.equal(item.assets[p]['raster:bands'][0].data_type, 'float32');
      assert.ok(item.assets[`tile_stats_${p}`] && item.assets[`catalog_${p}`], `tables of ${p} in the item`);
    }
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const root = join(dir, 'out', 'tables');
    const tiles = (await con.runAndReadAll(`SELECT product, count(*)::INTEGER AS n FROM read_parquet('${root}/tile_stats/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY product`)).getRowObjects() as Array<{ product: string; n: number }>;
    assert.deepEqual(tiles.map((r) => r.product).sort(), expected);
    for (const r of tiles) assert.equal(r.n, 4, `${r.product}: one row per tile`);
    const rows = (await con.runAndReadAll(`SELECT product, mean FROM read_parquet('${root}/catalog/**/*.parquet', hive_partitioning = true) ORDER BY product`)).getRowObjects() as Array<{ product: string; mean: number | null }>;
    assert.deepEqual(rows.map((r) => r.product).sort(), expected);
    for (const r of rows) assert.ok(Math.abs((r.mean ?? NaN) - result.summary.products[r.product].mean!) < 1e-9 || r.mean === result.summary.products[r.product].mean, r.product);
    con.closeSync?.();
  });
});
