import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vectorizeMask } from '../vector/features';
import { featuresToGeoJson } from '../vector/geojson';
import { maskFromText } from '../vector/testing/masks';
import { QuicklookInputError } from './errors';
import { overlayPaths, type PolygonFeatureCollection } from './overlay';
import { quicklookPage } from './page';
import { summarizeMasks } from './summary';

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
    assert.deepEqual(s, { validKm2: 3 + 2 * 2, waterKm2: 2 + 2 * 2, bloomKm2: 1 + 2, bloomFraction: 2 / 3, polygons: { water: 2, bloom: 1 } });
    assert.throws(() => summarizeMasks(water, bloom.subarray(1), [1, 1], {}), QuicklookInputError);
  });
});


describe('page', () => {
  const { mask, width, height } = maskFromText(['#.#.#.', '......', '##..##']);
  const grid = { epsg: 32633, geoTransform: [400000, 10, 0, 5800000, 0, -10], width, height };
  const fc = JSON.parse(featuresToGeoJson({ features: vectorizeMask(mask, { grid }), epsg: 32633, sceneId: 's', datetime: 't', class: 'water' })) as PolygonFeatureCollection;
  const summary = { validKm2: 1, waterKm2: 0.5, bloomKm2: null, bloomFraction: null, polygons: { water: fc.features.length, turbid: 2 } };
  const base = { sceneId: 's', datetime: '2024-06-01T10:00:00Z', grid, preview: { width, height }, summary };
  const paths = (html: string, layer: string): number => (html.match(new RegExp(`<g class="layer" data-layer="${layer}"[^>]*>(.*?)</g>`))?.[1].match(/<path /g) ?? []).length;

  it('draws every polygon of a layer once per preview, each layer in its own group', () => {
    assert.equal(fc.features.length, 5);
    const html = quicklookPage({
      ...base,
      previews: [{ label: 'True colour', href: 'preview/rgb.png' }, { label: 'NDCI', href: 'preview/ndci.png', range: [-0.3, 0.3] }],
      layers: [{ name: 'water', geojson: fc }, { name: 'turbid', geojson: { type: 'FeatureCollection', features: fc.features.slice(0, 2) } }],
    });
    assert.equal((html.match(/<img /g) ?? []).length, 2);
    assert.equal((html.match(/<g class="layer" data-layer="water"/g) ?? []).length, 2);
    assert.equal(paths(html, 'water'), 5);
    assert.equal(paths(html, 'turbid'), 2);
    // A custom mask gets a colour of its own, not water's.
    assert.match(html, /data-layer="turbid" style="--c:#ffb000"/);
    assert.match(html, /data-stat="turbid polygons"><div class="k">turbid polygons<\/div><div class="v">2</);
    assert.match(html, /data-stat="Bloom"><div class="k">Bloom<\/div><div class="v">–</);
    assert.doesNotMatch(html, /https?:\/\//, 'no network resource');
  });

  it('draws only the largest polygons past the cap, and says so', () => {
    const html = quicklookPage({ ...base, previews: [], layers: [{ name: 'water', geojson: fc }], maxDrawnPolygons: 3 });
    assert.equal(paths(html, 'water'), 3);
    assert.match(html, /largest 3 drawn/);
    // A mask counted but without GeoJSON (--vector-formats geoparquet) is shown as a number only.
    assert.match(html, /data-stat="turbid polygons">.*?not drawn \(no GeoJSON\)/);
    assert.match(html, /water polygons \(5\)/);
    // No preview: the polygons are drawn on their own.
    assert.match(html, /<figcaption>Polygons<\/figcaption>/);
  });

  it('rejects a preview factor that is not a positive whole number, and layers without a grid', () => {
    assert.throws(
      () => quicklookPage({ ...base, preview: { width: 2, height: 2, factor: 1.5 }, previews: [], layers: [] }),
      (e) => e instanceof QuicklookInputError && e.message === 'quicklook: preview factor 1.5 is not a positive whole number',
    );
    assert.throws(() => quicklookPage({ ...base, grid: null, previews: [], layers: [{ name: 'water', geojson: fc }] }), QuicklookInputError);
  });
});
