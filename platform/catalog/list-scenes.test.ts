import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeStacFixture, type FixtureScene, type StacFixture } from '../../test/support/stac-fixture';
import type { Bbox, SceneFilters, SceneRef } from './scene-types';
import { ObjectNotFoundError } from '../storage/errors';
import { FsObjectStore } from '../storage/fs';
import { MemoryObjectStore } from '../storage/memory';
import type { ObjectStore } from '../storage/object-store';
import { BrokenLinkError, CatalogLoopError, FilterError, NotStacError } from './errors';
import { detectSource, listScenes } from './list-scenes';

async function list(store: ObjectStore, source: string, filters: SceneFilters = {}, opts: Parameters<typeof listScenes>[3] = {}): Promise<SceneRef[]> {
  const out: SceneRef[] = [];
  for await (const s of listScenes(store, source, filters, opts)) out.push(s);
  return out;
}

const ids = (refs: Array<{ id: string }>) => refs.map((r) => r.id);

/** What the fixture should yield for a query, computed from the fixture's own numbers. */
function expected(scenes: FixtureScene[], q: { bbox?: Bbox; fromMs?: number; toMs?: number; maxCloud?: number }): string[] {
  return scenes
    .filter((s) => !q.bbox || (s.bbox[0] <= q.bbox[2] && s.bbox[2] >= q.bbox[0] && s.bbox[1] <= q.bbox[3] && s.bbox[3] >= q.bbox[1]))
    .filter((s) => (q.fromMs === undefined || Date.parse(s.datetime) >= q.fromMs) && (q.toMs === undefined || Date.parse(s.datetime) <= q.toMs))
    .filter((s) => q.maxCloud === undefined || s.cloudCover < q.maxCloud)
    .map((s) => s.id)
    .sort();
}

describe('listScenes on a static catalog (file://)', () => {
  let dir: string;
  let fx: StacFixture;
  const fs = new FsObjectStore();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-catalog-'));
    fx = await writeStacFixture({ dir, count: 12, sizePx: 64, bands: 23, collection: 'lake-erie', start: '2024-06-01', stepDays: 7 });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('lists every item of catalog → collection → items, in item-URI order, with resolved asset URIs', async () => {
    const pages: number[] = [];
    const refs = await list(fs, fx.catalogUri, {}, { onPage: (n) => pages.push(n) });
    assert.deepEqual(ids(refs), fx.scenes.map((s) => s.id).sort());
    const first = fx.scenes[0];
    assert.deepEqual(refs[0], { id: first.id, assetUri: first.tiffUri, itemUri: first.itemUri, datetime: first.datetime, collection: 'lake-erie', bbox: first.bbox });
    assert.deepEqual(pages, [1, 2], 'catalog, then collection');
  });

  it('applies collections + bbox + datetime + CQL2 and yields exactly the expected ids', async () => {
    const bbox: Bbox = [-83.5, 41.2, -82.3, 42.3];
    const filters: SceneFilters = {
      collections: ['lake-erie'],
      bbox,
      datetime: '2024-06-10/2024-08-10',
      filter: { op: '<', args: [{ property: 'eo:cloud_cover' }, 40] },
    };
    const want = expected(fx.scenes, { bbox, fromMs: Date.parse('2024-06-10T00:00:00Z'), toMs: Date.parse('2024-08-10T23:59:59.999Z'), maxCloud: 40 });
    assert.ok(want.length >= 2 && want.length < 12, `the query should select some scenes, selects ${want.length}`);
    assert.deepEqual(ids(await list(fs, fx.catalogUri, filters)), want);
    assert.deepEqual(ids(await list(fs, fx.collectionUri, filters)), want, 'from the collection too');
    assert.deepEqual(ids(await list(fs, fx.catalogUri, { collections: ['lake-ontario'] })), []);
  });

  it('stops at the limit, keeping the order', async () => {
    assert.deepEqual(ids(await list(fs, fx.catalogPath, { limit: 5 }, { concurrency: 2 })), fx.scenes.map((s) => s.id).sort().slice(0, 5));
  });

  it('lists a single item, filters included', async () => {
    const s = fx.scenes[3];
    assert.equal(await detectSource(fs, s.itemUri), 'stac-item');
    assert.deepEqual(ids(await list(fs, s.itemUri)), [s.id]);
    assert.deepEqual(ids(await list(fs, s.itemUri, { datetime: '2020-01-01' })), []);
  });

  it('lists bare GeoTIFFs under a prefix or matching a glob, dated by their names', async () => {
    const prefix = `file://${dir}/lake-erie/`;
    assert.equal(await detectSource(fs, prefix), 'prefix');
    assert.equal(await detectSource(fs, `${dir}/lake-erie`), 'prefix', 'a directory without its slash');
    const all = await list(fs, prefix);
    assert.deepEqual(ids(all), fx.scenes.map((s) => s.id).sort());
    assert.deepEqual(all[0], { id: fx.scenes[0].id, assetUri: fx.scenes[0].tiffUri, datetime: `${fx.scenes[0].datetime.slice(0, 10)}T00:00:00Z` });
    const june = `${dir}/**/erie-2024-06-*.tif`;
    assert.equal(await detectSource(fs, june), 'glob');
    const wantJune = fx.scenes.filter((s) => s.datetime.startsWith('2024-06')).map((s) => s.id);
    assert.deepEqual(ids(await list(fs, june)), wantJune);
    assert.deepEqual(ids(await list(fs, `${dir}/*.tif`)), [], '* stays within one folder');
    const july = fx.scenes.filter((s) => s.datetime.startsWith('2024-07')).map((s) => s.id);
    assert.deepEqual(ids(await list(fs, prefix, { datetime: '2024-07-01/2024-07-31T12:00:00Z' })), july, 'a name date spans its whole day');
    assert.deepEqual(ids(await list(fs, prefix, { limit: 2 })), fx.scenes.slice(0, 2).map((s) => s.id));
  });

  it('refuses STAC-only filters on bare GeoTIFFs, before listing', async () => {
    const prefix = `file://${dir}/lake-erie/`;
    await assert.rejects(
      list(fs, prefix, { bbox: [-84, 41, -83, 42] }),
      (err: unknown) =>
        err instanceof FilterError &&
        err.message === `--bbox '-84,41,-83,42': ${prefix} is a prefix of GeoTIFFs without STAC metadata; only --datetime (from dates in file names) and --limit apply`,
    );
    await assert.rejects(list(fs, fx.scenes[0].tiffPath, { filter: { op: '=', args: [1, 1] } }), (err: unknown) => err instanceof FilterError && err.flag === '--filter');
  });

  it('lists one GeoTIFF, and names a missing one', async () => {
    assert.equal(await detectSource(fs, fx.scenes[0].tiffPath), 'geotiff');
    assert.deepEqual(ids(await list(fs, fx.scenes[0].tiffUri)), [fx.scenes[0].id]);
    await assert.rejects(list(fs, `${dir}/nope.tif`), ObjectNotFoundError);
  });
});

