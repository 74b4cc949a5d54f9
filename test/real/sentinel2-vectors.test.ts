/**
 * Water polygons of real imagery: the Sentinel-2 L2A sample the spyndex wheel ships (300 x 300, 10 m, written
 * in EPSG:32632 by test/oracle/spyndex_scene.py), vectorised by the pipeline and judged by gdal_polygonize.py on
 * the water COG with the same connectivity. The sample has no red-edge band, so there is no bloom here; its
 * water is a few small ponds, so a custom mask on NDVI (fields and hedges: many regions, holes, corners) is
 * judged the same way.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { vectorUri } from '../../activities/output-keys';
import { loadConfig } from '../../platform/config';
import { requestEntry } from '../../raster/jobs/products/request';
import { runLocal } from '../../workers/local';
import type { ProcessSceneInput } from '../../workflows/types';
import { repoRoot } from '../support/dev-stack';
import { GDAL_PYTHON } from '../support/gdal-oracle';
import { checkMaskVectors, checkVectorOutputs } from '../support/vector-oracle';

const run = promisify(execFile);
const WHEEL = join(repoRoot(), '.tools', 'data', 'spyndex-0.12.0-py3-none-any.whl');
const local = (uri: string) => fileURLToPath(uri);

let dir: string;
let tif: string;
before(async () => {
  await stat(WHEEL).catch(() => {
    throw new Error(`${WHEEL} is missing: run infra/install-tools.sh`);
  });
  dir = await mkdtemp(join(tmpdir(), 'tessera-s2-vectors-'));
  tif = join(dir, 'S2-SAMPLE.tif');
  await run(GDAL_PYTHON, [join(repoRoot(), 'test', 'oracle', 'spyndex_scene.py'), WHEEL, tif]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const VEG = requestEntry({ name: 'veg', formula: 'NDVI > 0.6' });

// 10 m pixels in UTM: every polygon is a whole number of 100 m² pixels, so 250 m² keeps those of 3 pixels or more.
const cases = [
  { mask: 'water', connectivity: 4, minAreaM2: 0 },
  { mask: 'water', connectivity: 8, minAreaM2: 0 },
  { mask: 'water', connectivity: 4, minAreaM2: 250 },
  { mask: 'veg', connectivity: 4, minAreaM2: 0 },
  { mask: 'veg', connectivity: 8, minAreaM2: 0 },
  { mask: 'veg', connectivity: 8, minAreaM2: 250 },
] as const;

for (const { mask, connectivity, minAreaM2 } of cases) {
  test(`Sentinel-2 ${mask} polygons, ${connectivity}-connected, min area ${minAreaM2} m²: those of gdal_polygonize.py`, async (t) => {
    const name = `out-${mask}-${connectivity}-${minAreaM2}`;
    const out = pathToFileURL(join(dir, name)).href;
    const work = join(dir, `${name}-oracle`);
    await mkdir(work, { recursive: true });
    const input: ProcessSceneInput = { input: pathToFileURL(tif).href, out, products: [mask === 'water' ? 'water' : VEG], vectors: { products: [mask], connectivity, minAreaM2, formats: ['geoparquet', 'geojson'] } };
    const result = await runLocal(loadConfig({}, {}, { cwd: dir, isTTY: false }), input, { logger: pino({ level: 'silent' }), threads: 2 });
    const id = result.sceneId;
    const { parquet, gdal } = await checkMaskVectors({
      label: `S2 ${mask} ${connectivity}c ≥ ${minAreaM2} m²`,
      parquet: local(vectorUri(out, id, mask, 'geoparquet')),
      geojson: local(vectorUri(out, id, mask, 'geojson')),
      mask: local(result.outputs.find((o) => o.role === 'cog')!.uri),
      connectivity,
      epsg: 32632,
      minAreaM2,
      workdir: work,
      diagnostic: (m) => t.diagnostic(m),
    });
    assert.ok(gdal.gdal.kept > (mask === 'water' ? 1 : 50), `${mask}: ${gdal.gdal.kept} polygons`);
    // Planar 10 m pixels: each polygon's area is exactly its pixels x 100 m².
    parquet.area_m2.forEach((a, i) => assert.equal(a, parquet.pixel_count[i] * 100));
    if (minAreaM2 === 0 && mask === 'water') assert.equal(parquet.pixel_count.reduce((a, b) => a + b, 0), result.summary.waterPixels, 'every water pixel is in a polygon');
    if (minAreaM2 > 0) assert.ok(gdal.gdal.kept < gdal.gdal.count, `the minimum area drops some polygons (${gdal.gdal.kept} of ${gdal.gdal.count} kept)`);
    await checkVectorOutputs(result.outputs, local, { [mask]: gdal.ours.count });
  });
}
