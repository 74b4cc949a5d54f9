/**
 * `tessera backfill` against a real STAC API: `rustac serve` loaded with two generated collections, the scenes'
 * COGs served over http:// by a range-capable static server, workers and the CLI on the shared dev stack.
 * The scenes processed are exactly those the filters select (computed here from the fixture), and every output is
 * checked against the numpy/GDAL references, rustac and DuckDB. Then the inputs a catalog in the wild gives: an
 * asset that 404s, servers that answer 500 before recovering, a server without range support, malformed filters.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BackfillRecord } from '../../workflows/backfill';
import {
  backfillCli,
  checkBackfillOutputs,
  expectedSceneIds,
  parseJsonOutput,
  readBackfillExecution,
  sceneIdOf,
  startCatalogRig,
  startFailingProxy,
  temporalCount,
  withClient,
  workerLogTail,
  type CatalogRig,
  type FailingProxy,
} from '../support/catalog-run';
import { startStacApi, type StacApi } from '../support/stac-api';
import { writeApiItems, writeStacFixture, type FixtureScene, type StacFixture } from '../support/stac-fixture';
import { startStaticServer, type StaticServer } from '../support/static-server';

const PRODUCTS = ['ndwi', 'water', 'ndci', 'rgb'];

describe('backfill from a STAC API with assets over http', { timeout: 600_000 }, () => {
  let rig: CatalogRig;
  let erie: StacFixture;
  let huron: StacFixture;
  let assets: StaticServer;
  let api: StacApi;

  before(async () => {
    rig = await startCatalogRig('cat-api');
    // Two collections on the same footprint grid and nearly the same dates: only --collections tells them apart.
    erie = await writeStacFixture({ dir: join(rig.dir, 'stac', 'erie'), count: 12, sizePx: 96, bands: 31 });
    huron = await writeStacFixture({ dir: join(rig.dir, 'stac', 'huron'), count: 12, sizePx: 64, bands: 23, collection: 'lake-huron', start: '2024-06-02' });
    assets = await startStaticServer({ root: join(rig.dir, 'stac') });
    await writeApiItems(erie, (s) => `${assets.url}/erie/${s.tiffRelPath}`);
    await writeApiItems(huron, (s) => `${assets.url}/huron/${s.tiffRelPath}`);
    api = await startStacApi({ hrefs: [erie.api.collectionPath, erie.api.itemsPath, huron.api.collectionPath, huron.api.itemsPath] });
  });
  after(async () => {
    await api?.close();
    await assets?.close();
    await rig?.close();
  });

  test('processes exactly the matching items; every product equals the numpy reference; STAC and catalog table check out', async (t) => {
    const started = Date.now();
    const bbox: [number, number, number, number] = [-83.5, 41.2, -82.5, 42.1];
    const datetime: [string, string] = ['2024-06-05T00:00:00Z', '2024-07-10T00:00:00Z'];
    const all = [...erie.scenes.map((s) => ({ ...s, collection: erie.collection })), ...huron.scenes.map((s) => ({ ...s, collection: huron.collection }))];
    const expected = expectedSceneIds(all, { collections: [erie.collection], bbox, datetime });
    // The filters must select some but not all, and --collections must matter.
    assert.ok(expected.length >= 2 && expected.length < erie.scenes.length, `expected ${expected.join(', ')}`);
    assert.ok(expectedSceneIds(all, { bbox, datetime }).length > expected.length, 'huron items match bbox and datetime too');

    const out = `${rig.prefix}/api-out`;
    const r = await backfillCli(rig, [
      api.url,
      '--collections', erie.collection,
      '--datetime', `${datetime[0]}/${datetime[1]}`,
      // `=`: node's parseArgs takes a separate value starting with '-' for an option (tested on its own below).
      `--bbox=${bbox.join(',')}`,
      '--products', PRODUCTS.join(','),
      '--out', out,
      '--wait', '--json',
    ]);
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}\n${await workerLogTail(rig)}`);
    const record = parseJsonOutput<BackfillRecord>(r, 'backfill --wait --json');
    assert.equal(record.counts.failed, 0, JSON.stringify(record.failures));
    assert.equal(record.counts.listed, expected.length);
    assert.equal(record.counts.done, expected.length);

    const exec = await withClient(rig.stack, (c) => readBackfillExecution(c, record.backfillId));
    assert.deepEqual(exec.children.map(sceneIdOf).sort(), expected, 'one scene run per matching item, no other');
    for (const s of exec.scenes) assert.equal(s.child.status, 'completed', `${s.child.workflowId}: ${s.failure}`);

    // Assets were read with ranged GETs from the static server, not downloaded whole.
    const tifGets = assets.requests.filter((q) => q.method === 'GET' && q.path.endsWith('.tif'));
    assert.ok(tifGets.length > 0 && tifGets.every((q) => q.range !== undefined && q.status === 206), `asset reads: ${JSON.stringify(tifGets.slice(0, 5))}`);

    const byId = new Map<string, FixtureScene>(erie.scenes.map((s) => [s.id, s]));
    await checkBackfillOutputs(
      rig,
      out,
      exec.scenes.map((s) => ({ sceneId: sceneIdOf(s.child), inputPath: byId.get(sceneIdOf(s.child))!.tiffPath, result: s.result })),
      PRODUCTS,
      'api',
    );
    t.diagnostic(`${expected.length} scenes: ${expected.join(', ')}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});

describe('backfill from a STAC API: bad inputs', { timeout: 600_000 }, () => {
  let rig: CatalogRig;
  let fx: StacFixture;
  let assets: StaticServer;
  const closers: Array<() => Promise<void>> = [];
  /** Scenes 0–3 (June 2024), the selection of every backfill here. */
  const DATETIME = '2024-06-01/2024-06-25';
  let selected: FixtureScene[];

  /** A STAC API whose items point at the normal asset server, except where `href` says otherwise. */
  async function apiWith(href: (s: FixtureScene) => string | undefined): Promise<StacApi> {
    await writeApiItems(fx, (s) => href(s) ?? `${assets.url}/${s.tiffRelPath}`);
    const api = await startStacApi({ hrefs: [fx.api.collectionPath, fx.api.itemsPath] });
    closers.push(() => api.close());
    return api;
  }

  async function server(opts: Omit<Parameters<typeof startStaticServer>[0], 'root'>): Promise<StaticServer> {
    const s = await startStaticServer({ root: fx.dir, ...opts });
    closers.push(() => s.close());
    return s;
  }

  before(async () => {
    rig = await startCatalogRig('cat-api-bad');
    fx = await writeStacFixture({ dir: join(rig.dir, 'stac'), count: 12, sizePx: 64, bands: 23 });
    selected = fx.scenes.filter((s) => s.datetime < '2024-06-26');
    assert.equal(selected.length, 4);
    assets = await server({});
  });
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await rig?.close();
  });

  async function runBackfill(source: string, label: string): Promise<{ code: number; record: BackfillRecord; stderr: string }> {
    const r = await backfillCli(rig, [source, '--datetime', DATETIME, '--products', 'ndwi,water', '--out', `${rig.prefix}/${label}`, '--wait', '--json'], 300_000);
    return { code: r.code, record: parseJsonOutput<BackfillRecord>(r, `backfill ${label}`), stderr: r.stderr };
  }

  test('an item whose asset 404s fails that scene alone, with a one-line reason; the others complete', async (t) => {
    const victim = selected[1];
    const api = await apiWith((s) => (s.id === victim.id ? `${assets.url}/missing/${s.id}.tif` : undefined));
    const { code, record, stderr } = await runBackfill(api.url, 'asset-404');
    assert.equal(code, 1, `exit 1 when a scene failed\n${stderr}`);
    assert.deepEqual(record.counts, { listed: 4, done: 3, skipped: 0, failed: 1, running: 0 });
    assert.deepEqual(record.failures.map((f) => f.scene.id), [victim.id]);
    const reason = record.failures[0].reason;
    t.diagnostic(`reason: ${reason}`);
    assert.ok(!reason.includes('\n') && reason.length > 0, `one line: ${JSON.stringify(reason)}`);
    assert.match(reason, new RegExp(`missing/${victim.id}\\.tif`), 'the reason names the asset');
    assert.match(reason, /404|not found|does not exist/i, 'the reason says it is missing');
    for (const s of selected) {
      const manifest = await rig.store.head(`${rig.prefix}/asset-404/scenes/${s.id}/manifest.json`);
      assert.equal(Boolean(manifest), s.id !== victim.id, `${s.id} ${s.id === victim.id ? 'has no' : 'has a'} manifest`);
    }
  });

  test('a STAC API and an asset server that answer 500 twice, then recover: retried, every scene completes', async () => {
    const flakyAssets = await server({ failures: { status: 500, count: 2, pathPattern: /\.tif$/ } });
    const api = await apiWith((s) => `${flakyAssets.url}/${s.tiffRelPath}`);
    const proxy: FailingProxy = await startFailingProxy({ target: api.url, failures: { status: 500, count: 2, pathPattern: /^\/search/ } });
    closers.push(() => proxy.close());
    const { code, record, stderr } = await runBackfill(proxy.url, 'flaky');
    assert.equal(code, 0, `${stderr}\n${JSON.stringify(record.failures)}`);
    assert.deepEqual(record.counts, { listed: 4, done: 4, skipped: 0, failed: 0, running: 0 });
    const searches = proxy.requests.filter((q) => q.path.startsWith('/search'));
    assert.deepEqual(searches.slice(0, 3).map((q) => q.status), [500, 500, 200], `search requests: ${JSON.stringify(searches)}`);
    const tifs = flakyAssets.requests.filter((q) => q.path.endsWith('.tif'));
    assert.deepEqual(tifs.slice(0, 2).map((q) => q.status), [500, 500]);
    assert.ok(tifs.slice(2).some((q) => q.path === tifs[0].path && q.status === 206), 'the failed asset was read again and answered');
  });

  test('an asset server that ignores Range fails that scene with a clear message', async (t) => {
    const victim = selected[2];
    const noRange = await server({ ignoreRange: true });
    const api = await apiWith((s) => (s.id === victim.id ? `${noRange.url}/${s.tiffRelPath}` : undefined));
    const { code, record, stderr } = await runBackfill(api.url, 'no-range');
    assert.equal(code, 1, stderr);
    assert.deepEqual(record.counts, { listed: 4, done: 3, skipped: 0, failed: 1, running: 0 });
    assert.deepEqual(record.failures.map((f) => f.scene.id), [victim.id]);
    const reason = record.failures[0].reason;
    t.diagnostic(`reason: ${reason}`);
    assert.ok(!reason.includes('\n'), `one line: ${JSON.stringify(reason)}`);
    assert.match(reason, /range/i, `the reason says the server does not honour Range: ${reason}`);
    assert.ok(reason.includes(noRange.url), `the reason names the server: ${reason}`);
  });

  for (const [flag, value, pattern] of [
    ['--datetime', 'nonsense', /--datetime 'nonsense'/],
    ['--bbox', '1,2,3', /--bbox '1,2,3'.*4 numbers/],
  ] as const) {
    test(`${flag} ${value} exits 2 with one line before anything starts`, async (t) => {
      // A forwarder that fails nothing: it only counts what the CLI would have read from the API.
      const watcher = await startFailingProxy({ target: assets.url, failures: { status: 500, count: 0 } });
      closers.push(() => watcher.close());
      const before = await temporalCount(rig.stack, `TaskQueue="${rig.name}"`);
      const r = await backfillCli(rig, [watcher.url, flag, value, '--out', `${rig.prefix}/bad-flag`, '--wait', '--json'], 60_000);
      assert.equal(r.code, 2, `exit code\n${r.stderr}`);
      assert.equal(r.stdout, '', 'nothing on stdout');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
      t.diagnostic(lines[0]);
      assert.match(lines[0], pattern);
      assert.equal(await temporalCount(rig.stack, `TaskQueue="${rig.name}"`), before, 'no workflow was started');
      assert.deepEqual(watcher.requests, [], 'the source was not read');
      for await (const obj of rig.store.list(`${rig.prefix}/bad-flag/`)) assert.fail(`wrote ${obj.uri}`);
    });
  }

  test('--bbox with a negative west, written as in the help (`--bbox -80,25,-79,27`), is taken as the box', async () => {
    const r = await backfillCli(rig, [fx.catalogUri, '--bbox', '-84,41,-83.7,41.2', '--out', `${rig.prefix}/neg-bbox`, '--dry-run', '--json'], 120_000);
    assert.doesNotMatch(r.stderr, /ambiguous/, 'the negative number is the value, not an option');
    const report = parseJsonOutput<{ request: { filters: { bbox?: number[] } }; scenes: Array<{ sceneId: string }> }>(r, 'backfill --dry-run --json');
    assert.deepEqual(report.request.filters.bbox, [-84, 41, -83.7, 41.2]);
    assert.deepEqual(report.scenes.map((s) => s.sceneId).sort(), expectedSceneIds(fx.scenes.map((s) => ({ ...s, collection: fx.collection })), { bbox: [-84, 41, -83.7, 41.2] }));
  });
});
