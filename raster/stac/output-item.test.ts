import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOutputItem, type OutputItemInput } from './output-item';
import { MediaType, RASTER_DATA_TYPES, StacExtension } from './const';
import { StacInputError } from './errors';
import { projBbox, projTransformFromGeoTransform } from './transform';
import { footprintWgs84 } from '../geo/footprint';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// A 30 m UTM 33N grid of 1000 x 1200 pixels with an illustrative lon/lat bbox (its real footprint, from
// footprintWgs84, is tested below).
const BASE: OutputItemInput = {
  sceneId: 'EMIT_L2A_RFL_001_20240601T101112_2415207_004',
  datetime: '2024-06-01T10:11:12Z',
  bbox: [14.99, 44.99, 15.51, 45.35],
  epsg: 32633,
  shape: [1000, 1200],
  transform: [30, 0, 500000, 0, -30, 5000000],
  sourceHref: 's3://in/EMIT_L2A_RFL_001_20240601T101112_2415207_004.nc',
  selfHref: 's3://out/scene/item.json',
  properties: { platform: 'ISS', 'eo:cloud_cover': 12.5 },
  assets: [
    { key: 'ndwi', href: 's3://out/scene/ndwi.tif', title: 'NDWI', type: MediaType.Cog, roles: ['data'], product: 'ndwi', dataType: 'float32', nodata: 'nan', statistics: { minimum: -0.9, maximum: 0.8, mean: 0.1, stddev: 0.2, valid_percent: 93.5 } },
    { key: 'ndci', href: 's3://out/scene/ndci.tif', title: 'NDCI', type: MediaType.Cog, roles: ['data'], product: 'ndci', dataType: 'float32', nodata: NaN, statistics: { minimum: NaN, mean: 0.05 } },
    { key: 'water', href: 's3://out/scene/water.tif', title: 'Water mask', type: MediaType.Cog, roles: ['data'], product: 'water', dataType: 'uint8', nodata: 255, statistics: { minimum: NaN } },
    { key: 'preview_rgb', href: 's3://out/scene/rgb.png', title: 'RGB preview', type: MediaType.Png, roles: ['overview', 'visual'] },
    { key: 'tile_stats_ndwi', href: 's3://out/tile_stats/scene=x/product=ndwi/part-0.parquet', title: 'NDWI tile statistics', type: MediaType.Parquet, roles: ['metadata'], product: 'ndwi' },
  ],
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The rules of the STAC 1.0.0 Item schema and of the projection/raster/eo v1.1.0 schemas that our Items touch,
 * written out as checks (the schemas themselves reference remote documents, unavailable offline).
 */
function checkStacItemRules(item: Json): void {
  assert.equal(item.type, 'Feature');
  assert.equal(item.stac_version, '1.0.0');
  assert.equal(typeof item.id, 'string');
  assert.ok(item.id.length > 0);
  assert.ok(Array.isArray(item.stac_extensions) && item.stac_extensions.every((u: unknown) => typeof u === 'string'));
  assert.ok('geometry' in item, 'geometry is required (may be null)');
  if (item.geometry !== null) {
    assert.ok(Array.isArray(item.bbox) && (item.bbox.length === 4 || item.bbox.length === 6), 'bbox required with a geometry');
    assert.ok(item.bbox.every(Number.isFinite));
  } else {
    assert.ok(!('bbox' in item), 'no bbox without a geometry');
  }
  const p = item.properties;
  assert.equal(typeof p, 'object');
  assert.ok('datetime' in p, 'properties.datetime is required');
  if (p.datetime === null) {
    assert.match(p.start_datetime, RFC3339);
    assert.match(p.end_datetime, RFC3339);
  } else {
    assert.match(p.datetime, RFC3339);
  }
  assert.ok(Array.isArray(item.links));
  for (const l of item.links) assert.ok(typeof l.rel === 'string' && typeof l.href === 'string' && l.href.length > 0);
  assert.equal(typeof item.assets, 'object');
  for (const [key, a] of Object.entries<Json>(item.assets)) {
    assert.ok(typeof a.href === 'string' && a.href.length > 0, `asset ${key} href`);
    if ('roles' in a) assert.ok(Array.isArray(a.roles) && a.roles.every((r: unknown) => typeof r === 'string'));
  }
  // Every prefixed field needs its extension declared.
  const prefixes = new Set<string>();
  const collect = (o: Json): void => Object.keys(o).forEach((k) => k.includes(':') && prefixes.add(k.split(':')[0]));
  collect(p);
  Object.values<Json>(item.assets).forEach(collect);
  const declared: Record<string, string> = { proj: StacExtension.Projection, raster: StacExtension.Raster, eo: StacExtension.Eo };
  for (const prefix of prefixes) if (prefix in declared) assert.ok(item.stac_extensions.includes(declared[prefix]), `${prefix} declared`);
  // projection v1.1.0 field types
  if ('proj:epsg' in p) assert.ok(p['proj:epsg'] === null || Number.isInteger(p['proj:epsg']));
  if ('proj:shape' in p) assert.ok(p['proj:shape'].length === 2 && p['proj:shape'].every(Number.isInteger));
  if ('proj:transform' in p) assert.ok([6, 9].includes(p['proj:transform'].length) && p['proj:transform'].every(Number.isFinite));
  if ('proj:bbox' in p) assert.ok([4, 6].includes(p['proj:bbox'].length) && p['proj:bbox'].every(Number.isFinite));
  // eo v1.1.0
  if ('eo:cloud_cover' in p) assert.ok(p['eo:cloud_cover'] >= 0 && p['eo:cloud_cover'] <= 100);
  // raster v1.1.0 bands
  for (const a of Object.values<Json>(item.assets)) {
    if (!('raster:bands' in a)) continue;
    assert.ok(Array.isArray(a['raster:bands']) && a['raster:bands'].length >= 1);
    for (const b of a['raster:bands']) {
      assert.ok(Object.keys(b).length >= 1);
      if ('data_type' in b) assert.ok((RASTER_DATA_TYPES as readonly string[]).includes(b.data_type));
      if ('nodata' in b) assert.ok(typeof b.nodata === 'number' || ['nan', 'inf', '-inf'].includes(b.nodata));
      if ('statistics' in b) {
        const keys = Object.keys(b.statistics);
        assert.ok(keys.length >= 1 && keys.every((k) => ['mean', 'minimum', 'maximum', 'stddev', 'valid_percent'].includes(k)));
        assert.ok(Object.values(b.statistics).every((v) => typeof v === 'number' && Number.isFinite(v)));
      }
    }
  }
  // The serialised document is the object: no undefined, NaN or Infinity silently turned into null or dropped.
  assert.deepEqual(JSON.parse(JSON.stringify(item)), item);
}

/** Shoelace area of a closed ring: positive when counter-clockwise (RFC 7946's exterior ring rule). */
function signedArea(ring: number[][]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a / 2;
}

test('full Item: core fields, extensions, projection, assets and links', () => {
  const item = buildOutputItem(BASE) as Json;
  checkStacItemRules(item);
  assert.deepEqual(Object.keys(item), ['type', 'stac_version', 'stac_extensions', 'id', 'geometry', 'bbox', 'properties', 'links', 'assets']);
  assert.deepEqual(item.stac_extensions, [
    'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
    'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
    'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
  ]);
  assert.equal(item.id, BASE.sceneId);
  assert.deepEqual(item.bbox, [14.99, 44.99, 15.51, 45.35]);
  assert.deepEqual(item.geometry, {
    type: 'Polygon',
    coordinates: [[[14.99, 44.99], [15.51, 44.99], [15.51, 45.35], [14.99, 45.35], [14.99, 44.99]]],
  });
  assert.ok(signedArea(item.geometry.coordinates[0]) > 0, 'exterior ring counter-clockwise');
  assert.deepEqual(item.properties, {
    platform: 'ISS',
    'eo:cloud_cover': 12.5,
    datetime: '2024-06-01T10:11:12Z',
    'proj:epsg': 32633,
    'proj:shape': [1000, 1200],
    'proj:transform': [30, 0, 500000, 0, -30, 5000000],
    // x from 500000 to 500000 + 1200 * 30, y from 5000000 - 1000 * 30 to 5000000.
    'proj:bbox': [500000, 4970000, 536000, 5000000],
  });
  assert.deepEqual(item.links, [
    { rel: 'self', href: 's3://out/scene/item.json', type: 'application/geo+json' },
    { rel: 'derived_from', href: BASE.sourceHref },
  ]);
  // Every input asset is present with its href, in input order.
  assert.deepEqual(Object.keys(item.assets), BASE.assets.map((a) => a.key));
  for (const a of BASE.assets) assert.equal(item.assets[a.key].href, a.href);
  assert.deepEqual(item.assets.ndwi, {
    href: 's3://out/scene/ndwi.tif',
    type: 'image/tiff; application=geotiff; profile=cloud-optimized',
    title: 'NDWI',
    roles: ['data'],
    'tessera:product': 'ndwi',
    'raster:bands': [{ data_type: 'float32', nodata: 'nan', statistics: { minimum: -0.9, maximum: 0.8, mean: 0.1, stddev: 0.2, valid_percent: 93.5 } }],
  });
  // NaN nodata is spelled "nan"; NaN statistics are dropped, and an empty statistics object is omitted.
  assert.deepEqual(item.assets.ndci['raster:bands'], [{ data_type: 'float32', nodata: 'nan', statistics: { mean: 0.05 } }]);
  assert.deepEqual(item.assets.water['raster:bands'], [{ data_type: 'uint8', nodata: 255 }]);
  assert.deepEqual(item.assets.preview_rgb, { href: 's3://out/scene/rgb.png', type: 'image/png', title: 'RGB preview', roles: ['overview', 'visual'] });
  assert.equal(item.assets.tile_stats_ndwi.type, 'application/vnd.apache.parquet');
  assert.deepEqual(item.assets.tile_stats_ndwi.roles, ['metadata']);
  assert.ok(!('raster:bands' in item.assets.tile_stats_ndwi));
});

test('equal input gives byte-identical JSON', () => {
  assert.equal(JSON.stringify(buildOutputItem(BASE)), JSON.stringify(buildOutputItem(structuredClone(BASE))));
});

test('bbox and geometry stay consistent', () => {
  // A footprint inside the bbox is kept as given.
  const footprint = { type: 'Polygon', coordinates: [[[15, 45], [15.5, 45], [15.5, 45.3], [15, 45.3], [15, 45]]] };
  const inside = buildOutputItem({ ...BASE, geometry: footprint }) as Json;
  checkStacItemRules(inside);
  assert.deepEqual(inside.geometry, footprint);
  // A footprint leaving the bbox is rejected with the offending position.
  const outside = { type: 'Polygon', coordinates: [[[15, 45], [15.6, 45], [15.5, 45.3], [15, 45]]] };
  assert.throws(() => buildOutputItem({ ...BASE, geometry: outside }), (e) => e instanceof StacInputError && e.message.endsWith('geometry position [15.6, 45] lies outside bbox [14.99, 44.99, 15.51, 45.35]'));
  // No bbox: geometry null and no bbox key (STAC allows an Item without a footprint).
  const none = buildOutputItem({ ...BASE, bbox: null }) as Json;
  checkStacItemRules(none);
  assert.equal(none.geometry, null);
  // No bbox but a geometry: the bbox is the geometry's extent.
  const fromGeom = buildOutputItem({ ...BASE, bbox: null, geometry: footprint }) as Json;
  checkStacItemRules(fromGeom);
  assert.deepEqual(fromGeom.bbox, [15, 45, 15.5, 45.3]);
  // Antimeridian: west > east becomes two polygons, each counter-clockwise, within the bbox.
  const am = buildOutputItem({ ...BASE, bbox: [179.5, -17, -179.5, -16] }) as Json;
  checkStacItemRules(am);
  assert.equal(am.geometry.type, 'MultiPolygon');
  assert.deepEqual(am.geometry.coordinates.map((poly: number[][][]) => poly[0][0]), [[179.5, -17], [-180, -17]]);
  for (const poly of am.geometry.coordinates) assert.ok(signedArea(poly[0]) > 0);
  assert.throws(() => buildOutputItem({ ...BASE, bbox: [10, 50, 11, 40] }), (e) => e instanceof StacInputError && /is not a lon\/lat box/.test(e.message));
  assert.throws(() => buildOutputItem({ ...BASE, bbox: [500000, 4970000, 536000, 5000000] }), StacInputError);
});

test('footprint of the grid in any CRS: UTM polygon, antimeridian MultiPolygon, polar cap', () => {
  // BASE's own grid: 1200 x 1000 pixels of 30 m in UTM 33N.
  const utm = footprintWgs84({ epsg: 32633, geoTransform: [500000, 30, 0, 5000000, 0, -30], width: 1200, height: 1000 });
  const item = buildOutputItem({ ...BASE, bbox: utm.bbox, geometry: utm.geometry }) as Json;
  checkStacItemRules(item);
  const ring: number[][] = item.geometry.coordinates[0];
  assert.equal(ring.length, 129);
  assert.ok(signedArea(ring) > 0);
  assert.deepEqual(item.geometry, utm.geometry);
  assert.deepEqual(item.bbox, utm.bbox);
  // UTM 60N across 180°: two polygons and a bbox with west > east, accepted as they are.
  const am = footprintWgs84({ epsg: 32660, geoTransform: [600000, 100, 0, 6700000, 0, -100], width: 2000, height: 1000 });
  const amItem = buildOutputItem({ ...BASE, epsg: 32660, bbox: am.bbox, geometry: am.geometry }) as Json;
  checkStacItemRules(amItem);
  assert.equal(amItem.geometry.type, 'MultiPolygon');
  assert.ok(amItem.bbox[0] > amItem.bbox[2]);
  for (const poly of amItem.geometry.coordinates) assert.ok(signedArea(poly[0]) > 0);
  // A polar stereographic scene over the north pole: the bbox spans every longitude up to 90°.
  const pole = footprintWgs84({ epsg: 3413, geoTransform: [-300000, 500, 0, 300000, 0, -500], width: 1200, height: 1200 });
  const poleItem = buildOutputItem({ ...BASE, epsg: 3413, bbox: pole.bbox, geometry: pole.geometry }) as Json;
  checkStacItemRules(poleItem);
  assert.deepEqual([poleItem.bbox[0], poleItem.bbox[2], poleItem.bbox[3]], [-180, 180, 90]);
});

test('links: derived_from the source Item when given, the input file then as via', () => {
  const item = buildOutputItem({ ...BASE, sourceItemHref: 's3://in/items/scene.json', sourceType: 'application/x-netcdf' }) as Json;
  checkStacItemRules(item);
  assert.deepEqual(item.links, [
    { rel: 'self', href: 's3://out/scene/item.json', type: 'application/geo+json' },
    { rel: 'derived_from', href: 's3://in/items/scene.json', type: 'application/geo+json' },
    { rel: 'via', href: BASE.sourceHref, type: 'application/x-netcdf' },
  ]);
  // Without it, the input file is the derived_from link, as before.
  const plain = buildOutputItem({ ...BASE, selfHref: undefined }) as Json;
  assert.deepEqual(plain.links, [{ rel: 'derived_from', href: BASE.sourceHref }]);
  assert.throws(() => buildOutputItem({ ...BASE, sourceItemHref: '' }), (e) => e instanceof StacInputError && /sourceItemHref is empty/.test(e.message));
});

test('datetime rules: RFC 3339 with zone, or null with a start/end range', () => {
  const ranged = buildOutputItem({ ...BASE, datetime: null, properties: { start_datetime: '2024-06-01T10:11:00Z', end_datetime: '2024-06-01T10:12:00+00:00' } }) as Json;
  checkStacItemRules(ranged);
  assert.equal(ranged.properties.datetime, null);
  assert.throws(() => buildOutputItem({ ...BASE, datetime: null, properties: {} }), (e) => e instanceof StacInputError && /start_datetime \(required when datetime is null\) undefined/.test(e.message));
  assert.throws(() => buildOutputItem({ ...BASE, datetime: '2024-06-01 10:11:12' }), (e) => e instanceof StacInputError && /datetime "2024-06-01 10:11:12" is not an RFC 3339/.test(e.message));
});

test('no transform or EPSG: proj:epsg null, no proj:transform/proj:bbox', () => {
  const item = buildOutputItem({ ...BASE, epsg: undefined, transform: undefined }) as Json;
  checkStacItemRules(item);
  assert.equal(item.properties['proj:epsg'], null);
  assert.ok(!('proj:transform' in item.properties) && !('proj:bbox' in item.properties));
  assert.deepEqual(item.properties['proj:shape'], [1000, 1200]);
});

test('invalid input throws StacInputError', () => {
  const asset = BASE.assets[0];
  const cases: Array<[Partial<OutputItemInput>, RegExp]> = [
    [{ assets: [asset, { ...asset, href: 'other' }] }, /asset key ndwi is used twice/],
    [{ assets: [{ ...asset, href: '' }] }, /asset ndwi href is empty/],
    [{ assets: [{ ...asset, roles: [] }] }, /asset ndwi has no roles/],
    [{ assets: [{ ...asset, dataType: 'float128' as never }] }, /data type float128 is not one of/],
    [{ assets: [{ ...asset, statistics: { valid_percent: 101 } }] }, /valid_percent 101 outside \[0, 100\]/],
    [{ shape: [1000, 0] }, /shape \[1000, 0\] is not \[height, width\]/],
    [{ transform: [30, 0, 500000, 0, -30] }, /transform .* is not \[a, b, c, d, e, f\]/],
    [{ transform: [0, 0, 500000, 0, 0, 5000000] }, /is singular/],
    [{ epsg: 0 }, /epsg 0 is not a positive integer/],
    [{ sourceHref: '' }, /sourceHref is empty/],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => buildOutputItem({ ...BASE, ...patch }), (e) => e instanceof StacInputError && message.test(e.message), JSON.stringify(patch));
  }
});

