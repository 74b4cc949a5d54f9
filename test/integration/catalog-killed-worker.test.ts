/**
 * A worker killed (SIGKILL) in the middle of a backfill of 12 scenes of 1024 px (2 × 2 tiles of 512 px each), while it runs a
 * tile. The backfill completes on the other worker; counted from the scene runs' histories, every tile of every
 * scene is scheduled once and only the activities that were in flight on the killed worker ran again (attempt > 1);
 * and the outputs are byte-for-byte those of an undisturbed run to the same output root (manifests equal but for
 * their createdAt, every object's sha256 as the manifest records it).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { generateScene } from '../../raster/synthetic/scene';
import type { BackfillRecord } from '../../workflows/backfill';
import {
  backfillCli,
  parseJsonOutput,
  readBackfillExecution,
  sceneIdOf,
  sleep,
  startCatalogRig,
  isTileActivity,
  tilesComputed,
  withClient,
  workerLogTail,
  type CatalogRig,
} from '../support/catalog-run';

const SCENES = Array.from({ length: 12 }, (_, i) => `KW${String(i).padStart(2, '0')}`);
const TILES_PER_SCENE = 4;
const PRODUCTS = 'ndwi,water,ndci';

/** A pending activity of a running scene run, as describe() shows it. */
interface InFlight {
  workflowId: string;
  runId: string;
  activityId: string;
  type: string;
  identity: string;
}

/** Activities STARTED on a worker whose identity begins with `<pid>@`, across the backfill's children in flight. */
async function inFlightOn(client: Client, backfillId: string, pid: number): Promise<InFlight[]> {
  const found: InFlight[] = [];
  const children = (await client.workflow.getHandle(backfillId).describe()).raw.pendingChildren ?? [];
  await Promise.all(
    children.map(async (c) => {
      let d;
      try {
        d = await client.workflow.getHandle(c.workflowId ?? '', c.runId ?? undefined).describe();
      } catch {
        return;
      }
      for (const a of d.raw.pendingActivities ?? []) {
        const identity = a.lastWorkerIdentity ?? '';
        if (Number(a.state) === 2 /* STARTED */ && identity.startsWith(`${pid}@`)) {
          found.push({ workflowId: d.workflowId, runId: d.runId, activityId: a.activityId ?? '', type: a.activityType?.name ?? '', identity });
        }
      }
    }),
  );
  return found;
}

/** The scene manifests under `out`, each without its createdAt. */
async function manifestsOf(rig: CatalogRig, out: string): Promise<Record<string, Record<string, unknown>>> {
  const all: Record<string, Record<string, unknown>> = {};
  for (const id of SCENES) {
    const m = JSON.parse(new TextDecoder().decode(await rig.store.get(`${out}/scenes/${id}/manifest.json`))) as Record<string, unknown>;
    assert.equal(typeof m.createdAt, 'string', `${id}: manifest has createdAt`);
    delete m.createdAt;
    all[id] = m;
  }
  return all;
}