describe('listScenes on static catalogs in memory', () => {
  const COG = 'image/tiff; application=geotiff; profile=cloud-optimized';

  async function put(store: MemoryObjectStore, uri: string, doc: unknown): Promise<void> {
    await store.put(uri, JSON.stringify(doc));
  }
  const catalog = (id: string, links: Array<[string, string]>, type: 'Catalog' | 'Collection' = 'Catalog') => ({
    type,
    stac_version: '1.0.0',
    id,
    description: id,
    links: links.map(([rel, href]) => ({ rel, href })),
  });
  const item = (id: string, extra: Record<string, unknown> = {}) => ({
    type: 'Feature',
    stac_version: '1.0.0',
    id,
    bbox: [0, 0, 1, 1],
    geometry: null,
    properties: { datetime: '2024-06-01T00:00:00Z' },
    assets: { data: { href: `./${id}.tif`, type: COG, roles: ['data'], 'eo:bands': [{ name: 'b1' }] } },
    links: [{ rel: 'root', href: '../catalog.json' }],
    ...extra,
  });

  it('reads a catalog reached through two parents once, lists shared items once, and ignores root/parent/self links', async () => {
    const store = new MemoryObjectStore();
    const m = 'memory://dag';
    await put(store, `${m}/catalog.json`, catalog('root', [['self', './catalog.json'], ['root', './catalog.json'], ['child', './a/catalog.json'], ['child', './b/catalog.json']]));
    await put(store, `${m}/a/catalog.json`, catalog('a', [['parent', '../catalog.json'], ['child', '../shared/collection.json'], ['item', '../items/x.json']]));
    await put(store, `${m}/b/catalog.json`, catalog('b', [['parent', '../catalog.json'], ['child', '../shared/collection.json'], ['item', '../items/x.json']]));
    await put(store, `${m}/shared/collection.json`, catalog('shared', [['root', '../catalog.json'], ['item', './y.json'], ['item', './z.json']], 'Collection'));
    await put(store, `${m}/items/x.json`, item('x', { collection: 'other' }));
    await put(store, `${m}/shared/y.json`, item('y'));
    await put(store, `${m}/shared/z.json`, item('z'));
    const pages: number[] = [];
    const refs = await list(store, `${m}/catalog.json`, {}, { onPage: (n) => pages.push(n) });
    assert.deepEqual(ids(refs), ['x', 'y', 'z'], 'item-URI order: items/x, shared/y, shared/z');
    assert.equal(pages.length, 4, 'root, a, b, shared: the shared collection read once');
    assert.equal(refs[1].collection, 'shared', 'an item without `collection` takes its collection from the tree');
    assert.equal(refs[1].assetUri, `${m}/shared/y.tif`);
    assert.deepEqual(ids(await list(store, `${m}/catalog.json`, { collections: ['shared'] })), ['y', 'z']);
    assert.deepEqual(ids(await list(store, `${m}/catalog.json`, { collections: ['other'] })), ['x'], 'the shared collection is pruned, x kept');
  });

  it('throws CatalogLoopError naming both catalogs for a true cycle, before yielding anything', async () => {
    const store = new MemoryObjectStore();
    const m = 'memory://loop';
    // root → a → b → a: b's child link back to a closes the cycle. root → b as well, so the walk reaches b
    // from two sides, whatever order the reads finish in.
    await put(store, `${m}/catalog.json`, catalog('root', [['child', './a/catalog.json'], ['child', './b/catalog.json'], ['item', './i.json']]));
    await put(store, `${m}/a/catalog.json`, catalog('a', [['child', '../b/catalog.json']]));
    await put(store, `${m}/b/catalog.json`, catalog('b', [['child', '../a/catalog.json']]));
    await put(store, `${m}/i.json`, item('i'));
    for (const concurrency of [1, 8]) {
      const seen: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const s of listScenes(store, `${m}/catalog.json`, {}, { concurrency })) seen.push(s.id);
        })(),
        (err: unknown) =>
          err instanceof CatalogLoopError &&
          err.uri === `${m}/b/catalog.json` &&
          err.target === `${m}/a/catalog.json` &&
          err.message === `${m}/b/catalog.json: child link to ${m}/a/catalog.json closes a cycle (${m}/a/catalog.json leads back to ${m}/b/catalog.json)`,
      );
      assert.deepEqual(seen, []);
    }
    await put(store, `${m}/self.json`, catalog('self', [['child', './self.json']]));
    await assert.rejects(list(store, `${m}/self.json`), (err: unknown) => err instanceof CatalogLoopError && err.uri === err.target);
  });

  it('names the linking document of a broken link, and a linked document that is not STAC', async () => {
    const store = new MemoryObjectStore();
    const m = 'memory://broken';
    await put(store, `${m}/catalog.json`, catalog('root', [['child', './gone/catalog.json']]));
    await assert.rejects(
      list(store, `${m}/catalog.json`),
      (err: unknown) => err instanceof BrokenLinkError && err.message === `${m}/catalog.json: links to ${m}/gone/catalog.json, which does not exist`,
    );
    await put(store, `${m}/c2.json`, catalog('c2', [['item', './notes.json']]));
    await store.put(`${m}/notes.json`, '{"hello": "world"}');
    await assert.rejects(list(store, `${m}/c2.json`), (err: unknown) => err instanceof NotStacError && err.uri === `${m}/notes.json` && /linked as an item from memory:\/\/broken\/c2\.json/.test(err.message));
    await store.put(`${m}/bad.json`, 'not json');
    await assert.rejects(list(store, `${m}/bad.json`), (err: unknown) => err instanceof NotStacError && err.message.startsWith(`${m}/bad.json: not JSON (`));
    await store.put(`${m}/fc.json`, '{"type": "FeatureCollection", "features": []}');
    await assert.rejects(list(store, `${m}/fc.json`), (err: unknown) => err instanceof NotStacError && /got type "FeatureCollection"/.test(err.message));
  });

  it('keeps at most `concurrency` reads in flight', async () => {
    const mem = new MemoryObjectStore();
    const m = 'memory://wide';
    const n = 30;
    await put(mem, `${m}/catalog.json`, catalog('root', Array.from({ length: n }, (_, i) => ['item', `./i${String(i).padStart(2, '0')}.json`] as [string, string])));
    for (let i = 0; i < n; i++) await put(mem, `${m}/i${String(i).padStart(2, '0')}.json`, item(`i${String(i).padStart(2, '0')}`));
    let inFlight = 0;
    let peak = 0;
    const slow: ObjectStore = Object.assign(Object.create(mem) as MemoryObjectStore, {
      async get(uri: string) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return mem.get(uri);
      },
    });
    const refs = await list(slow, `${m}/catalog.json`, {}, { concurrency: 3 });
    assert.equal(refs.length, n);
    assert.deepEqual(ids(refs), ids(refs).slice().sort());
    assert.equal(peak, 3);
  });

  it('stops when the signal aborts', async () => {
    const store = new MemoryObjectStore();
    await put(store, 'memory://abort/catalog.json', catalog('root', [['item', './a.json']]));
    await put(store, 'memory://abort/a.json', item('a'));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(list(store, 'memory://abort/catalog.json', {}, { signal: ac.signal }), { name: 'AbortError' });
  });
});
