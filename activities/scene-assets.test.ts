import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutputFile } from '../workflows/types';
import { sceneAsset, vectorOf } from './scene-assets';

const root = 's3://out/scenes/lake';
const file = (f: Partial<OutputFile> & Pick<OutputFile, 'uri' | 'role'>): OutputFile => ({ sizeBytes: 1, sha256: '0'.repeat(64), ...f });

test('assets of the map outputs: keys, media types, roles, and what each carries', () => {
  const proj = { epsg: 3857, shape: [700, 1100] as [number, number], transform: [30, 0, 1e6, 0, -30, 5e6] };
  const copy = sceneAsset(file({ uri: `${root}/cog/ndci.3857.tif`, role: 'reprojected', product: 'ndci', proj }), { def: { dtype: 'float32', nodata: 'nan' } });
  assert.deepEqual(
    { key: copy.key, type: copy.type, roles: copy.roles, proj: copy.proj, dataType: copy.dataType, statistics: copy.statistics },
    { key: 'ndci_epsg3857', type: 'image/tiff; application=geotiff; profile=cloud-optimized', roles: ['data'], proj, dataType: 'float32', statistics: undefined },
  );
  const parquet = sceneAsset(file({ uri: `${root}/vectors/water.parquet`, role: 'vector', product: 'water', vector: { name: 'water', format: 'geoparquet', polygons: 9 } }));
  assert.deepEqual([parquet.key, parquet.type, parquet.roles, parquet.vector], ['vectors_water_geoparquet', 'application/vnd.apache.parquet', ['data'], { mask: 'water', polygons: 9 }]);
  const geojson = sceneAsset(file({ uri: `${root}/vectors/bloom.geojson`, role: 'vector', product: 'ndci', vector: { name: 'bloom', format: 'geojson', polygons: 2 } }));
  assert.deepEqual([geojson.key, geojson.type, geojson.product], ['vectors_bloom_geojson', 'application/geo+json', 'ndci']);
  const page = sceneAsset(file({ uri: `${root}/index.html`, role: 'quicklook' }));
  assert.deepEqual([page.key, page.type, page.roles, page.product], ['quicklook', 'text/html', ['overview'], undefined]);
  // The assets of the originals keep their keys.
  assert.equal(sceneAsset(file({ uri: `${root}/cog/ndci.tif`, role: 'cog', product: 'ndci' })).key, 'ndci');
  assert.equal(sceneAsset(file({ uri: `s3://out/tables/catalog/scene=lake/product=ndci/part-0.parquet`, role: 'table', product: 'ndci' })).key, 'catalog_ndci');
});

test('a polygon file recorded without its details is known by its name', () => {
  assert.deepEqual(vectorOf({ uri: `${root}/vectors/turbid.geojson` }), { name: 'turbid', format: 'geojson' });
  assert.deepEqual(vectorOf({ uri: `${root}/vectors/water.parquet` }), { name: 'water', format: 'geoparquet' });
  assert.equal(sceneAsset(file({ uri: `${root}/cog/water.32633.tif`, role: 'reprojected', product: 'water' })).key, 'water_epsg32633');
});
