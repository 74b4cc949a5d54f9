/**
 * The whole scene DAG in-process (the `tessera run --local` path): real thread pool, real file store, outputs
 * checked against GDAL, numpy and DuckDB.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
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
