/**
 * `--vectors` in-process: a generated 1100 x 1100 scene (3 x 3 tiles, so regions cross tile seams both ways) is
 * run with water, bloom and custom-mask polygons, and the files are judged by GDAL: gdal_polygonize.py with the
 * same connectivity on the water COG, on a bloom mask made by numpy from the NDCI and water COGs, and on the
 * custom mask's COG. Counts, areas (in the CRS and on the ground), shapes and validity must agree; the GeoParquet
 * is read back by geopandas, the GeoJSON by ogrinfo and OGR.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { vectorUri } from '../../activities/output-keys';
import { loadConfig } from '../../platform/config';
import { requestEntry } from '../../raster/jobs/products/request';
import { generateScene, type GeneratedScene } from '../../raster/synthetic/scene';
import { runLocal } from '../../workers/local';
import type { ProcessSceneInput, SceneResult, VectorRequest } from '../../workflows/types';
import { checkMaskVectors, checkVectorOutputs, writeBloomMask } from '../support/vector-oracle';

const THRESHOLD = 0.3; // NDCI's default threshold, which bloom polygons use

let dir: string;
let scene: GeneratedScene;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-vectors-'));
  scene = await generateScene({ outPath: join(dir, 'in', 'WYV-VEC.tif'), sizePx: 1100, bands: 31, seed: 3 });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runWith(name: string, products: string[], vectors: VectorRequest): Promise<{ result: SceneResult; out: string; work: string }> {
  const out = pathToFileURL(join(dir, name)).href;
  const work = join(dir, `${name}-oracle`);
  await mkdir(work, { recursive: true });
  // From the STAC item: it carries the acquisition time the records are dated with.
  const input: ProcessSceneInput = { input: pathToFileURL(scene.stacPath).href, out, products, vectors };
  const result = await runLocal(loadConfig({}, {}, { cwd: dir, isTTY: false }), input, { logger: pino({ level: 'silent' }), threads: 2 });
  return { result, out, work };
}

const local = (uri: string) => fileURLToPath(uri);

// A custom mask at the edge of the vegetation: ragged, speckled regions (about two thousand), with holes and
// pinch corners.
const GREEN = requestEntry({ name: 'green', formula: 'NDVI > 0.15' });

for (const connectivity of [4, 8] as const) {
  describe(`water, bloom and a custom mask's polygons, ${connectivity}-connected`, () => {
    test('equal gdal_polygonize.py on the same masks; GeoParquet and GeoJSON read back', async (t) => {
      const { result, out, work } = await runWith(`out-${connectivity}`, ['water', 'ndci', GREEN], {
        products: ['water', 'bloom', 'green'],
        connectivity,
        minAreaM2: 0,
        formats: ['geoparquet', 'geojson'],
      });
      const id = result.sceneId;
      const cogOf = (product: string) => local(result.outputs.find((o) => o.role === 'cog' && o.product?.split('@')[0] === product)!.uri);
      const water = cogOf('water');
      const bloomTif = join(work, 'bloom.tif');
      const bloomPixels = await writeBloomMask({ water, ndci: cogOf('ndci'), threshold: THRESHOLD, out: bloomTif });
      assert.ok(bloomPixels.pixels > 0, 'the scene has bloom pixels');

      const counts: Record<string, number> = {};
      for (const [name, mask, least] of [['water', water, 1], ['bloom', bloomTif, 2], ['green', cogOf('green'), 100]] as const) {
        const { parquet, gdal } = await checkMaskVectors({
          label: `${name} ${connectivity}c`,
          parquet: local(vectorUri(out, id, name, 'geoparquet')),
          geojson: local(vectorUri(out, id, name, 'geojson')),
          mask,
          connectivity,
          epsg: 4326,
          workdir: work,
          diagnostic: (m) => t.diagnostic(m),
        });
        assert.ok(gdal.gdal.kept >= least, `${name}: at least ${least} polygons (${gdal.gdal.kept})`);
        assert.deepEqual(parquet.class, [name]);
        assert.deepEqual(parquet.scene_id, [id]);
        assert.deepEqual(parquet.datetime, ['2024-08-15T16:20:00+00:00']);
        if (name === 'bloom') {
          // NDCI mean and max inside each polygon: every bloom pixel is above the threshold.
          assert.ok(parquet.mean.every((m) => m !== null && m > THRESHOLD), 'bloom means above the threshold');
          assert.ok(parquet.max.every((m, i) => m !== null && m >= parquet.mean[i]!), 'max ≥ mean');
          assert.equal(parquet.pixel_count.reduce((a, b) => a + b, 0), bloomPixels.pixels, 'bloom polygons hold every bloom pixel');
        } else {
          assert.ok(parquet.mean.every((m) => m === null), `${name} polygons carry no values`);
        }
        if (name === 'water') assert.equal(parquet.pixel_count.reduce((a, b) => a + b, 0), result.summary.waterPixels, 'water polygons hold every water pixel');
        counts[name] = gdal.ours.count;
      }
      await checkVectorOutputs(result.outputs, local, counts);
      const productOf = (name: string) => [...new Set(result.outputs.filter((o) => o.role === 'vector' && o.vector!.name === name).map((o) => o.product))];
      assert.equal(result.outputs.filter((o) => o.role === 'vector').length, 6);
      assert.deepEqual(productOf('bloom'), ['ndci']);
      assert.deepEqual(productOf('water'), ['water']);
    });
  });
}

test('--min-area: exactly the GDAL polygons of at least that ground area remain', async (t) => {
  // Pixels are ~24.9 m² (varying by 1e-3 over the scene's rows): 112 m² lies between 4 and 5 pixels.
  const minAreaM2 = 112;
  const { result, out, work } = await runWith('out-min', [GREEN], { products: ['green'], connectivity: 8, minAreaM2, formats: ['geoparquet', 'geojson'] });
  const id = result.sceneId;
  const greenCog = result.outputs.find((o) => o.role === 'cog')!;
  const { parquet, gdal } = await checkMaskVectors({
    label: 'green 8c ≥ 112 m²',
    parquet: local(vectorUri(out, id, 'green', 'geoparquet')),
    geojson: local(vectorUri(out, id, 'green', 'geojson')),
    mask: local(greenCog.uri),
    connectivity: 8,
    epsg: 4326,
    minAreaM2,
    workdir: work,
    diagnostic: (m) => t.diagnostic(m),
  });
  assert.ok(gdal.gdal.kept >= 3 && gdal.gdal.kept < gdal.gdal.count / 2, `the threshold drops most polygons (${gdal.gdal.kept} of ${gdal.gdal.count} kept)`);
  assert.ok(parquet.area_m2.every((a) => a >= minAreaM2));
  assert.equal(result.outputs.find((o) => o.role === 'vector')!.vector!.polygons, gdal.gdal.kept);
});
