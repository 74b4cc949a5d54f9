/**
 * Content-keyed partitions, counted in the activities the scene runs actually executed (from their histories):
 * an unchanged backfill runs again without raster work; a changed NDCI parameter recomputes only NDCI, as a variant
 * of its own, leaving the other products' objects untouched; a corrupt scene fails alone and `--rerun-failed` runs
 * only it once fixed; `--dry-run` says what would run or skip and why without starting anything; a partition
 * recorded by an older code version is listed by `tessera status --stale` and shown as stale by `--dry-run`.
 *
 * The scenes are 600 px square, 2 × 2 tiles each, which a backfill runs in one activity per scene
 * (processSceneInline): its input is the scene's plan, so the tiles and products it computes are still counted.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { partitionKey } from '../../activities/partitions';
import { generateScene } from '../../raster/synthetic/scene';
import type { BackfillRecord } from '../../workflows/backfill';
import type { SceneResult } from '../../workflows/types';
import {
  allActivities,
  backfillCli,
  countByType,
  parseJsonOutput,
  readBackfillExecution,
  sceneIdOf,
  startCatalogRig,
  temporalCount,
  isTileActivity,
  TILE_ACTIVITY_TYPES,
  tilesComputed,
  tilesOf,
  withClient,
  workerLogTail,
  type BackfillExecution,
  type CatalogRig,
} from '../support/catalog-run';
import { tessera } from '../support/cli';

const SCENES = ['PART-A', 'PART-B', 'PART-C'];
const TILES_PER_SCENE = 4;
const PRODUCTS = 'ndwi,water,ndci';

interface DryRunJson {
  backfillId: string;
  scenes: Array<{ sceneId: string; error?: string; partitions: Array<{ variant: string; action: 'computed' | 'skipped'; reason: string }> }>;
  totals: { scenes: number; failed: number; partitionsToRun: number; partitionsToSkip: number };
}

interface ManifestJson {
  outputs: Array<{ uri: string; sha256: string; role: string; product?: string }>;
  partitions: Record<string, { key: string; codeVersion: string; inputIdentity: string; definitionHash: string; outputs: string[] }>;
}

describe('content-keyed partitions of a backfill', { timeout: 900_000 }, () => {
  let rig: CatalogRig;
  let source: string;
  let out: string;
  let first: BackfillRecord;

  const readManifest = async (id: string): Promise<ManifestJson> =>
    JSON.parse(new TextDecoder().decode(await rig.store.get(`${out}/scenes/${id}/manifest.json`))) as ManifestJson;

  /** ETag of every object under `out/scenes` and `out/tables` that belongs to one of `variants`. */
  async function etags(variants: string[]): Promise<Map<string, string>> {
    const tags = new Map<string, string>();
    for (const id of SCENES) {
      const m = await readManifest(id);
      for (const v of variants) {
        assert.ok(m.partitions[v], `${id} records partition ${v}`);
        for (const uri of m.partitions[v].outputs) {
          const head = await rig.store.head(uri);
          assert.ok(head?.etag, `${uri} exists with an ETag`);
          tags.set(uri, head.etag);
        }
      }
    }
    return tags;
  }

  async function backfill(args: string[], what: string): Promise<{ record: BackfillRecord; exec: BackfillExecution; code: number }> {
    const r = await backfillCli(rig, [...args, '--wait', '--json'], 600_000);
    const record = parseJsonOutput<BackfillRecord>(r, what);
    const exec = await withClient(rig.stack, (c) => readBackfillExecution(c, record.backfillId));
    return { record, exec, code: r.code };
  }

  before(async () => {
    rig = await startCatalogRig('cat-part');
    const dir = join(rig.dir, 'scenes');
    for (const [i, id] of SCENES.entries()) await generateScene({ outPath: join(dir, `${id}.tif`), sizePx: 600, bands: 23, seed: 40 + i });
    source = `${pathToFileURL(dir).href}/PART-*.tif`;
    out = `${rig.prefix}/out`;
  });
  after(async () => {
    await rig?.close();
  });

  test('the first backfill computes every partition, each scene in one activity', async () => {
    const { record, exec, code } = await backfill([source, '--products', PRODUCTS, '--out', out], 'first backfill');
    assert.equal(code, 0, `${JSON.stringify(record.failures)}\n${await workerLogTail(rig)}`);
    first = record;
    assert.deepEqual(record.counts, { listed: 3, done: 3, skipped: 0, failed: 0, running: 0 });
    const acts = allActivities(exec);
    const counts = countByType(acts, 'completed');
    assert.ok(acts.filter(isTileActivity).every((a) => a.outcome === 'completed'), `activities: ${JSON.stringify(countByType(acts))}`);
    assert.equal(tilesComputed(acts).length, SCENES.length * TILES_PER_SCENE, `every tile once, by tile activities: ${JSON.stringify(counts)}`);
    // Scenes of four tiles: a backfill runs each in one activity, COGs, tables and previews included.
    assert.equal(counts.processSceneInline, SCENES.length, `one activity per scene: ${JSON.stringify(counts)}`);
    assert.equal(counts.assembleCog ?? 0, 0);
  });

  test('re-running the unchanged backfill runs no tile activity (processTile/processTiles), and every child reports all partitions skipped', async () => {
    const before = await etags(['ndwi', 'water', 'ndci']);
    const manifestsBefore = await Promise.all(SCENES.map(async (id) => (await rig.store.head(`${out}/scenes/${id}/manifest.json`))?.etag));
    const { record, exec, code } = await backfill([source, '--products', PRODUCTS, '--out', out], 'unchanged backfill');
    assert.equal(code, 0);
    assert.equal(record.backfillId, first.backfillId, 'the same backfill id (same source, filters, out, products)');
    assert.notEqual(exec.runs[0].runId, undefined);
    assert.deepEqual(record.counts, { listed: 3, done: 0, skipped: 3, failed: 0, running: 0 });
    assert.deepEqual(exec.children.map(sceneIdOf).sort(), SCENES);
    const counts = countByType(allActivities(exec));
    for (const type of [...TILE_ACTIVITY_TYPES, 'processSceneInline', 'assembleCog', 'writeTileStats', 'renderPreviews']) {
      assert.equal(counts[type] ?? 0, 0, `${type} ran on the unchanged rerun: ${JSON.stringify(counts)}`);
    }
    for (const s of exec.scenes) {
      const result = s.result as SceneResult;
      assert.deepEqual(
        result.partitions.map((p) => [p.variant, p.action, p.reason]).sort(),
        [['ndci', 'skipped', 'unchanged'], ['ndwi', 'skipped', 'unchanged'], ['water', 'skipped', 'unchanged']],
        `${s.child.workflowId}`,
      );
    }
    assert.deepEqual(await etags(['ndwi', 'water', 'ndci']), before, 'no output was rewritten');
    const manifestsAfter = await Promise.all(SCENES.map(async (id) => (await rig.store.head(`${out}/scenes/${id}/manifest.json`))?.etag));
    assert.deepEqual(manifestsAfter, manifestsBefore, 'no manifest was rewritten');
  });

  test('--param ndci.threshold=0.25 re-runs only NDCI, as variant ndci@<8 hex>; ndwi and water are untouched', async () => {
    const untouched = await etags(['ndwi', 'water', 'ndci']);
    const shaBefore = new Map<string, string>();
    for (const id of SCENES) for (const o of (await readManifest(id)).outputs) shaBefore.set(o.uri, o.sha256);

    const { record, exec, code } = await backfill([source, '--products', PRODUCTS, '--param', 'ndci.threshold=0.25', '--out', out], 'ndci param backfill');
    assert.equal(code, 0, JSON.stringify(record.failures));
    assert.deepEqual(record.counts, { listed: 3, done: 3, skipped: 0, failed: 0, running: 0 });
    const acts = allActivities(exec);
    assert.equal(tilesComputed(acts).length, SCENES.length * TILES_PER_SCENE, 'every tile once, for NDCI');
    assert.equal(countByType(acts).processSceneInline, SCENES.length);
    for (const a of acts.filter(isTileActivity)) {
      assert.deepEqual(tilesOf(a).products, ['ndci'], `tile job computes only ndci: ${a.summary}`);
      // A one-tile activity's summary names its products; a batch's names its tiles.
      if (a.type === 'processTile') assert.match(a.summary ?? '', /: ndci$/, `summary names only ndci: ${a.summary}`);
    }
    const scenes = acts.filter((a) => a.type === 'processSceneInline');
    assert.equal(scenes.length, SCENES.length, 'one activity per scene');
    let variant = '';
    for (const a of scenes) {
      const input = a.input as { plan: { products: string[]; variants: Record<string, string> } };
      assert.deepEqual(input.plan.products, ['ndci']);
      variant = input.plan.variants.ndci;
      assert.match(variant, /^ndci@[0-9a-f]{8}$/);
      assert.match(a.summary ?? '', /: ndci$/, `summary names only ndci: ${a.summary}`);
    }
    for (const s of exec.scenes) {
      const parts = (s.result as SceneResult).partitions.map((p) => [p.variant, p.action]).sort();
      assert.deepEqual(parts, [[variant, 'computed'], ['ndwi', 'skipped'], ['water', 'skipped']].sort(), s.child.workflowId);
    }

    // The ndwi, water and default-ndci objects are the same objects (ETag) with the same bytes (sha256).
    assert.deepEqual(await etags(['ndwi', 'water', 'ndci']), untouched);
    for (const id of SCENES) {
      const m = await readManifest(id);
      for (const v of ['ndwi', 'water', 'ndci']) {
        for (const uri of m.partitions[v].outputs) {
          const entry = m.outputs.find((o) => o.uri === uri);
          assert.equal(entry?.sha256, shaBefore.get(uri), `${uri}: sha256 in the manifest unchanged`);
        }
      }
      assert.ok(m.partitions[variant], `${id} records ${variant}`);
      assert.ok(await rig.store.head(`${out}/scenes/${id}/cog/ndci.tif`), `${id}: cog/ndci.tif still there`);
      assert.ok(await rig.store.head(`${out}/scenes/${id}/cog/${variant}.tif`), `${id}: cog/${variant}.tif written`);
    }
  });

  test('--dry-run prints what would run or skip and why, and starts no workflow', async () => {
    const queueBefore = await temporalCount(rig.stack, `TaskQueue="${rig.name}"`);
    const r = await backfillCli(rig, [source, '--products', 'ndwi,water,ndci,ndvi', '--out', out, '--dry-run', '--json'], 120_000);
    assert.equal(r.code, 0, r.stderr);
    const report = parseJsonOutput<DryRunJson>(r, 'dry run');
    assert.deepEqual(report.scenes.map((s) => s.sceneId), SCENES);
    for (const s of report.scenes) {
      assert.deepEqual(
        s.partitions.map((p) => [p.variant, p.action, p.reason]).sort(),
        [['ndci', 'skipped', 'unchanged'], ['ndvi', 'computed', 'new'], ['ndwi', 'skipped', 'unchanged'], ['water', 'skipped', 'unchanged']],
        s.sceneId,
      );
    }
    assert.deepEqual([report.totals.partitionsToRun, report.totals.partitionsToSkip], [3, 9]);

    const text = await backfillCli(rig, [source, '--products', 'ndwi,water,ndci,ndvi', '--out', out, '--dry-run'], 120_000);
    assert.equal(text.code, 0, text.stderr);
    for (const id of SCENES) {
      assert.match(text.stdout, new RegExp(`^${id}\\s+ndvi\\s+would run\\s+new$`, 'm'));
      assert.match(text.stdout, new RegExp(`^${id}\\s+ndwi\\s+would skip\\s+unchanged$`, 'm'));
    }
    assert.equal(await temporalCount(rig.stack, `TaskQueue="${rig.name}"`), queueBefore, 'no workflow on the task queue');
    assert.equal(await temporalCount(rig.stack, `WorkflowId="${report.backfillId}"`), 0, 'no backfill under the dry run id');
    for (const id of SCENES) {
      const m = await readManifest(id);
      assert.equal(m.partitions.ndvi, undefined, 'nothing was computed');
    }
  });

  test('a partition recorded by an older code version is listed by tessera status --stale', async () => {
    // PART-A: only the recorded code version is edited (as the task describes it). PART-B: as older code would
    // have written it, the key too, since the key hashes the code version.
    const [a, b] = SCENES;
    const ma = await readManifest(a);
    ma.partitions.ndwi.codeVersion = 'pipeline.v0/ndwi.v0';
    await rig.store.put(`${out}/scenes/${a}/manifest.json`, JSON.stringify(ma, null, 2));
    const mb = await readManifest(b);
    const w = mb.partitions.water;
    w.codeVersion = 'pipeline.v0/water.v0';
    w.key = partitionKey(w.inputIdentity, w.definitionHash, w.codeVersion);
    await rig.store.put(`${out}/scenes/${b}/manifest.json`, JSON.stringify(mb, null, 2));

    const status = await tessera(['status', '--stale', '--out', out, '--json'], rig.env, 60_000);
    assert.equal(status.code, 0, `status --stale: ${status.stderr}`);
    const stale = parseJsonOutput<{ stale: Array<{ sceneId: string; variant: string; recorded: string }> }>(status, 'status --stale');
    assert.deepEqual(
      stale.stale.map((s) => [s.sceneId, s.variant, s.recorded]).sort(),
      [[a, 'ndwi', 'pipeline.v0/ndwi.v0'], [b, 'water', 'pipeline.v0/water.v0']],
    );

  });

  test('a partition recorded by an older code version is shown as stale by --dry-run', async () => {
    const [a, b] = SCENES;
    assert.equal((await readManifest(a)).partitions.ndwi.codeVersion, 'pipeline.v0/ndwi.v0', 'the previous test edited the manifests');
    const r = await backfillCli(rig, [source, '--products', PRODUCTS, '--out', out, '--dry-run', '--json'], 120_000);
    assert.equal(r.code, 0, r.stderr);
    const report = parseJsonOutput<DryRunJson>(r, 'dry run');
    const shown = report.scenes.flatMap((s) => s.partitions.filter((p) => p.action === 'computed').map((p) => [s.sceneId, p.variant, p.reason]));
    assert.deepEqual(
      shown.map(([s, v]) => [s, v]).sort(),
      [[a, 'ndwi'], [b, 'water']],
      `dry run: ${JSON.stringify(shown)}`,
    );
    for (const [, , reason] of shown) assert.match(reason, /code version/);
  });

  test('a corrupt (truncated) scene fails alone; fixed, --rerun-failed runs only that scene', async () => {
    const dir = join(rig.dir, 'corrupt');
    await mkdir(dir, { recursive: true });
    for (const id of ['CORR-A', 'CORR-B', 'CORR-C']) await copyFile(join(rig.dir, 'scenes', `PART-${id.slice(-1)}.tif`), join(dir, `${id}.tif`));
    const good = await readFile(join(dir, 'CORR-B.tif'));
    await writeFile(join(dir, 'CORR-B.tif'), new Uint8Array(good.subarray(0, Math.floor(good.byteLength * 0.6))));
    const corruptOut = `${rig.prefix}/corrupt-out`;

    const failed = await backfill([`${pathToFileURL(dir).href}/CORR-*.tif`, '--products', 'ndwi,water', '--out', corruptOut], 'corrupt backfill');
    assert.equal(failed.code, 1, 'exit 1 when a scene failed');
    assert.deepEqual(failed.record.counts, { listed: 3, done: 2, skipped: 0, failed: 1, running: 0 });
    assert.deepEqual(failed.record.failures.map((f) => f.scene.id), ['CORR-B']);
    assert.match(failed.record.failures[0].reason, /CORR-B\.tif/);
    assert.match(failed.record.failures[0].reason, /past the end|truncated|ends before|short/i);

    await writeFile(join(dir, 'CORR-B.tif'), new Uint8Array(good));
    const rerun = await backfill(['--rerun-failed', failed.record.backfillId], 'rerun-failed');
    assert.equal(rerun.code, 0, JSON.stringify(rerun.record.failures));
    assert.notEqual(rerun.record.backfillId, failed.record.backfillId, 'the rerun is a backfill of its own');
    assert.deepEqual(rerun.record.counts, { listed: 1, done: 1, skipped: 0, failed: 0, running: 0 });
    assert.deepEqual(rerun.exec.children.map(sceneIdOf), ['CORR-B'], 'only the failed scene ran');
    assert.equal(tilesComputed(rerun.exec.scenes[0].activities).length, TILES_PER_SCENE, 'its tiles computed once');
    assert.ok(await rig.store.head(`${corruptOut}/scenes/CORR-B/manifest.json`), 'CORR-B is published');
    // The two scenes that had completed were not run again by anyone: their only runs are the first backfill's.
    assert.equal(await temporalCount(rig.stack, `WorkflowId="${failed.record.backfillId}/CORR-A"`), 1);
  });
});
