import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { pixelAreasM2 } from '../geo/pixel-area';
import { featuresToGeoParquet } from '../geoparquet/write';
import { FileSource } from '../source';
import { Tiff } from '../tiff/tiff';
import { vectorizeMask } from '../vector/features';
import { featuresToGeoJson } from '../vector/geojson';
import { bloomMask } from '../vector/masks';
import { maskFromText } from '../vector/testing/masks';
import { launchBrowser, saveScreenshot } from '../../test/support/browser';
import { QuicklookInputError } from './errors';
import { overlayPaths, type PolygonFeatureCollection } from './overlay';
import { quicklookPage } from './page';
import { summarizeMasks } from './summary';

const dir = mkdtempSync(join(tmpdir(), 'quicklook-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// dist/raster/quicklook → repository root.
const ROOT = join(__dirname, '..', '..', '..');
const TESSERA = join(ROOT, 'bin', 'tessera');

describe('overlay and summary', () => {
  it('a pixel polygon comes back to its preview pixels (factor 1 and 2) through lon/lat', () => {
    const { mask, width, height } = maskFromText(['.#..', '....']);
    const grid = { epsg: 32633, geoTransform: [400000, 10, 0, 5800000, 0, -10], width, height };
    const fc = JSON.parse(featuresToGeoJson({ features: vectorizeMask(mask, { grid }), epsg: 32633, sceneId: 's', datetime: 't', class: 'water' })) as PolygonFeatureCollection;
    // 7 decimals of a degree are ~1 cm: the corners come back within 0.01 px of 10 m pixels.
    assert.deepEqual(overlayPaths(fc, grid, 1).map((p) => p.d), ['M1 1L2 1L2 0L1 0Z']);
    assert.deepEqual(overlayPaths(fc, grid, 2).map((p) => p.d), ['M0.5 0.5L1 0.5L1 0L0.5 0Z']);
  });

  it('summary areas and bloom fraction from the masks', () => {
    const water = new Uint8Array([1, 1, 0, 255, 1, 1]);
    const bloom = new Uint8Array([1, 0, 0, 255, 255, 1]);
    const s = summarizeMasks(water, bloom, [1e6, 2e6], { water: 2, bloom: 1 });
    assert.deepEqual(s, { validKm2: 3 + 2 * 2, waterKm2: 2 + 2 * 2, bloomKm2: 1 + 2, bloomFraction: 2 / 3, waterPolygons: 2, bloomPolygons: 1 });
    assert.throws(() => summarizeMasks(water, bloom.subarray(1), [1, 1], { water: 0, bloom: 0 }), QuicklookInputError);
  });
});

async function readBand(path: string): Promise<{ pixels: Float32Array | Uint8Array; width: number; height: number; epsg: number; geoTransform: number[] }> {
  const source = new FileSource(path);
  try {
    const tiff = await Tiff.open(source);
    const info = tiff.info();
    const [band] = await tiff.images[0].readWindow({ x: 0, y: 0, width: info.width, height: info.height });
    assert.ok(info.geo?.epsg !== undefined);
    return { pixels: band as Float32Array | Uint8Array, width: info.width, height: info.height, epsg: info.geo.epsg, geoTransform: info.geo.geoTransform };
  } finally {
    await source.close?.();
  }
}

describe('quick-look page of a generated scene, in headless Chromium', { skip: !existsSync(join(ROOT, 'dist', 'cli', 'main.js')) && 'CLI not built' }, () => {
  it('shows both previews, every polygon over each, and the summary numbers', async (t) => {
    // The lake scene of the README: 1024², 31 bands, seed 7, run locally through the whole pipeline.
    execFileSync(TESSERA, ['generate', '--out', join(dir, 'lake.tif'), '--size', '1024', '--bands', '31', '--seed', '7'], { stdio: 'pipe' });
    execFileSync(TESSERA, ['run', join(dir, 'lake.tif'), '--local', '--out', join(dir, 'out')], { stdio: 'pipe' });
    const sceneDir = join(dir, 'out', 'scenes', 'lake');
    const item = JSON.parse(readFileSync(join(sceneDir, 'item.json'), 'utf8')) as { properties: Record<string, unknown> };
    const water = await readBand(join(sceneDir, 'cog', 'water.tif'));
    const ndci = await readBand(join(sceneDir, 'cog', 'ndci.tif'));
    const grid = { epsg: water.epsg, geoTransform: water.geoTransform, width: water.width, height: water.height };
    const bloom = bloomMask(ndci.pixels as Float32Array, water.pixels as Uint8Array, 0.3);
    const datetime = String(item.properties.datetime);
    const vectors = join(sceneDir, 'vectors');
    mkdirSync(vectors, { recursive: true });
    const layers = (['water', 'bloom'] as const).map((cls) => {
      const features = vectorizeMask(cls === 'water' ? (water.pixels as Uint8Array) : bloom, { grid, values: ndci.pixels as Float32Array });
      const geojson = featuresToGeoJson({ features, epsg: grid.epsg, sceneId: 'lake', datetime, class: cls });
      writeFileSync(join(vectors, `${cls}.geojson`), geojson);
      writeFileSync(join(vectors, `${cls}.parquet`), featuresToGeoParquet({ features, epsg: grid.epsg, sceneId: 'lake', datetime, class: cls }));
      return { class: cls, features, geojson: JSON.parse(geojson) as PolygonFeatureCollection };
    });
    const summary = summarizeMasks(water.pixels as Uint8Array, bloom, pixelAreasM2(grid), { water: layers[0].features.length, bloom: layers[1].features.length });
    // The pipeline's own numbers (STAC item) agree with the masks and with the polygons.
    assert.ok(Math.abs(summary.waterKm2 - Number(item.properties['tessera:water_km2'])) <= 1e-9 * summary.waterKm2);
    assert.ok(Math.abs(summary.bloomKm2 - Number(item.properties['tessera:bloom_km2'])) <= 1e-9 * summary.bloomKm2);
    assert.ok(Math.abs((summary.bloomFraction as number) - Number(item.properties['tessera:bloom_fraction'])) <= 1e-12);
    for (const l of layers) {
      const polygonsKm2 = l.features.reduce((s, f) => s + f.areaM2, 0) / 1e6;
      assert.ok(Math.abs(polygonsKm2 - (l.class === 'water' ? summary.waterKm2 : summary.bloomKm2)) <= 1e-9 * polygonsKm2, `${l.class} polygons add up`);
    }
    const meta = await sharp(join(sceneDir, 'preview', 'rgb.png')).metadata();
    const factor = Math.round(grid.width / (meta.width as number));
    assert.equal(Math.ceil(grid.width / factor), meta.width);
    const html = quicklookPage({
      sceneId: 'lake',
      datetime,
      grid,
      preview: { rgbHref: 'preview/rgb.png', ndciHref: 'preview/ndci.png', width: meta.width as number, height: meta.height as number, factor },
      layers: layers.map((l) => ({ class: l.class, geojson: l.geojson })),
      summary,
      links: [
        { label: 'water polygons (GeoParquet)', href: 'vectors/water.parquet' },
        { label: 'water polygons (GeoJSON)', href: 'vectors/water.geojson' },
        { label: 'bloom polygons (GeoParquet)', href: 'vectors/bloom.parquet' },
        { label: 'bloom polygons (GeoJSON)', href: 'vectors/bloom.geojson' },
        { label: 'NDCI COG', href: 'cog/ndci.tif' },
        { label: 'water COG', href: 'cog/water.tif' },
        { label: 'STAC item', href: 'item.json' },
      ],
    });
    const page = join(sceneDir, 'index.html');
    writeFileSync(page, html);
    assert.doesNotMatch(html, /https?:\/\//, 'no network resource');

    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
      const tab = await context.newPage();
      const errors: string[] = [];
      const remote: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      tab.on('request', (r) => !r.url().startsWith('file://') && remote.push(r.url()));
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      // Browser-side code as text: the project compiles without the DOM library.
      const shown = (await tab.evaluate(`({
        images: Array.from(document.images).map((i) => [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width]),
        water: document.querySelectorAll('path.water').length,
        bloom: document.querySelectorAll('path.bloom').length,
        stats: Array.from(document.querySelectorAll('.stat')).map((s) => s.innerText.replace(/\\s+/g, ' ')),
      })`)) as { images: number[][]; water: number; bloom: number; stats: string[] };
      const shot = await saveScreenshot(tab, 'quicklook-lake');
      // Hover the largest bloom polygon: its tooltip names it.
      const largest = [...layers[1].features].sort((a, b) => b.areaM2 - a.areaM2)[0];
      await tab.hover(`path.bloom[data-id="${largest.id}"]`, { force: true });
      const tip = (await tab.evaluate(`document.getElementById('tip').innerText`)) as string;
      await saveScreenshot(tab, 'quicklook-lake-hover');
      // Hiding the water layer hides its paths.
      await tab.click('input[data-toggle="water"]');
      const waterHidden = (await tab.evaluate(`getComputedStyle(document.querySelector('g.layer.water')).display`)) as string;
      await context.close();
      t.diagnostic(`screenshot ${shot}; ${shown.water / 2} water + ${shown.bloom / 2} bloom polygons; stats: ${shown.stats.join(' | ')}`);
      assert.deepEqual(errors, []);
      assert.deepEqual(remote, []);
      assert.deepEqual(shown.images.map((i) => [i[0], i[1]]), [[meta.width, meta.height], [meta.width, meta.height]], 'both previews loaded');
      assert.ok(shown.images.every((i) => i[2] > 300), 'previews shown large');
      assert.equal(shown.water, 2 * layers[0].features.length, 'every water polygon over both previews');
      assert.equal(shown.bloom, 2 * layers[1].features.length);
      assert.match(shown.stats.join(' '), new RegExp(`Bloom fraction ${(100 * (summary.bloomFraction as number)).toFixed(1)} %`, 'i'));
      assert.match(tip, new RegExp(`bloom polygon ${largest.id}\\n${(largest.areaM2 / 1e6).toFixed(4)} km²`));
      assert.equal(waterHidden, 'none');
    } finally {
      await browser.close();
    }
  });
});

it('rejects a preview factor that is not a positive whole number', () => {
  const summary = { validKm2: 0, waterKm2: 0, bloomKm2: 0, bloomFraction: null, waterPolygons: 0, bloomPolygons: 0 };
  const grid = { epsg: 4326, geoTransform: [0, 1, 0, 0, 0, -1], width: 2, height: 2 };
  assert.throws(
    () => quicklookPage({ sceneId: 's', datetime: 't', grid, preview: { rgbHref: 'a', ndciHref: 'b', width: 2, height: 2, factor: 1.5 }, layers: [], summary }),
    (e) => e instanceof QuicklookInputError && e.message === 'quicklook: preview factor 1.5 is not a positive whole number',
  );
});
