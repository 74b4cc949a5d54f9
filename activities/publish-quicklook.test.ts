import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relativeHref } from './publish-quicklook';

test('hrefs of the quick look are relative to its folder, so it works from a file system or a bucket', () => {
  const page = 's3://b/out/scenes/lake/index.html';
  assert.equal(relativeHref(page, 's3://b/out/scenes/lake/cog/ndci.3857.tif'), 'cog/ndci.3857.tif');
  assert.equal(relativeHref(page, 's3://b/out/scenes/lake/item.json'), 'item.json');
  assert.equal(relativeHref(page, 's3://b/out/tables/catalog/scene=lake/product=water/part-0.parquet'), '../../tables/catalog/scene=lake/product=water/part-0.parquet');
  assert.equal(relativeHref('file:///tmp/o/scenes/s/index.html', 'file:///tmp/o/scenes/s/vectors/water.geojson'), 'vectors/water.geojson');
  // Another bucket cannot be reached by a relative path.
  assert.equal(relativeHref(page, 's3://c/out/scenes/lake/cog/ndci.tif'), 's3://c/out/scenes/lake/cog/ndci.tif');
});
