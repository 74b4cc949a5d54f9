import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCollection, unionBbox, type CollectionInput } from './collection';
import { StacInputError } from './errors';
import type { LonLatBbox } from './geometry';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASE: CollectionInput = {
  id: 'tessera-hab',
  title: 'Harmful algal bloom indices',
  description: 'NDWI, NDCI and water masks from hyperspectral scenes.',
  license: 'CC-BY-4.0',
  providers: [{ name: 'Tessera', roles: ['processor'] }],
  selfHref: 's3://out/collection.json',
  items: [
    { id: 'b', href: './b/item.json', bbox: [15, 45, 15.5, 45.3], datetime: '2024-06-02T10:00:00Z' },
    { id: 'a', href: 's3://out/a/item.json', bbox: [14, 44, 14.5, 44.4], datetime: '2024-06-01T10:11:12+02:00' },
    { id: 'c', href: './c/item.json', bbox: [16, 46, 16.2, 46.1], datetime: '2024-06-01T09:00:00Z' },
  ],
};

test('Collection: core fields, extent as union and [min, max], item links in input order', () => {
  const c = buildCollection(BASE) as Json;
  assert.deepEqual(Object.keys(c), ['type', 'stac_version', 'stac_extensions', 'id', 'title', 'description', 'license', 'providers', 'extent', 'links']);
  assert.equal(c.type, 'Collection');
  assert.equal(c.stac_version, '1.0.0');
  assert.deepEqual(c.extent, {
    spatial: { bbox: [[14, 44, 16.2, 46.1]] },
    // 10:11:12+02:00 is 08:11:12Z, before c's 09:00Z: the strings are kept, the order is by instant.
    temporal: { interval: [['2024-06-01T10:11:12+02:00', '2024-06-02T10:00:00Z']] },
  });
  assert.deepEqual(c.links, [
    { rel: 'root', href: 's3://out/collection.json', type: 'application/json' },
    { rel: 'self', href: 's3://out/collection.json', type: 'application/json' },
    { rel: 'item', href: './b/item.json', type: 'application/geo+json', title: 'b' },
    { rel: 'item', href: 's3://out/a/item.json', type: 'application/geo+json', title: 'a' },
    { rel: 'item', href: './c/item.json', type: 'application/geo+json', title: 'c' },
  ]);
  assert.deepEqual(c.providers, [{ name: 'Tessera', roles: ['processor'] }]);
  assert.equal(JSON.stringify(buildCollection(BASE)), JSON.stringify(buildCollection(structuredClone(BASE))), 'stable bytes');
});

test('defaults: license proprietary, root ./collection.json without self, no title/providers keys', () => {
  const c = buildCollection({ id: 'x', description: 'd', items: [BASE.items[0]] }) as Json;
  assert.equal(c.license, 'proprietary');
  assert.deepEqual(c.links.map((l: Json) => l.rel), ['root', 'item']);
  assert.equal(c.links[0].href, './collection.json');
  assert.ok(!('title' in c) && !('providers' in c));
  assert.deepEqual(c.extent.temporal.interval, [['2024-06-02T10:00:00Z', '2024-06-02T10:00:00Z']]);
  assert.equal((buildCollection({ ...BASE, rootHref: '../catalog.json' }) as Json).links[0].href, '../catalog.json');
});

test('spatial union is antimeridian-aware', () => {
  const cases: Array<[LonLatBbox[], LonLatBbox]> = [
    // Items on both sides of 180°: the short way round crosses it.
    [[[170, -20, 175, -15], [-175, -18, -170, -10]], [170, -20, -170, -10]],
    // An item crossing 180° and one just east of it.
    [[[179, 0, -179, 1], [-178, 2, -177, 3]], [179, 0, -177, 3]],
    // A crossing item inside a wide ordinary one that does not reach 180° stays a crossing union.
    [[[179, 0, -179, 1], [-100, 0, 90, 1]], [179, 0, 90, 1]],
    // Far apart: the box leaves out the largest gap, across 180° in the first (160° vs 120°), across 0° in the second (180° vs 160°).
    [[[-100, 0, -60, 1], [60, 0, 100, 1]], [-100, 0, 100, 1]],
    [[[-100, 0, -90, 1], [90, 0, 100, 1]], [90, 0, -90, 1]],
    // A polar footprint's bbox covers every longitude.
    [[[-180, 80, 180, 90], [10, 60, 20, 70]], [-180, 60, 180, 90]],
    // Touching -180 is an ordinary box from -180, not one starting at 180.
    [[[-180, 0, 10, 1]], [-180, 0, 10, 1]],
    // Arcs that together close the circle.
    [[[-180, 0, 0, 1], [0, 0, 180, 1]], [-180, 0, 180, 1]],
    [[[100, 0, -100, 1], [-120, 0, 120, 1]], [-180, 0, 180, 1]],
  ];
  for (const [boxes, expected] of cases) assert.deepEqual(unionBbox(boxes), expected, JSON.stringify(boxes));
  const c = buildCollection({ ...BASE, items: [{ ...BASE.items[0], bbox: [170, -20, 175, -15] }, { ...BASE.items[1], bbox: [-175, -18, -170, -10] }] }) as Json;
  assert.deepEqual(c.extent.spatial.bbox, [[170, -20, -170, -10]]);
});

test('invalid input throws StacInputError', () => {
  const item = BASE.items[0];
  const cases: Array<[Partial<CollectionInput>, RegExp]> = [
    [{ id: '' }, /id is empty/],
    [{ description: '' }, /description is empty/],
    [{ items: [] }, /needs at least one Item/],
    [{ items: [item, { ...item, href: './other.json' }] }, /item b is listed twice/],
    [{ items: [{ ...item, href: '' }] }, /item b href is empty/],
    [{ items: [{ ...item, bbox: [500000, 4970000, 536000, 5000000] }] }, /is not a lon\/lat box/],
    [{ items: [{ ...item, bbox: [1, 2, 3] }] }, /is not 4 finite numbers/],
    [{ items: [{ ...item, datetime: '2024-06-01' }] }, /item b datetime "2024-06-01" is not an RFC 3339/],
    [{ license: 'CC BY 4.0' }, /license "CC BY 4.0" is not an SPDX identifier/],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => buildCollection({ ...BASE, ...patch }), (e: unknown) => e instanceof StacInputError && message.test(e.message), JSON.stringify(patch));
  }
});
