/**
 * `tessera backfill` over a static STAC catalog (catalog → collection → items, relative links and asset hrefs),
 * read from file:// and, uploaded as it is, from s3:// (MinIO): the same scenes, the same product bytes. Then the
 * broken catalogs: a `child` link loop (the catalog layer stops with CatalogLoopError before any scene starts, see
 * platform/catalog/static-catalog.ts) and an item without a GeoTIFF asset (that scene fails, the others complete).
 */
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  temporalCount,
  withClient,
  workerLogTail,
  type CatalogRig,
} from '../support/catalog-run';
import { writeStacFixture, type StacFixture } from '../support/stac-fixture';

const PRODUCTS = ['ndwi', 'water', 'ndci'];

describe('backfill over a static STAC catalog', { timeout: 600_000 }, () => {
  let rig: CatalogRig;
  let fx: StacFixture;
  const bbox: [number, number, number, number] = [-83.9, 41.1, -82.7, 41.7];
  const datetime: [string, string] = ['2024-06-01T00:00:00Z', '2024-07-08T00:00:00Z'];
  let expected: string[];
  const filterArgs = () => [`--bbox=${bbox.join(',')}`, '--datetime', `${datetime[0]}/${datetime[1]}`];

  before(async () => {
    rig = await startCatalogRig('cat-static');
    fx = await writeStacFixture({ dir: join(rig.dir, 'stac'), count: 12, sizePx: 64, bands: 31 });
    expected = expectedSceneIds(fx.scenes.map((s) => ({ ...s, collection: fx.collection })), { bbox, datetime });
    assert.ok(expected.length >= 2 && expected.length <= 5, `the filters select a few scenes: ${expected.join(', ')}`);
  });
  after(async () => {
    await rig?.close();
  });

  /** sha256 of each scene's COGs and tile tables, keyed `<scene>/<path below the scene or table root>`. */
  async function productHashes(out: string): Promise<Record<string, string>> {
    const hashes: Record<string, string> = {};
    for (const id of expected) {
      const manifest = JSON.parse(new TextDecoder().decode(await rig.store.get(`${out}/scenes/${id}/manifest.json`))) as { outputs: Array<{ uri: string; sha256: string; role: string }> };
      for (const o of manifest.outputs) if (o.role === 'cog' || (o.role === 'table' && o.uri.includes('/tile_stats/'))) hashes[o.uri.slice(out.length + 1)] = o.sha256;
    }
    return hashes;
  }

  let fileHashes: Record<string, string> = {};

  test('file:// catalog: exactly the matching items, outputs equal the references', async () => {
    const out = `${rig.prefix}/file-out`;
    const r = await backfillCli(rig, [fx.catalogUri, ...filterArgs(), '--products', PRODUCTS.join(','), '--out', out, '--wait', '--json']);
    assert.equal(r.code, 0, `${r.stderr}\n${await workerLogTail(rig)}`);
    const record = parseJsonOutput<BackfillRecord>(r, 'backfill');
    assert.deepEqual(record.counts, { listed: expected.length, done: expected.length, skipped: 0, failed: 0, running: 0 }, JSON.stringify(record.failures));
    const exec = await withClient(rig.stack, (c) => readBackfillExecution(c, record.backfillId));
    assert.deepEqual(exec.children.map(sceneIdOf).sort(), expected);
    const byId = new Map(fx.scenes.map((s) => [s.id, s]));
    await checkBackfillOutputs(rig, out, exec.scenes.map((s) => ({ sceneId: sceneIdOf(s.child), inputPath: byId.get(sceneIdOf(s.child))!.tiffPath, result: s.result })), PRODUCTS, 'file');
    fileHashes = await productHashes(out);
    assert.ok(Object.keys(fileHashes).length === expected.length * PRODUCTS.length * 2, `COG and tile table per scene × product: ${Object.keys(fileHashes).length}`);
  });

  test('s3:// catalog (the same tree uploaded, relative hrefs): the same items, byte-identical products', async () => {
    const root = `${rig.prefix}/catalog`;
    for (const path of [fx.catalogPath, fx.collectionPath, ...fx.scenes.flatMap((s) => [s.itemPath, s.tiffPath])]) {
      await rig.store.put(`${root}/${relative(fx.dir, path)}`, new Uint8Array(await readFile(path)));
    }
    const out = `${rig.prefix}/s3-out`;
    const r = await backfillCli(rig, [`${root}/catalog.json`, ...filterArgs(), '--products', PRODUCTS.join(','), '--out', out, '--wait', '--json']);
    assert.equal(r.code, 0, `${r.stderr}\n${await workerLogTail(rig)}`);
    const record = parseJsonOutput<BackfillRecord>(r, 'backfill');
    assert.deepEqual(record.counts, { listed: expected.length, done: expected.length, skipped: 0, failed: 0, running: 0 }, JSON.stringify(record.failures));
    const exec = await withClient(rig.stack, (c) => readBackfillExecution(c, record.backfillId));
    assert.deepEqual(exec.children.map(sceneIdOf).sort(), expected);
    for (const id of expected) {
      const manifest = JSON.parse(new TextDecoder().decode(await rig.store.get(`${out}/scenes/${id}/manifest.json`))) as { inputs: Array<{ uri: string }> };
      assert.deepEqual(manifest.inputs.map((i) => i.uri), [`${root}/lake-erie/${id}/${id}.tif`], `${id} was read from the uploaded asset, its href resolved against the s3 item`);
    }
    const s3Hashes = await productHashes(out);
    assert.deepEqual(s3Hashes, fileHashes, 'COG and tile-table sha256 equal those of the file:// run');
  });

  test('a catalog whose child links loop is reported (CatalogLoopError) and no scene starts', async () => {
    const dir = join(rig.dir, 'loop');
    await cp(fx.dir, dir, { recursive: true });
    // catalog.json → lake-erie/collection.json → sub/catalog.json → ../collection.json: a cycle below the root.
    const collectionPath = join(dir, 'lake-erie', 'collection.json');
    const collection = JSON.parse(await readFile(collectionPath, 'utf8')) as { links: Array<{ rel: string; href: string }> };
    collection.links.push({ rel: 'child', href: './sub/catalog.json' });
    await writeFile(collectionPath, JSON.stringify(collection));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'lake-erie', 'sub'), { recursive: true });
    await writeFile(
      join(dir, 'lake-erie', 'sub', 'catalog.json'),
      JSON.stringify({ type: 'Catalog', stac_version: '1.0.0', id: 'sub', description: 'loops back', links: [{ rel: 'child', href: '../collection.json' }] }),
    );
    const id = `${rig.name}-loop`;
    const r = await backfillCli(rig, [pathToFileURL(join(dir, 'catalog.json')).href, '--products', PRODUCTS.join(','), '--out', `${rig.prefix}/loop-out`, '--id', id, '--wait', '--json'], 120_000);
    assert.equal(r.code, 1, `exit 1\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line:\n${r.stderr}`);
    assert.match(lines[0], /closes a cycle/);
    assert.match(lines[0], /sub\/catalog\.json/, 'names the link that closes it');
    assert.equal(await temporalCount(rig.stack, `TesseraBackfill="${id}" AND WorkflowType="processScene"`), 0, 'no scene run started');
    for await (const obj of rig.store.list(`${rig.prefix}/loop-out/scenes/`)) assert.fail(`wrote ${obj.uri}`);
  });

  test('an item without a usable asset fails that scene alone; the others complete', async () => {
    const dir = join(rig.dir, 'no-asset');
    await cp(fx.dir, dir, { recursive: true });
    const victim = fx.scenes.find((s) => s.id === expected[1])!;
    const itemPath = join(dir, relative(fx.dir, victim.itemPath));
    const item = JSON.parse(await readFile(itemPath, 'utf8')) as { assets: Record<string, unknown> };
    item.assets = { thumbnail: { href: './thumb.png', type: 'image/png', roles: ['thumbnail'] } };
    await writeFile(itemPath, JSON.stringify(item));
    const out = `${rig.prefix}/no-asset-out`;
    const r = await backfillCli(rig, [pathToFileURL(join(dir, 'catalog.json')).href, ...filterArgs(), '--products', PRODUCTS.join(','), '--out', out, '--wait', '--json'], 300_000);
    assert.equal(r.code, 1, `exit 1 when a scene failed\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr}`);
    const record = parseJsonOutput<BackfillRecord>(r, 'backfill');
    assert.deepEqual(record.failures.map((f) => f.scene.id), [victim.id]);
    assert.match(record.failures[0].reason, /no GeoTIFF asset|no usable asset/i);
    assert.match(record.failures[0].reason, /thumbnail/, 'lists the asset keys it has');
    assert.equal(record.counts.done, expected.length - 1);
    for (const id of expected) {
      assert.equal(Boolean(await rig.store.head(`${out}/scenes/${id}/manifest.json`)), id !== victim.id, `${id} manifest`);
    }
  });
});
