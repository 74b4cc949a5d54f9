/**
 * The object store (MinIO) goes away for ~20 s in the middle of the tile stage and comes back on the same data
 * directory. Activities fail while it is down and are retried with backoff (1 s, x2, up to 60 s, 12 attempts), so
 * the run completes, and its outputs equal those of an undisturbed run. Meanwhile a listing of `<out>/scenes/`,
 * polled through the whole run, never shows anything but complete final objects: no temporary keys, no manifest
 * before every COG, preview and the STAC item, and every COG it shows is a valid COG of the size it ends with.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ObjectStore } from '../../platform/storage/object-store';
import { validateCog } from '../support/gdal-oracle';
import { sleep } from './private-stack';
import {
  cleanRunHashes,
  cliStatus,
  COG_PRODUCTS,
  fetchHistory,
  logTail,
  manifestUri,
  outputHashes,
  SCENE_ID,
  type SceneRig,
  startRun,
  startSceneRig,
  waitForEnd,
  waitForFirstTile,
} from './scene-run';

const OUTAGE_MS = 20_000;
const LIST_INTERVAL_MS = 250;

/** Keys a finished scene has under `scenes/<id>/`; nothing else may ever be listed there. */
const FINAL_KEY = new RegExp(`^scenes/${SCENE_ID}/(cog/(ndwi|water|ndci|ndvi)\\.tif|preview/(rgb|ndci)\\.png|item\\.json|index\\.html|manifest\\.json)$`);

interface Snapshot {
  atMs: number;
  /** Key below the output root → size in bytes. */
  objects: Map<string, number>;
}

/** Lists `<out>/scenes/` again and again until stopped; failed listings (store down) are counted. */
function watchScenes(store: ObjectStore, out: string) {
  const snapshots: Snapshot[] = [];
  let failures = 0;
  let stopped = false;
  const snapshot = async (): Promise<Snapshot> => {
    const objects = new Map<string, number>();
    for await (const o of store.list(`${out}/scenes/`)) objects.set(o.uri.slice(out.length + 1), o.sizeBytes);
    return { atMs: Date.now(), objects };
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        snapshots.push(await snapshot());
      } catch {
        failures++;
      }
      await sleep(LIST_INTERVAL_MS);
    }
  })();
  return {
    snapshots,
    failures: () => failures,
    /** Ends the polling, then lists once more: a listing started just before the run ended may miss its last object. */
    stop: async () => {
      stopped = true;
      await loop;
      snapshots.push(await snapshot());
    },
  };
}

describe('object store outage mid-run', { timeout: 420_000 }, () => {
  let rig: SceneRig | undefined;
  before(async () => {
    rig = await startSceneRig('store-outage');
  });
  after(async () => {
    await rig?.close();
  });

  test('MinIO down for 20 s: the run completes with the outputs of a clean run; only complete objects are ever listed', async (t) => {
    const { stack, dir, prefix, input, env } = rig!;
    const expected = await cleanRunHashes(rig!);

    const out = `${prefix}/outage`;
    const run = await startRun(env, input, out);
    const watch = watchScenes(stack.store, out);
    let end;
    try {
      await waitForFirstTile(env, run.workflowId);
      await stack.stop('minio');
      const downAt = Date.now();
      await sleep(OUTAGE_MS);
      await stack.start();
      t.diagnostic(`MinIO was down for ${((Date.now() - downAt) / 1000).toFixed(1)} s`);
      end = await waitForEnd(env, run.workflowId, 300_000);
    } finally {
      await watch.stop();
    }
    assert.equal(end.status, 'COMPLETED', `${JSON.stringify(end)}\nworker log:\n${await logTail(join(dir, 'worker-a.log'))}`);
    assert.ok(watch.failures() > 0, 'listings failed while MinIO was down (the outage was real)');
    assert.equal((await cliStatus(env, run.workflowId))?.status, 'COMPLETED', 'tessera status --json agrees');
    assert.deepEqual(await outputHashes(stack, out), expected, 'COG, Parquet and preview sha256 equal those of the clean run');

    // Activities met the outage and were retried.
    const retried = (await fetchHistory(stack, run.workflowId)).filter((ev) => (ev.activityTaskStartedEventAttributes?.attempt ?? 1) >= 2);
    assert.ok(retried.length >= 1, 'at least one activity attempt failed during the outage and was retried');

    // Only final keys, ever.
    const firstSize = new Map<string, number>();
    for (const snap of watch.snapshots) {
      for (const [key, size] of snap.objects) {
        assert.match(key, FINAL_KEY, `listed under scenes/ at ${new Date(snap.atMs).toISOString()}`);
        if (!firstSize.has(key)) firstSize.set(key, size);
      }
    }
    // The manifest appears only with (or after) every other output of the scene.
    const finalKeys = [...watch.snapshots[watch.snapshots.length - 1].objects.keys()];
    const manifestKey = manifestUri(out).slice(out.length + 1);
    assert.ok(finalKeys.includes(manifestKey), 'the manifest is listed at the end');
    for (const p of COG_PRODUCTS) assert.ok(finalKeys.includes(`scenes/${SCENE_ID}/cog/${p}.tif`), `${p} COG listed at the end`);
    const firstWithManifest = watch.snapshots.find((s) => s.objects.has(manifestKey));
    assert.ok(firstWithManifest);
    for (const key of finalKeys) {
      assert.ok(firstWithManifest.objects.has(key), `${key} was listed no later than the manifest`);
    }

    // Every COG that was ever listed: complete when first seen (same size as at the end) and a valid COG.
    const final = new Map<string, number>();
    for await (const o of stack.store.list(`${out}/scenes/`)) final.set(o.uri.slice(out.length + 1), o.sizeBytes);
    const cogs = [...firstSize.keys()].filter((k) => k.endsWith('.tif'));
    assert.equal(cogs.length, COG_PRODUCTS.length, `COGs seen: ${cogs.join(', ')}`);
    for (const key of cogs) {
      assert.equal(firstSize.get(key), final.get(key), `${key}: size when first listed = final size`);
      const local = join(dir, key.replaceAll('/', '_'));
      await writeFile(local, await stack.store.get(`${out}/${key}`));
      const v = await validateCog(local);
      assert.ok(v.ok, `${key} is a valid COG:\n${v.output}`);
    }
  });
});
