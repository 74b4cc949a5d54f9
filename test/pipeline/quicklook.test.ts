/**
 * The quick-look page as a user gets it: a scene run in-process with polygons and a reprojected copy, its
 * index.html opened from the file system in headless Chromium. The previews must load, every polygon of the
 * GeoJSON files must be drawn over each preview, and the numbers shown must be the STAC item's. A second run that
 * adds a product skips the vectorised partitions and must keep their polygons everywhere they are listed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import pino from 'pino';
import { loadConfig } from '../../platform/config';
import { generateScene } from '../../raster/synthetic/scene';
import { runLocal } from '../../workers/local';
import { paramsHash } from '../../workflows/run-ids';
import type { ProcessSceneInput, SceneResult } from '../../workflows/types';
import { launchBrowser, saveScreenshot } from '../support/browser';
import { checkSceneOutputs } from '../support/check-outputs';
import { rustacValidate } from '../support/rustac';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-quicklook-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readJson = async (uri: string): Promise<Json> => JSON.parse(await readFile(fileURLToPath(uri), 'utf8'));

async function run(input: ProcessSceneInput): Promise<SceneResult> {
  input.paramsHash = paramsHash(input);
  const config = loadConfig({ TESSERA_THREADS: '2' }, {}, { cwd: dir, isTTY: false });
  return runLocal(config, input, { logger: pino({ level: 'silent' }), threads: 2 });
}

/** What the page shows, read in the browser (code as text: the project compiles without the DOM library). */
interface Shown {
  images: Array<{ src: string; naturalWidth: number; naturalHeight: number; shownWidth: number }>;
  paths: Record<string, number[]>;
  stats: Record<string, string>;
}