describe('a worker killed mid-backfill', { timeout: 900_000 }, () => {
  let rig: CatalogRig;
  let source: string;

  before(async () => {
    rig = await startCatalogRig('cat-kill');
    const dir = join(rig.dir, 'scenes');
    await mkdir(dir, { recursive: true });
    // Three different scenes, each copied to four names: distinct ids and content keys, a third of the generation
    // time. Each copy gets a STAC item with its own acquisition time, linked from a static catalog: a scene without
    // one is stamped with the processing time (item, catalog row), which would differ from run to run by design.
    const generated = [];
    for (let s = 0; s < 3; s++) generated.push(await generateScene({ outPath: join(rig.dir, 'templates', `T${s}.tif`), sizePx: 1024, bands: 31, seed: 70 + s }));
    for (const [i, id] of SCENES.entries()) {
      const template = generated[i % 3];
      await copyFile(template.cogPath, join(dir, `${id}.tif`));
      const item = JSON.parse(await readFile(template.stacPath, 'utf8')) as { id: string; properties: Record<string, unknown>; assets: { cog: { href: string } } };
      item.id = id;
      item.properties.datetime = `2024-07-${String(i + 1).padStart(2, '0')}T16:20:00Z`;
      item.assets.cog.href = `./${id}.tif`;
      await writeFile(join(dir, `${id}.json`), JSON.stringify(item));
    }
    await writeFile(
      join(dir, 'catalog.json'),
      JSON.stringify({
        type: 'Catalog',
        stac_version: '1.0.0',
        id: 'killed-worker',
        description: 'scenes of the killed-worker test',
        links: SCENES.map((id) => ({ rel: 'item', href: `./${id}.json`, type: 'application/geo+json' })),
      }),
    );
    source = pathToFileURL(join(dir, 'catalog.json')).href;
  });
  after(async () => {
    await rig?.close();
  });

  let out = '';
  /** The clean run's manifests (without createdAt); set by the first test. */
  let expected: Record<string, Record<string, unknown>> | undefined;
  let completed = false;

  test('completes after the kill; per scene no tile ran twice except the ones in flight on the killed worker', async (t) => {
    out = `${rig.prefix}/out`;
    const args = [source, '--products', PRODUCTS, '--out', out, '--max-parallel', '6'];

    // The undisturbed run, then its outputs are removed so the faulted run computes everything again on the same keys.
    const cleanStarted = Date.now();
    const clean = await backfillCli(rig, [...args, '--id', `${rig.name}-clean`, '--wait', '--json'], 600_000);
    assert.equal(clean.code, 0, `${clean.stderr}\n${await workerLogTail(rig)}`);
    assert.equal(parseJsonOutput<BackfillRecord>(clean, 'clean backfill').counts.done, SCENES.length);
    t.diagnostic(`clean run ${((Date.now() - cleanStarted) / 1000).toFixed(1)} s`);
    expected = await manifestsOf(rig, out);
    await rig.store.deletePrefix(`${out}/`);

    const id = `${rig.name}-killed`;
    const started = await backfillCli(rig, [...args, '--id', id, '--json'], 60_000);
    assert.equal(started.code, 0, started.stderr);
    const [victim, survivor] = rig.workers;

    const { inFlight, killedAt } = await withClient(rig.stack, async (client) => {
      const handle = client.workflow.getHandle(id);
      // Mid-backfill: some scenes finished, and the victim is running a tile right now.
      const deadline = Date.now() + 300_000;
      let before: InFlight[] = [];
      for (;;) {
        assert.ok(Date.now() < deadline, 'the victim never held a running tile after the first scenes finished');
        const p = await handle.query<{ done: number; total: number }>('backfillProgress').catch(() => undefined);
        if (p && p.done >= 2) {
          assert.ok(p.done < SCENES.length - 2, `scenes left to do when the victim is killed: ${JSON.stringify(p)}`);
          before = await inFlightOn(client, id, victim.pid!);
          if (before.some(isTileActivity)) break;
        }
        await sleep(100);
      }
      victim.kill('SIGKILL');
      const killedAt = Date.now();
      // Until its heartbeat times out, the server still shows what the dead worker held.
      const after = await inFlightOn(client, id, victim.pid!);
      const byKey = new Map([...before, ...after].map((a) => [`${a.workflowId}|${a.runId}|${a.activityId}`, a]));
      return { inFlight: byKey, killedAt };
    });
    t.diagnostic(`killed worker ${victim.pid} holding: ${[...inFlight.values()].map((a) => `${sceneIdOf(a)} ${a.type} #${a.activityId}`).join(', ')}`);

    const result = await withClient(rig.stack, (c) => c.workflow.getHandle(id).result() as Promise<BackfillRecord>);
    t.diagnostic(`completed ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
    assert.deepEqual(result.counts, { listed: SCENES.length, done: SCENES.length, skipped: 0, failed: 0, running: 0 }, JSON.stringify(result.failures));
    assert.equal(survivor.exitCode, null, 'the surviving worker is still running');

    const exec = await withClient(rig.stack, (c) => readBackfillExecution(c, id));
    assert.deepEqual(exec.children.map(sceneIdOf).sort(), SCENES, 'one scene run per scene, none started twice');
    const survivorId = `${survivor.pid}@`;
    let retried = 0;
    for (const s of exec.scenes) {
      assert.equal(s.child.status, 'completed', s.child.workflowId);
      const keys = tilesComputed(s.activities);
      assert.equal(new Set(keys).size, keys.length, `${s.child.workflowId}: a tile scheduled twice: ${keys.join(' ')}`);
      assert.equal(keys.length, TILES_PER_SCENE, `${s.child.workflowId}: ${keys.join(' ')}`);
      for (const a of s.activities) {
        assert.equal(a.outcome, 'completed', `${s.child.workflowId} ${a.type} #${a.activityId}: ${a.outcome}`);
        const key = `${s.child.workflowId}|${s.child.runId}|${a.activityId}`;
        if (a.attempt > 1) {
          retried++;
          assert.ok(inFlight.has(key), `${s.child.workflowId} ${a.type} #${a.activityId} (${a.summary}) ran ${a.attempt} times but was not in flight on the killed worker`);
          assert.ok(a.identity?.startsWith(survivorId), `the retry of ${a.summary} ran on the survivor, not ${a.identity}`);
        } else if (inFlight.has(key)) {
          // The victim held it when killed and the server shows one attempt: the victim reported it in its last moments.
          assert.ok(a.identity?.startsWith(`${victim.pid}@`), `${a.summary}: a first attempt held by the victim completed on ${a.identity}`);
          t.diagnostic(`${a.summary}: reported by the victim before it died; nothing to retry`);
        }
      }
    }
    t.diagnostic(`${retried} activities retried after the kill`);

    completed = true;
  });

  /** Manifest entries of the killed run and of the clean run, and whether each object hashes to its entry. */
  async function compareOutputs(which: (o: { uri: string; role: string }) => boolean): Promise<void> {
    assert.ok(completed && expected, 'the killed run completed (previous test)');
    const clean = expected;
    const got = await manifestsOf(rig, out);
    for (const id of SCENES) {
      type Entry = { uri: string; sha256: string; sizeBytes: number; role: string };
      const want = (clean[id].outputs as Entry[]).filter(which);
      const have = (got[id].outputs as Entry[]).filter(which);
      assert.ok(want.length > 0, `${id}: outputs to compare`);
      assert.deepEqual(have, want, `${id}: size and sha256 of every output as in the clean run`);
      for (const o of have) {
        const bytes = await rig.store.get(o.uri);
        assert.equal(bytes.byteLength, o.sizeBytes, o.uri);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), o.sha256, `${o.uri}: the object's sha256 is the manifest's`);
      }
    }
  }

  test('COGs, tile tables, previews and STAC items are byte-identical to the clean run; manifests equal but for createdAt', async () => {
    await compareOutputs((o) => !(o.role === 'table' && o.uri.includes('/tables/catalog/')));
    const got = await manifestsOf(rig, out);
    for (const id of SCENES) {
      const { outputs: a, ...restGot } = got[id];
      const { outputs: b, ...restWant } = expected![id];
      void a;
      void b;
      assert.deepEqual(restGot, restWant, `${id}: manifest fields other than outputs and createdAt`);
    }
  });

  test('catalog-table parts are byte-identical to the clean run', async () => {
    await compareOutputs((o) => o.role === 'table' && o.uri.includes('/tables/catalog/'));
  });
});
