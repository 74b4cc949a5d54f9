import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStacApi, type StacApi } from '../../test/support/stac-api';
import { writeApiItems, writeStacFixture, type FixtureScene, type StacFixture } from '../../test/support/stac-fixture';
import { startStaticServer, type StaticServer } from '../../test/support/static-server';
import type { Bbox, SceneFilters, SceneRef } from './scene-types';
import { MemoryObjectStore } from '../storage/memory';
import { StacApiError } from './errors';
import { detectSource, listScenes } from './list-scenes';

const store = new MemoryObjectStore();

async function list(source: string, filters: SceneFilters = {}, opts: Parameters<typeof listScenes>[3] = {}): Promise<SceneRef[]> {
  const out: SceneRef[] = [];
  for await (const s of listScenes(store, source, filters, opts)) out.push(s);
  return out;
}

const ids = (refs: Array<{ id: string }>) => refs.map((r) => r.id);

function overlaps(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

describe('listScenes on a STAC API (rustac serve)', () => {
  let dir: string;
  let fx: StacFixture;
  let files: StaticServer;
  let api: StacApi;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-stac-api-'));
    fx = await writeStacFixture({ dir, count: 12, sizePx: 64, bands: 23, collection: 'lake-erie', start: '2024-06-01', stepDays: 7 });
    files = await startStaticServer({ root: dir });
    await writeApiItems(fx, (s) => `${files.url}/${s.tiffRelPath}`);
    api = await startStacApi({ hrefs: [fx.api.collectionPath, fx.api.itemsPath] });
  });
  after(async () => {
    await api?.close();
    await files?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('detects the landing page and the search endpoint as an API', async () => {
    assert.equal(await detectSource(store, `${api.url}/`), 'stac-api');
    assert.equal(await detectSource(store, `${api.url}/search`), 'stac-api');
    assert.equal(await detectSource(store, `${files.url}/catalog.json`), 'stac-catalog', 'a static catalog over http');
    const overHttp = await list(`${files.url}/catalog.json`, { limit: 2 });
    assert.deepEqual(overHttp.map((r) => r.assetUri), fx.scenes.slice(0, 2).map((s) => `${files.url}/${s.tiffRelPath}`));
  });

  it('searches collections + datetime + bbox and returns exactly the expected items, with http asset URIs', async () => {
    const bbox: Bbox = [-83.5, 41.2, -82.3, 42.3];
    const from = Date.parse('2024-06-10T00:00:00Z');
    const to = Date.parse('2024-08-10T23:59:59.999Z');
    const want = fx.scenes.filter((s: FixtureScene) => overlaps(s.bbox, bbox) && Date.parse(s.datetime) >= from && Date.parse(s.datetime) <= to);
    assert.ok(want.length >= 2 && want.length < 12, `the query should select some scenes, selects ${want.length}`);
    const refs = await list(`${api.url}/`, { collections: ['lake-erie'], bbox, datetime: '2024-06-10/2024-08-10' });
    assert.deepEqual(ids(refs).sort(), ids(want).sort());
    const s = want[0];
    const ref = refs.find((r) => r.id === s.id);
    assert.deepEqual(ref, {
      id: s.id,
      assetUri: `${files.url}/${s.tiffRelPath}`,
      itemUri: `${api.url}/collections/lake-erie/items/${s.id}`,
      datetime: s.datetime,
      collection: 'lake-erie',
      bbox: s.bbox,
    });
    const head = await fetch(ref?.assetUri ?? '', { method: 'HEAD' });
    assert.equal(Number(head.headers.get('content-length')), (await stat(s.tiffPath)).size, 'the asset URI serves the COG');
    assert.deepEqual(ids(await list(`${api.url}/search`, { collections: ['lake-ontario'] })), []);
  });

  it('pages with a small page size: every item exactly once, one onPage per page', async () => {
    const pages: number[] = [];
    const refs = await list(`${api.url}/search`, { collections: ['lake-erie'] }, { pageSize: 5, onPage: (n) => pages.push(n) });
    assert.equal(refs.length, 12);
    assert.deepEqual(ids(refs).slice().sort(), fx.scenes.map((s) => s.id).sort());
    assert.equal(new Set(ids(refs)).size, 12);
    assert.deepEqual(pages, [1, 2, 3]);
  });

  it('stops at the limit, across pages, in server order', async () => {
    const all = ids(await list(`${api.url}/`, { bbox: [-85, 40, -80, 44] }, { pageSize: 5 }));
    const pages: number[] = [];
    const refs = await list(`${api.url}/`, { bbox: [-85, 40, -80, 44], limit: 7 }, { pageSize: 5, onPage: (n) => pages.push(n) });
    assert.deepEqual(ids(refs), all.slice(0, 7));
    assert.deepEqual(pages, [1, 2], 'no third page is asked for');
    assert.equal((await list(`${api.url}/`, { limit: 3 })).length, 3);
  });

  it('evaluates a CQL2 filter itself when the API declares no Filter extension', async () => {
    const filter = { op: 'and', args: [{ op: '<', args: [{ property: 'eo:cloud_cover' }, 30] }, { op: 'like', args: [{ property: 'id' }, 'erie-2024-0%'] }] };
    const want = fx.scenes.filter((s) => s.cloudCover < 30 && s.id.startsWith('erie-2024-0')).map((s) => s.id);
    assert.ok(want.length >= 2 && want.length < 12);
    const refs = await list(`${api.url}/`, { filter, limit: 100 }, { pageSize: 4 });
    assert.deepEqual(ids(refs).sort(), want.sort());
    assert.deepEqual(ids(await list(`${api.url}/`, { filter, limit: 2 }, { pageSize: 4 })), ids(refs).slice(0, 2));
  });
});

describe('listScenes on a GET-only search (a static server that answers POST with 405)', () => {
  let dir: string;
  let server: StaticServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-get-search-'));
    await mkdir(join(dir, 'api'));
    server = await startStaticServer({ root: dir });
    const feature = (id: string, cloud: number) => ({
      type: 'Feature',
      stac_version: '1.0.0',
      id,
      collection: 'c',
      bbox: [0, 0, 1, 1],
      geometry: null,
      properties: { datetime: '2024-06-01T00:00:00Z', 'eo:cloud_cover': cloud },
      assets: { data: { href: `https://data.example.com/${id}.tif`, type: 'image/tiff; application=geotiff', roles: ['data'] } },
      links: [{ rel: 'self', href: `${server.url}/api/items/${id}` }],
    });
    const page = (features: unknown[], next?: string) => ({ type: 'FeatureCollection', features, links: next ? [{ rel: 'next', href: next }] : [] });
    await writeFile(join(dir, 'api', 'search'), JSON.stringify(page([feature('a', 5), feature('b', 50)], './page-2')));
    await writeFile(join(dir, 'api', 'page-2'), JSON.stringify(page([feature('b', 50), feature('c', 10)], `${server.url}/api/page-3`)));
    await writeFile(join(dir, 'api', 'page-3'), JSON.stringify(page([])));
    await mkdir(join(dir, 'fapi'));
    const landing = {
      type: 'Catalog',
      id: 'filtering-api',
      conformsTo: ['https://api.stacspec.org/v1.0.0/core', 'https://api.stacspec.org/v1.0.0/item-search', 'https://api.stacspec.org/v1.0.0-rc.2/item-search#filter'],
      links: [{ rel: 'search', href: './search', method: 'GET' }],
    };
    await writeFile(join(dir, 'fapi', 'landing.json'), JSON.stringify(landing));
    await writeFile(join(dir, 'fapi', 'search'), JSON.stringify(page([feature('a', 5), feature('b', 50)])));
    await mkdir(join(dir, 'loop'));
    await writeFile(join(dir, 'loop', 'search'), JSON.stringify(page([feature('a', 5)], './search')));
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('falls back to GET with query parameters, follows relative next links and yields a repeated item once', async () => {
    server.requests.length = 0;
    const refs = await list(`${server.url}/api/search`, { collections: ['c'], datetime: '2024-06-01' }, { pageSize: 2 });
    assert.deepEqual(ids(refs), ['a', 'b', 'c']);
    assert.equal(refs[0].itemUri, `${server.url}/api/items/a`);
    assert.equal(refs[0].assetUri, 'https://data.example.com/a.tif');
    const searches = server.requests.filter((r) => r.path.startsWith('/api/search') || r.path.startsWith('/api/page'));
    assert.deepEqual(
      searches.map((r) => `${r.method} ${r.status} ${decodeURIComponent(r.path)}`),
      [
        'POST 405 /api/search',
        'GET 200 /api/search?collections=c&datetime=2024-06-01T00:00:00Z/2024-06-01T23:59:59.999Z&limit=2',
        'GET 200 /api/page-2',
        'GET 200 /api/page-3',
      ],
    );
  });

  it('applies a CQL2 filter locally and sends none', async () => {
    server.requests.length = 0;
    const refs = await list(`${server.url}/api/search`, { filter: { op: '<', args: [{ property: 'eo:cloud_cover' }, 20] } });
    assert.deepEqual(ids(refs), ['a', 'c']);
    assert.ok(server.requests.every((r) => !r.path.includes('filter')));
  });

  it('sends the filter to an API that declares the Filter extension, by GET when it offers only GET', async () => {
    server.requests.length = 0;
    const filter = { op: '<', args: [{ property: 'eo:cloud_cover' }, 20] };
    assert.equal(await detectSource(store, `${server.url}/fapi/landing.json`), 'stac-api');
    const refs = await list(`${server.url}/fapi/landing.json`, { filter });
    assert.deepEqual(ids(refs), ['a', 'b'], "the server's answer is taken as filtered");
    const search = server.requests.filter((r) => r.path.startsWith('/fapi/search'));
    assert.deepEqual(
      search.map((r) => `${r.method} ${decodeURIComponent(r.path)}`),
      [`GET /fapi/search?filter=${JSON.stringify(filter)}&filter-lang=cql2-json&limit=100`],
    );
  });

  it('reports a next link that repeats a page, and error statuses with StacApiError', async () => {
    await assert.rejects(
      list(`${server.url}/loop/search`),
      (err: unknown) => err instanceof StacApiError && err.message === `${server.url}/loop/search: the next link repeats a page already read (GET ${server.url}/loop/search); the server's paging is broken`,
    );
    await assert.rejects(list(`${server.url}/nothing/search`), (err: unknown) => err instanceof StacApiError && err.status === 404);
    server.setFailures({ status: 503, count: 10, pathPattern: /^\/api\/search/ });
    try {
      await assert.rejects(
        list(`${server.url}/api/search`, {}, { http: { maxAttempts: 1 } }),
        (err: unknown) => err instanceof StacApiError && err.status === 503 && err.message === `${server.url}/api/search: search (POST) answered HTTP 503 Service Unavailable`,
      );
    } finally {
      server.setFailures(undefined);
    }
  });
});
