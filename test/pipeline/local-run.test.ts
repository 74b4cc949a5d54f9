/**
 * The whole scene DAG in-process (the `tessera run --local` path): real thread pool, real file store, outputs
 * checked against GDAL, numpy and DuckDB.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../../platform/config';
import { generateScene } from '../../raster/synthetic/scene';
import { runLocal } from '../../workers/local';
import { paramsHash } from '../../workflows/run-ids';
import type { ProcessSceneInput } from '../../workflows/types';
import { checkSceneOutputs } from '../support/check-outputs';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-local-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('local run: every product of a 23-band scene matches GDAL/numpy, tables and manifest check out', async () => {
  // 1100 x 700: edge tiles on both axes, three tile columns, overviews.
  const scene = await generateScene({ outPath: join(dir, 'in', 'WYV-LOCAL.tif'), sizePx: 1100, bands: 23, seed: 3 });
  const out = pathToFileURL(join(dir, 'out')).href;
  const input: ProcessSceneInput = { input: pathToFileURL(scene.cogPath).href, out, products: ['ndwi', 'water', 'ndci', 'ndvi', 'rgb'] };
  input.paramsHash = paramsHash(input);
  const config = loadConfig({ TESSERA_THREADS: '2' }, {}, { cwd: dir, isTTY: false });
  const result = await runLocal(config, input, { logger: pino({ level: 'silent' }), threads: 2 });

  assert.equal(result.status, 'completed');
  assert.deepEqual(Object.keys(result.cogs).sort(), ['ndci', 'ndvi', 'ndwi', 'water']);
  assert.deepEqual(Object.keys(result.previews).sort(), ['ndci', 'rgb']);
  await checkSceneOutputs({
    result,
    inputPath: scene.cogPath,
    localPath: (uri) => fileURLToPath(uri),
    tableRoot: join(dir, 'out', 'tables', 'tile_stats'),
    tmpDir: dir,
    tiles: Math.ceil(scene.width / 512) * Math.ceil(scene.height / 512),
  });
});

test('local run from a STAC item: bands come from eo:bands, the acquisition time is carried over', async () => {
  const scene = await generateScene({ outPath: join(dir, 'stac', 'WYV-STAC.tif'), sizePx: 300, bands: 31, seed: 5 });
  const out = pathToFileURL(join(dir, 'out-stac')).href;
  const input: ProcessSceneInput = { input: pathToFileURL(scene.stacPath).href, out, products: ['ndci'] };
  const config = loadConfig({}, {}, { cwd: dir, isTTY: false });
  const result = await runLocal(config, input, { logger: pino({ level: 'silent' }), threads: 1 });
  assert.equal(result.sceneId, 'WYV-STAC');
  const item = JSON.parse(await readFile(fileURLToPath(result.stac), 'utf8'));
  const source = JSON.parse(await readFile(scene.stacPath, 'utf8'));
  assert.equal(item.properties.datetime, source.properties.datetime);
  assert.equal(item.properties['tessera:datetime_source'], 'input');
  // RE ≈ 712 nm and R ≈ 669 nm picked from the item's eo:bands (micrometres there, nanometres here).
  const bands = item.properties['tessera:bands'];
  assert.ok(Math.abs(bands.re.wavelengthNm - 712) < 15 && bands.re.wavelengthNm >= 695 && bands.re.wavelengthNm <= 715, JSON.stringify(bands.re));
  assert.ok(bands.r.wavelengthNm >= 620 && bands.r.wavelengthNm <= 690, JSON.stringify(bands.r));
});

test('a sensor without a red-edge band fails with the product, the range and the nearest band', async () => {
  const scene = await generateScene({ outPath: join(dir, 'l7', 'FAKE-L7.tif'), sizePx: 64, bands: 23, seed: 1 });
  // 23 wavelengths, none inside RE1 (695–715 nm): NDCI cannot be made.
  const wavelengthsNm = Array.from({ length: 23 }, (_, i) => (i < 12 ? 480 + i * 15 : 760 + (i - 12) * 20));
  const input: ProcessSceneInput = { input: scene.cogPath, out: pathToFileURL(join(dir, 'out-l7')).href, products: ['ndci'], wavelengthsNm };
  await assert.rejects(
    runLocal(loadConfig({}, {}, { cwd: dir, isTTY: false }), input, { logger: pino({ level: 'silent' }), threads: 1 }),
    (err: Error) => err.name === 'ApplicationFailure' && /ndci/.test(err.message) && /695–715 nm/.test(err.message) && /nearest is band/.test(err.message),
  );
});