test('quick look of a scene with water and bloom polygons, in headless Chromium', async (t) => {
  const scene = await generateScene({ outPath: join(dir, 'in', 'LAKE-QL.tif'), sizePx: 1100, bands: 23, seed: 3 });
  const out = pathToFileURL(join(dir, 'out')).href;
  const vectors = { products: ['water', 'bloom'], connectivity: 4 as const, minAreaM2: 0, formats: ['geoparquet' as const, 'geojson' as const] };
  const input: ProcessSceneInput = { input: pathToFileURL(scene.cogPath).href, out, products: ['ndwi', 'water', 'ndci', 'rgb'], vectors, reproject: { epsg: 3857 } };
  const result = await run(input);
  const item = await readJson(result.stac);
  const page = result.outputs.find((o) => o.role === 'quicklook');
  assert.ok(page, 'the quick look is among the outputs');
  assert.equal(page.product, undefined);
  assert.equal(item.assets.quicklook.href, page.uri);
  assert.equal(item.assets.quicklook.type, 'text/html');
  const manifest = await readJson(result.manifest);
  assert.ok(manifest.outputs.some((o: Json) => o.uri === page.uri && o.role === 'quicklook'), 'the manifest lists the quick look');

  // The polygons as written, the counts the item records, and the assets of every map output.
  const features: Record<string, number> = {};
  for (const name of ['water', 'bloom']) {
    const fc = await readJson(item.assets[`vectors_${name}_geojson`].href);
    features[name] = fc.features.length;
    assert.equal(item.assets[`vectors_${name}_geojson`].type, 'application/geo+json');
    assert.equal(item.assets[`vectors_${name}_geoparquet`].type, 'application/vnd.apache.parquet');
    assert.equal(item.assets[`vectors_${name}_geoparquet`]['tessera:polygons'], fc.features.length);
  }
  assert.ok(features.water > 0 && features.bloom > 0, `the scene has polygons of both masks: ${JSON.stringify(features)}`);
  assert.deepEqual(item.properties['tessera:polygons'], features);
  for (const product of ['ndwi', 'water', 'ndci']) {
    const copy = result.outputs.find((o) => o.role === 'reprojected' && o.product === product);
    assert.ok(copy?.proj, `${product} has a copy with its grid`);
    const a = item.assets[`${product}_epsg3857`];
    assert.deepEqual([a.href, a['proj:epsg'], a['proj:shape'], a['proj:transform']], [copy.uri, 3857, copy.proj.shape, copy.proj.transform]);
  }
  const validation = await rustacValidate(item);
  assert.ok(validation.ok, validation.output);
  // The shared checker: sha256 of every output, GDAL's COG validator on the copies, feature counts of every file.
  await checkSceneOutputs({
    result,
    inputPath: scene.cogPath,
    localPath: (uri) => fileURLToPath(uri),
    tableRoot: join(dir, 'out', 'tables', 'tile_stats'),
    tmpDir: dir,
    tiles: Math.ceil(scene.width / 512) * Math.ceil(scene.height / 512),
  });

  const browser = await launchBrowser();
  let shown: Shown;
  let shot: string;
  let tip: string;
  let hidden: string[];
  const problems: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
    const tab = await context.newPage();
    tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    tab.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    tab.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
    tab.on('request', (r) => !r.url().startsWith('file://') && problems.push(`remote: ${r.url()}`));
    await tab.goto(page.uri, { waitUntil: 'load' });
    shown = (await tab.evaluate(`({
      images: Array.from(document.images).map((i) => ({ src: i.getAttribute('src'), naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight, shownWidth: i.getBoundingClientRect().width })),
      paths: Object.fromEntries(['water', 'bloom'].map((l) => [l, Array.from(document.querySelectorAll('g.layer[data-layer="' + l + '"]')).map((g) => g.querySelectorAll('path').length)])),
      stats: Object.fromEntries(Array.from(document.querySelectorAll('.stat')).map((s) => [s.dataset.stat, s.querySelector('.v').innerText])),
    })`)) as Shown;
    shot = await saveScreenshot(tab, 'quicklook-pipeline');
    // Hovering a polygon names it with its numbers; unticking a layer hides it over every preview.
    const largest = (await tab.evaluate(`Array.from(document.querySelectorAll('g.layer[data-layer="bloom"] path')).sort((a, b) => b.dataset.pixels - a.dataset.pixels)[0].dataset.id`)) as string;
    await tab.hover(`g.layer[data-layer="bloom"] path[data-id="${largest}"]`, { force: true });
    tip = (await tab.evaluate(`document.getElementById('tip').innerText`)) as string;
    await saveScreenshot(tab, 'quicklook-pipeline-hover');
    await tab.click('input[data-toggle="water"]');
    hidden = (await tab.evaluate(`Array.from(document.querySelectorAll('g.layer[data-layer="water"]')).map((g) => getComputedStyle(g).display)`)) as string[];
    await context.close();
  } finally {
    await browser.close();
  }
  t.diagnostic(`screenshot ${shot}; ${JSON.stringify(shown.stats)}`);
  assert.deepEqual(problems, []);
  assert.deepEqual(shown.images.map((i) => i.src).sort(), ['preview/ndci.png', 'preview/rgb.png']);
  const f = manifest.parameters.previewFactor as number;
  for (const i of shown.images) {
    assert.deepEqual([i.naturalWidth, i.naturalHeight], [Math.ceil(scene.width / f), Math.ceil(scene.height / f)], `${i.src} loaded`);
    assert.ok(i.shownWidth > 500, `${i.src} is shown large (${i.shownWidth} px)`);
  }
  // Every polygon over each of the two previews.
  assert.deepEqual(shown.paths, { water: [features.water, features.water], bloom: [features.bloom, features.bloom] });
  const km2 = (v: number) => `${v.toLocaleString('en-US', { minimumFractionDigits: v < 10 ? 3 : 2, maximumFractionDigits: v < 10 ? 3 : 2 })} km²`;
  assert.equal(shown.stats.Water, km2(item.properties['tessera:water_km2']));
  assert.equal(shown.stats.Bloom, km2(item.properties['tessera:bloom_km2']));
  assert.equal(shown.stats['Bloom fraction'], `${(100 * item.properties['tessera:bloom_fraction']).toFixed(1)} %`);
  assert.equal(shown.stats['water polygons'], String(features.water));
  assert.equal(shown.stats['bloom polygons'], String(features.bloom));
  assert.match(tip, /^bloom polygon \d+\n[\d.]+ km², \d+ px\nNDCI mean/);
  assert.deepEqual(hidden, ['none', 'none']);

  // Adding a product recomputes only that partition: the vectorised ones are skipped and keep their polygons.
  const again = await run({ ...input, products: [...input.products, 'ndvi'] });
  assert.deepEqual(again.partitions.filter((p) => p.action === 'computed').map((p) => p.variant), ['ndvi']);
  const item2 = await readJson(again.stac);
  assert.deepEqual(item2.properties['tessera:polygons'], features);
  for (const key of ['vectors_water_geojson', 'vectors_bloom_geoparquet', 'water_epsg3857', 'ndvi_epsg3857', 'quicklook']) assert.ok(item2.assets[key], `${key} listed after the re-run`);
  assert.equal(item2.assets.vectors_bloom_geoparquet['tessera:polygons'], features.bloom);
  assert.deepEqual(item2.assets.water_epsg3857['proj:shape'], item.assets.water_epsg3857['proj:shape']);
  const html = await readFile(fileURLToPath(page.uri), 'utf8');
  assert.equal((html.match(/<g class="layer" data-layer="bloom"[^>]*>/g) ?? []).length, 2, 'the re-written page still draws the bloom polygons');

  // The catalog table counts each partition's polygons (the ndci row: bloom); not vectorised → NULL.
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const rows = (await con.runAndReadAll(
      `SELECT product, polygon_count FROM read_parquet('${join(dir, 'out', 'tables', 'catalog')}/**/*.parquet', hive_partitioning = true, hive_types = {'scene': VARCHAR, 'product': VARCHAR}) ORDER BY product`,
    )).getRowObjectsJS();
    assert.deepEqual(rows, [
      { product: 'ndci', polygon_count: features.bloom },
      { product: 'ndvi', polygon_count: null },
      { product: 'ndwi', polygon_count: null },
      { product: 'water', polygon_count: features.water },
    ]);
  } finally {
    con.closeSync();
    db.closeSync();
  }
});
