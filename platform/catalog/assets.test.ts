import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickAsset } from './assets';
import { NoUsableAssetError } from './errors';
import { resolveHref } from './href';
import type { StacAsset, StacItem } from './stac';

const COG = 'image/tiff; application=geotiff; profile=cloud-optimized';
const BANDS = [{ name: 'b1', center_wavelength: 0.55 }];

function item(assets: Record<string, StacAsset>, properties: Record<string, unknown> = {}): StacItem {
  return { type: 'Feature', id: 'scene-1', properties: { datetime: '2024-06-01T00:00:00Z', ...properties }, assets };
}

describe('pickAsset', () => {
  const base = 's3://bucket/stac/scene-1/scene-1.json';

  it('prefers a GeoTIFF with eo:bands over thumbnails, other TIFFs and earlier keys', () => {
    const it = item({
      thumbnail: { href: './thumb.png', type: 'image/png', roles: ['thumbnail'] },
      mask: { href: './mask.tif', type: 'image/tiff; application=geotiff', roles: ['data'] },
      reflectance: { href: './scene-1.tif', type: COG, roles: ['data'], 'eo:bands': BANDS },
    });
    assert.equal(pickAsset(it, base), 's3://bucket/stac/scene-1/scene-1.tif');
  });

  it('takes item-level eo:bands and STAC 1.1 bands as band information', () => {
    const it = item({ a: { href: 'a.tif', type: COG }, b: { href: 'b.tif', type: COG, roles: ['data'] } }, { 'eo:bands': BANDS });
    assert.equal(pickAsset(it, base), 's3://bucket/stac/scene-1/b.tif', 'data role first among band-carrying GeoTIFFs');
    const v11 = item({ a: { href: 'a.tif', type: 'image/png' }, b: { href: 'b.tif', type: COG, bands: [{ 'eo:center_wavelength': 0.55 }] } });
    assert.equal(pickAsset(v11, base), 's3://bucket/stac/scene-1/b.tif');
  });

  it('falls back to the first data-role TIFF, then to a .tif href that is not a preview', () => {
    const data = item({ preview: { href: 'p.tif', roles: ['overview'] }, x: { href: 'x.TIFF', roles: ['data'] }, y: { href: 'y.tif', type: COG, roles: ['data'] } });
    assert.equal(pickAsset(data, base), 's3://bucket/stac/scene-1/x.TIFF');
    const byHref = item({ preview: { href: 'p.tif', roles: ['overview'] }, z: { href: '../z.tif' } });
    assert.equal(pickAsset(byHref, base), 's3://bucket/stac/z.tif');
  });

  it('takes --asset KEY over the rules, and names the item and its keys when nothing fits', () => {
    const it = item({ thumbnail: { href: 't.png', type: 'image/png' }, reflectance: { href: 'r.tif', type: COG, 'eo:bands': BANDS }, nohref: { type: COG } });
    assert.equal(pickAsset(it, base, 'thumbnail'), 's3://bucket/stac/scene-1/t.png');
    const none = item({ thumbnail: { href: 't.png', type: 'image/png' }, metadata: { href: 'm.xml', type: 'application/xml' } });
    const check = (fn: () => unknown, message: string) =>
      assert.throws(fn, (err: unknown) => err instanceof NoUsableAssetError && err.message === message && err.itemId === 'scene-1');
    check(() => pickAsset(none, base), `${base}: item "scene-1" has no GeoTIFF asset; pass --asset KEY (assets: thumbnail, metadata)`);
    check(() => pickAsset(it, base, 'cog'), `${base}: item "scene-1" has no asset "cog" (assets: thumbnail, reflectance, nohref)`);
    check(() => pickAsset(it, base, 'nohref'), `${base}: item "scene-1" has no href on asset "nohref" (assets: thumbnail, reflectance, nohref)`);
    check(() => pickAsset(item({}), base), `${base}: item "scene-1" has no GeoTIFF asset; pass --asset KEY (assets: none)`);
  });
});

describe('resolveHref', () => {
  it('resolves relative hrefs against file, s3, memory and http(s) documents', () => {
    assert.equal(resolveHref('file:///data/stac/items/a.json', './a.tif'), 'file:///data/stac/items/a.tif');
    assert.equal(resolveHref('file:///data/stac/items/a.json', '../tiffs/a%20b.tif'), 'file:///data/stac/tiffs/a%20b.tif');
    assert.equal(resolveHref('/data/stac/catalog.json', 'lake-erie/collection.json'), 'file:///data/stac/lake-erie/collection.json');
    assert.equal(resolveHref('s3://bkt/stac/items/a.json', '../x y.tif'), 's3://bkt/stac/x y.tif');
    assert.equal(resolveHref('s3://bkt/stac/items/a.json', '/root.tif'), 's3://bkt/root.tif');
    assert.equal(resolveHref('s3://bkt/a.json', '../../x.tif'), 's3://bkt/x.tif', '.. stops at the bucket');
    assert.equal(resolveHref('memory://unit/cat/catalog.json', './c/collection.json'), 'memory://unit/cat/c/collection.json');
    assert.equal(resolveHref('https://example.com/stac/items/a.json', '../a.tif?sig=1'), 'https://example.com/stac/a.tif?sig=1');
    assert.equal(resolveHref('http://127.0.0.1:9/collections/c/items/a', '/data/a.tif'), 'http://127.0.0.1:9/data/a.tif');
  });

  it('keeps absolute hrefs, canonicalising file URIs', () => {
    assert.equal(resolveHref('file:///a/b.json', 's3://other/x.tif'), 's3://other/x.tif');
    assert.equal(resolveHref('s3://bkt/k.json', 'https://cdn.example.com/x.tif'), 'https://cdn.example.com/x.tif');
    assert.equal(resolveHref('s3://bkt/k.json', 'file:///x/../y.tif'), 'file:///y.tif');
  });
});
