/**
 * Products by name, by formula, as masks and calibrations, through Temporal: a `tessera worker` process and the
 * CLI against the dev stack (Temporal dev server + MinIO). A handful of indices, each against numpy evaluating its
 * definition; COGs valid for GDAL; the Parquet tables and the STAC item list every product; every activity payload
 * small although the plan carries the run's definitions; a backfill carries a custom product to its scene runs; a
 * product the scene's bands cannot give is refused (exit 2) before anything starts.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../platform/config';
import type { ObjectStore } from '../../platform/storage/object-store';
import { createStoreRouter } from '../../platform/storage/open-store';
import { generateScene } from '../../raster/synthetic/scene';
import { startWorker, stopProcess, tessera } from '../support/cli';
import { ensureDevStack, stackEnv, type DevStack } from '../support/dev-stack';
import { habReference, validateCog } from '../support/gdal-oracle';
import { assertMatches, numpyOracle } from '../products/support';

const PAYLOAD_LIMIT_BYTES = 64 * 1024;

describe('products through Temporal + MinIO', { timeout: 300_000 }, () => {
  let stack: DevStack;
  let env: NodeJS.ProcessEnv;
  let store: ObjectStore;
  let dir: string;
  let prefix: string;
  let scenePath: string;
  const workers: ChildProcess[] = [];

  before(async () => {
    stack = await ensureDevStack();
    const id = `it-products-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    env = stackEnv(stack, id, { threads: 2 });
    store = createStoreRouter(loadConfig(env));
    dir = await mkdtemp(join(tmpdir(), 'tessera-it-products-'));
    prefix = `s3://${stack.bucket}/${id}`;
    // 700 x 700: four tiles (one batch), edges, overviews.
    const scene = await generateScene({ outPath: join(dir, 'WYV-P.tif'), sizePx: 700, bands: 31, seed: 17 });
    scenePath = scene.cogPath;
    await store.put(`${prefix}/input/WYV-P.tif`, new Uint8Array(await readFile(scenePath)));
    workers.push(startWorker(env));
  });

  after(async () => {
    await Promise.all(workers.map((w) => stopProcess(w)));
    if (store && prefix) await store.deletePrefix(`${prefix}/`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Copies every object under `out` to `<dir>/<name>`; returns the URI → local path mapping. */
  async function download(out: string, name: string): Promise<(uri: string) => string> {
    const local = join(dir, name);
    const toLocal = (uri: string) => join(local, uri.slice(out.length + 1));
    for await (const obj of store.list(`${out}/`)) {
      await mkdir(dirname(toLocal(obj.uri)), { recursive: true });
      await writeFile(toLocal(obj.uri), await store.get(obj.uri));
    }
    return toLocal;
  }

  test('named, formula, mask and calibrated products: numpy’s values, valid COGs, every product listed', async () => {
    const t0 = Date.now();
    const out = `${prefix}/out`;
    const r = await tessera(
      ['run', `${prefix}/input/WYV-P.tif`, '--out', out, '--products', 'ndci,NDTI,MCI,savi', '--const', 'L=0.25', '--index', 'bloom=NDCI > 0.3', '--where', 'water', '--calibrate', 'chla=ndci:mishra2012', '--wait', '--json'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    const cogs = result.outputs.cogs as Record<string, string>;
    const savi = Object.keys(cogs).find((c) => c.startsWith('SAVI@'))!;
    assert.deepEqual(Object.keys(cogs).sort(), ['MCI', 'NDTI', savi, 'bloom', 'chla', 'ndci'].sort());
    console.log(`# run through Temporal: ${Date.now() - t0} ms`);

    const toLocal = await download(out, 'out');
    const cog = (p: string) => toLocal(cogs[p]);
    const report = numpyOracle(scenePath, [
      { name: 'ndci', cog: cog('ndci'), given: true, formula: '' },
      { name: 'NDTI', formula: '(R-G)/(R+G)', cog: cog('NDTI') },
      { name: savi, formula: '(1.0 + L) * (N - R) / (N + R + L)', constants: { L: 0.25 }, cog: cog(savi) },
      { name: 'MCI', formula: 'R709 - (R681 + (R753 - R681) * (W709 - W681) / (W753 - W681))', cog: cog('MCI') },
      { name: 'chla', formula: 'ndci', refs: { ndci: 'ndci' }, calibration: [14.039, 86.115, 194.325], cog: cog('chla') },
    ], { rel: 1e-5, abs: 1e-7 });
    for (const x of report) assertMatches(x);
    for (const [p, uri] of Object.entries(cogs)) {
      const v = await validateCog(toLocal(uri));
      assert.ok(v.ok, `${p} COG is valid:\n${v.output}`);
    }

    // The mask counts the bloom the summary reports, which is numpy's.
    const manifest = JSON.parse(await readFile(toLocal(result.outputs.manifest), 'utf8'));
    const b = manifest.parameters.bands;
    const ref = await habReference(scenePath, { g: b.g.index, n: b.n.index, re: b.re.index, r: b.r.index }, dir);
    assert.equal(result.summary.validPixels, ref.summary.valid);
    assert.equal(result.summary.waterPixels, ref.summary.water);
    assert.equal(result.summary.bloomPixels, ref.summary.bloom);
    assert.equal(manifest.partitions.bloom.summary.validPixels, ref.summary.valid);

    const item = JSON.parse(await readFile(toLocal(result.outputs.stac), 'utf8'));
    assert.deepEqual(Object.keys(item.properties['tessera:products']).sort(), Object.keys(cogs).sort());
    for (const p of Object.keys(cogs)) assert.equal(item.assets[p].href, cogs[p], `STAC asset ${p}`);
    assert.equal(item.properties['tessera:products'].chla.unit, 'mg m-3');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const root = join(dir, 'out', 'tables');
    for (const table of ['tile_stats', 'catalog']) {
      const rows = (await con.runAndReadAll(`SELECT DISTINCT product FROM read_parquet('${root}/${table}/**/*.parquet', hive_partitioning = true)`)).getRowObjects() as Array<{ product: string }>;
      assert.deepEqual(rows.map((x) => x.product).sort(), Object.keys(cogs).sort(), `${table} table`);
    }
    con.closeSync?.();

    // The plan carries six definitions to every tile activity; every payload stays far below the limit.
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const client = new Client({ connection, namespace: stack.namespace });
      const history = await client.workflow.getHandle(result.workflowId).fetchHistory();
      let largest = 0;
      for (const ev of history.events ?? []) {
        const payloads = [...(ev.activityTaskScheduledEventAttributes?.input?.payloads ?? []), ...(ev.activityTaskCompletedEventAttributes?.result?.payloads ?? [])];
        largest = Math.max(largest, payloads.reduce((n, p) => n + (p.data?.byteLength ?? 0), 0));
      }
      console.log(`# largest activity payload: ${largest} bytes`);
      assert.ok(largest > 0 && largest < PAYLOAD_LIMIT_BYTES, `largest activity payload ${largest} B < 64 KB`);
    } finally {
      await connection.close();
    }
  });

  test('a backfill carries a custom product to its scene runs', async () => {
    const out = `${prefix}/backfill-out`;
    const r = await tessera(['backfill', `${prefix}/input/*.tif`, '--out', out, '--products', 'ndci', '--index', 'bloom=NDCI > 0.3', '--where', 'water', '--wait', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout);
    assert.equal(record.counts.done, 1, JSON.stringify(record));
    const manifest = JSON.parse(new TextDecoder().decode(await store.get(`${out}/scenes/WYV-P/manifest.json`)));
    assert.deepEqual(Object.keys(manifest.partitions).sort(), ['bloom', 'ndci']);
    assert.equal(manifest.parameters.definitions.bloom.kernel.formula, 'NDCI > 0.3');
    // The same mask as the single run's.
    const a = manifest.outputs.find((o: { uri: string }) => o.uri.endsWith('/cog/bloom.tif'));
    const single = JSON.parse(new TextDecoder().decode(await store.get(`${prefix}/out/scenes/WYV-P/manifest.json`)));
    assert.equal(a.sha256, single.outputs.find((o: { uri: string }) => o.uri.endsWith('/cog/bloom.tif')).sha256);
  });

  test('a product the scene’s bands cannot give is refused before anything starts', async () => {
    const r = await tessera(['run', `${prefix}/input/WYV-P.tif`, '--out', `${prefix}/never`, '--products', 'ndci,NDMI'], env);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trimEnd(), 'tessera run: NDMI: needs S1 (1550–1750 nm); nearest is band 31 (Band_880) at 880 nm (sensor WYV-P.tif)');
    for await (const obj of store.list(`${prefix}/never/`)) assert.fail(`wrote ${obj.uri}`);
  });
});