test('transform helpers: GDAL order to proj:transform, proj:bbox of south-up and rotated grids', () => {
  assert.deepEqual(projTransformFromGeoTransform([500000, 30, 0, 5000000, 0, -30]), [30, 0, 500000, 0, -30, 5000000]);
  assert.deepEqual(projBbox([30, 0, 500000, 0, 30, 4970000], [1000, 1200]), [500000, 4970000, 536000, 5000000]);
  // 90° rotation: columns run south, rows run east.
  assert.deepEqual(projBbox([0, 10, 100, -10, 0, 200], [2, 3]), [100, 170, 120, 200]);
});

test('a reprojected copy carries its own proj:* at asset level; a polygon file its mask and count', () => {
  const copy = { epsg: 3857, shape: [1210, 1390] as [number, number], transform: [25, 0, 1660000, 0, -25, 5650000] };
  const item = buildOutputItem({
    ...BASE,
    assets: [
      ...BASE.assets,
      { key: 'ndwi_epsg3857', href: 's3://out/scene/cog/ndwi.3857.tif', title: 'ndwi COG in EPSG:3857', type: MediaType.Cog, roles: ['data'], product: 'ndwi', dataType: 'float32', nodata: 'nan', proj: copy },
      { key: 'vectors_water_geojson', href: 's3://out/scene/vectors/water.geojson', title: 'water polygons', type: MediaType.GeoJson, roles: ['data'], product: 'water', vector: { mask: 'water', polygons: 12 } },
    ],
  }) as Json;
  checkStacItemRules(item);
  const a = item.assets.ndwi_epsg3857;
  assert.equal(a['proj:epsg'], 3857);
  assert.deepEqual(a['proj:shape'], [1210, 1390]);
  assert.deepEqual(a['proj:transform'], copy.transform);
  assert.deepEqual(a['proj:bbox'], [1660000, 5650000 - 1210 * 25, 1660000 + 1390 * 25, 5650000]);
  // The Item keeps the grid of the originals; the original's asset has no proj:* of its own.
  assert.equal(item.properties['proj:epsg'], 32633);
  assert.ok(!('proj:epsg' in item.assets.ndwi));
  assert.equal(item.assets.vectors_water_geojson['tessera:polygons'], 12);
  assert.equal(item.assets.vectors_water_geojson['tessera:mask'], 'water');
  assert.throws(
    () => buildOutputItem({ ...BASE, assets: [{ ...BASE.assets[0], proj: { ...copy, shape: [0, 5] } }] }),
    (e) => e instanceof StacInputError && /asset ndwi.*shape \[0, 5\]/.test(e.message),
  );
  assert.throws(
    () => buildOutputItem({ ...BASE, assets: [{ ...BASE.assets[0], vector: { mask: 'water', polygons: -1 } }] }),
    (e) => e instanceof StacInputError && /polygon count -1/.test(e.message),
  );
});
