import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rustacValidate } from '../../test/support/rustac';
import { footprintWgs84, type FootprintInput } from '../geo/footprint';
import { buildCollection } from './collection';
import { MediaType } from './const';
import { buildOutputItem, type OutputItemInput } from './output-item';
import { projTransformFromGeoTransform } from './transform';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const GRIDS: Record<string, FootprintInput> = {
  'utm-33n': { epsg: 32633, geoTransform: [500000, 30, 0, 5000000, 0, -30], width: 1200, height: 1000 },
  'utm-60n-antimeridian': { epsg: 32660, geoTransform: [600000, 100, 0, 6700000, 0, -100], width: 2000, height: 1000 },
  'polar-3413-north-pole': { epsg: 3413, geoTransform: [-300000, 500, 0, 300000, 0, -500], width: 1200, height: 1200 },
};

/** An output Item as publish-scene builds it: footprint, proj, raster (data type, nodata, statistics) and eo. */
function item(id: string, grid: FootprintInput, datetime: string): Json {
  const fp = footprintWgs84(grid);
  const input: OutputItemInput = {
    sceneId: id,
    datetime,
    bbox: fp.bbox,
    geometry: fp.geometry,
    epsg: grid.epsg,
    shape: [grid.height, grid.width],
    transform: projTransformFromGeoTransform(grid.geoTransform as [number, number, number, number, number, number]),
    sourceHref: `s3://in/${id}.tif`,
    sourceType: MediaType.Cog,
    sourceItemHref: `s3://in/${id}.json`,
    selfHref: `./items/${id}.json`,
    properties: { platform: 'ISS', 'eo:cloud_cover': 12.5 },
    assets: [
      { key: 'ndwi', href: `./${id}/ndwi.tif`, title: 'NDWI', type: MediaType.Cog, roles: ['data'], product: 'ndwi', dataType: 'float32', nodata: 'nan', statistics: { minimum: -0.9, maximum: 0.8, mean: 0.1, valid_percent: 93.5 } },
      { key: 'water', href: `./${id}/water.tif`, title: 'Water mask', type: MediaType.Cog, roles: ['data'], product: 'water', dataType: 'uint8', nodata: 255 },
      { key: 'preview_ndwi', href: `./${id}/ndwi.png`, title: 'NDWI preview', type: MediaType.Png, roles: ['overview', 'visual'] },
      { key: 'tile_stats_ndwi', href: `./${id}/ndwi.parquet`, title: 'NDWI tile statistics', type: MediaType.Parquet, roles: ['metadata'] },
    ],
  };
  return buildOutputItem(input) as Json;
}

test('rustac validate: output Items (footprint, proj, raster, eo) and their Collection pass; broken ones fail', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stac-validate-'));
  try {
    await mkdir(join(dir, 'items'));
    const items = Object.entries(GRIDS).map(([id, grid], i) => item(id, grid, `2024-06-0${i + 1}T10:00:00Z`));
    for (const it of items) {
      const path = join(dir, 'items', `${it.id}.json`);
      await writeFile(path, JSON.stringify(it, null, 2));
      const result = await rustacValidate(path);
      assert.ok(result.ok, `${it.id}: ${result.output}`);
      if (result.uncheckedExtensions.length > 0) t.diagnostic(`${it.id}: core schema only; ${result.output.split('\n')[0]}`);
    }

    const collection = buildCollection({
      id: 'tessera-outputs',
      description: 'Spectral-index outputs of three scenes.',
      license: 'CC-BY-4.0',
      providers: [{ name: 'Tessera', roles: ['processor'] }],
      selfHref: './collection.json',
      items: items.map((it) => ({ id: it.id, href: `./items/${it.id}.json`, bbox: it.bbox, datetime: it.properties.datetime })),
    }) as Json;
    // The polar scene's bbox spans every longitude, so the union does too.
    assert.deepEqual(collection.extent.spatial.bbox[0].slice(0, 4).filter((_: number, i: number) => i % 2 === 0), [-180, 180]);
    const collectionPath = join(dir, 'collection.json');
    await writeFile(collectionPath, JSON.stringify(collection, null, 2));
    const c = await rustacValidate(collectionPath);
    assert.ok(c.ok, c.output);
    assert.deepEqual(c.uncheckedExtensions, [], 'the Collection declares no extension');

    // Deliberately invalid: an Item without datetime, a polygon ring of 3 positions, a license with a space.
    // (Not a Collection without extent: rustac fills in a default extent before validating, see test/support/rustac.ts.)
    const noDatetime = structuredClone(items[0]);
    delete noDatetime.properties.datetime;
    const shortRing = structuredClone(items[0]);
    shortRing.geometry.coordinates = [shortRing.geometry.coordinates[0].slice(0, 2).concat([shortRing.geometry.coordinates[0][0]])];
    const badLicense = { ...collection, license: 'CC BY 4.0' };
    for (const [name, doc] of [['no datetime', noDatetime], ['3-position ring', shortRing], ['license with a space', badLicense]] as const) {
      const bad = await rustacValidate(doc);
      assert.equal(bad.ok, false, `${name} passed: ${bad.output}`);
      // rustac's per-error line: the schema rejected it, rustac did not just crash.
      assert.match(bad.output, /^(Item|Collection)\[id=[^\]]+\]: .+/m, `${name}: ${bad.output}`);
    }
    const missing = await rustacValidate(noDatetime);
    assert.match(missing.output, /\{"datetime":null,.*\} is not valid under any of the schemas/, 'the schema error names the datetime');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
