/**
 * The bloom pipeline end to end on real parts: a Temporal dev server and MinIO started by infra/dev-stack.sh,
 * two `tessera worker` processes, the `tessera` CLI. Outputs are downloaded from MinIO and checked against GDAL,
 * numpy and DuckDB; the run's history is checked for small payloads and both workers' participation.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import type { ObjectStore } from '../../platform/storage/object-store';
import { generateScene } from '../../raster/synthetic/scene';
import { paramsHash, sceneWorkflowId } from '../../workflows/run-ids';
import { DEFAULT_PRODUCTS } from '../../workflows/types';
import { checkSceneOutputs } from '../support/check-outputs';
import { startWorker, stopProcess, tessera } from '../support/cli';
import { ensureDevStack, stackEnv, type DevStack } from '../support/dev-stack';

const run = promisify(execFile);
const PAYLOAD_LIMIT_BYTES = 64 * 1024;

describe('pipeline on Temporal + MinIO', () => {
  let stack: DevStack;
  let env: NodeJS.ProcessEnv;
  let store: ObjectStore;
  let dir: string;
  let prefix: string;
  let scenePath: string;
  let sceneWidth = 0;
  let sceneHeight = 0;
  const workers: ChildProcess[] = [];

  before(async () => {
    stack = await ensureDevStack();
    const id = `it-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    env = stackEnv(stack, id, { threads: 1 });
    store = createStoreRouter(loadConfig(env));
    dir = await mkdtemp(join(tmpdir(), 'tessera-it-'));
    prefix = `s3://${stack.bucket}/${id}`;
    const scene = await generateScene({ outPath: join(dir, 'WYV-IT.tif'), sizePx: 1100, bands: 31, seed: 11 });
    scenePath = scene.cogPath;
    sceneWidth = scene.width;
    sceneHeight = scene.height;
    await store.put(`${prefix}/input/WYV-IT.tif`, new Uint8Array(await readFile(scene.cogPath)));
    // Two worker processes with one thread each: Temporal spreads the tiles across them.
    workers.push(startWorker(env), startWorker(env));
  });

  after(async () => {
    await Promise.all(workers.map((w) => stopProcess(w)));
    if (store && prefix) await store.deletePrefix(`${prefix}/`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('runs a scene through two workers; outputs match GDAL/numpy/DuckDB; progress, search and payloads check out', async () => {
    const input = `${prefix}/input/WYV-IT.tif`;
    const out = `${prefix}/out`;
    const started = await tessera(['run', input, '--out', out, '--products', 'NDWI,water,ndci,rgb', '--json'], env);
    assert.equal(started.code, 0, started.stderr);
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };

    // `tessera status` reports per-stage progress while the run goes on.
    const stagesSeen = new Set<string>();
    let status: { status: string; progress: { stage: string; tilesDone: number; tilesTotal: number } | null } | undefined;
    for (let i = 0; i < 600; i++) {
      const s = await tessera(['status', workflowId, '--json'], env);
      status = JSON.parse(s.stdout);
      if (status?.progress) stagesSeen.add(status.progress.stage);
      if (status?.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status?.status, 'COMPLETED');
    assert.equal(status?.progress?.tilesDone, 9);
    assert.equal(status?.progress?.tilesTotal, 9);
    assert.ok(stagesSeen.size >= 2, `progress moved through stages: ${[...stagesSeen].join(',')}`);

    // The same run again attaches to the completed one: same workflow, result returned, nothing recomputed.
    const again = await tessera(['run', input, '--out', out, '--products', 'ndwi,water,ndci,rgb', '--wait', '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    const result = JSON.parse(again.stdout);
    assert.equal(result.workflowId, workflowId);
    assert.equal(result.status, 'completed');

    // Download every output and check it.
    const local = join(dir, 'out');
    const toLocal = (uri: string) => join(local, uri.slice(out.length + 1));
    for await (const obj of store.list(`${out}/`)) {
      await mkdir(dirname(toLocal(obj.uri)), { recursive: true });
      await writeFile(toLocal(obj.uri), await store.get(obj.uri));
    }
    await checkSceneOutputs({
      result: { ...result, ...result.outputs, outputs: [] },
      inputPath: scenePath,
      localPath: toLocal,
      tableRoot: join(local, 'tables', 'tile_stats'),
      tmpDir: dir,
      tiles: Math.ceil(sceneWidth / 512) * Math.ceil(sceneHeight / 512),
    });
    // Intermediates are gone once the run completed.
    for await (const obj of store.list(`${out}/_work/`)) assert.fail(`left behind: ${obj.uri}`);

    // Findable by search attribute, as in the Web UI.
    const listed = await run(stack.temporalBin, ['workflow', 'list', '--address', stack.temporalAddress, '--namespace', stack.namespace, '--query', `TesseraScene="${result.sceneId}"`, '-o', 'json']);
    assert.ok(listed.stdout.includes(workflowId), `temporal workflow list finds ${workflowId}`);

    // Every activity input and result stays small, and both workers took part.
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const client = new Client({ connection, namespace: stack.namespace });
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const identities = new Set<string>();
      let largest = 0;
      for (const ev of history.events ?? []) {
        const payloads = [
          ...(ev.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
          ...(ev.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
        ];
        const size = payloads.reduce((n, p) => n + (p.data?.byteLength ?? 0), 0);
        largest = Math.max(largest, size);
        if (ev.activityTaskStartedEventAttributes?.identity) identities.add(ev.activityTaskStartedEventAttributes.identity);
      }
      assert.ok(largest > 0 && largest < PAYLOAD_LIMIT_BYTES, `largest activity payload ${largest} B < 64 KB`);
      assert.ok(identities.size >= 2, `activities ran on ${identities.size} worker(s): ${[...identities].join(', ')}`);
    } finally {
      await connection.close();
    }
  });

  test('a truncated input fails fast with a non-retryable error naming the file', async () => {
    const bytes = await readFile(scenePath);
    const bad = `${prefix}/input/TRUNCATED.tif`;
    await store.put(bad, new Uint8Array(bytes.subarray(0, Math.floor(bytes.byteLength / 3))));
    const t0 = Date.now();
    const r = await tessera(['run', bad, '--out', `${prefix}/bad-out`, '--wait'], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /TRUNCATED\.tif/);
    assert.match(r.stderr, /past the end|truncated|ends before/i);
    assert.ok(Date.now() - t0 < 60_000, 'fails fast instead of retrying');
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line on stderr:\n${r.stderr}`);
    // Nothing was published for it.
    for await (const obj of store.list(`${prefix}/bad-out/scenes/`)) assert.fail(`published ${obj.uri}`);
  });

  test('a garbled tile fails the run with a non-retryable error, shown by tessera status', async () => {
    const bytes = new Uint8Array(await readFile(scenePath));
    // Overwrite a stretch in the last quarter of the file (full-resolution tile data) with noise.
    const at = Math.floor(bytes.byteLength * 0.8);
    for (let i = 0; i < 64 * 1024; i++) bytes[at + i] = (i * 2654435761) >>> 24;
    const bad = `${prefix}/input/GARBLED.tif`;
    await store.put(bad, bytes);
    const r = await tessera(['run', bad, '--out', `${prefix}/garbled-out`, '--wait'], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /GARBLED\.tif/);
    const id = sceneWorkflowId('GARBLED', paramsHash({ input: bad, out: `${prefix}/garbled-out`, products: [...DEFAULT_PRODUCTS] }));
    const s = JSON.parse((await tessera(['status', id, '--json'], env)).stdout) as { status: string; failure: string };
    assert.equal(s.status, 'FAILED');
    assert.match(s.failure, /GARBLED\.tif/);
    assert.match(s.failure, /decode|LZW|expected/i);
  });

  test('a batch with one corrupt scene: that scene fails with its reason, the others complete', async () => {
    const good = `${prefix}/input/WYV-IT.tif`;
    const bytes = await readFile(scenePath);
    const bad = `${prefix}/input/BATCH-BAD.tif`;
    await store.put(bad, new Uint8Array(bytes.subarray(0, Math.floor(bytes.byteLength / 2))));
    const r = await tessera(['run', good, bad, '--out', `${prefix}/batch-out`, '--products', 'ndwi,water', '--wait', '--json'], env);
    assert.equal(r.code, 1, 'non-zero exit when a scene failed');
    const { runs } = JSON.parse(r.stdout) as { runs: Array<{ sceneId: string; status: string; error?: string; outputs?: { manifest: string } }> };
    assert.deepEqual(runs.map((x) => [x.sceneId, x.status]), [['WYV-IT', 'completed'], ['BATCH-BAD', 'failed']]);
    assert.match(runs[1].error ?? '', /BATCH-BAD\.tif/);
    assert.ok(await store.head(runs[0].outputs!.manifest), 'the good scene was published');
    assert.match(r.stderr, /scene BATCH-BAD failed: .*BATCH-BAD\.tif/);
  });

  test('a missing bucket is reported before anything starts', async () => {
    const r = await tessera(['run', `${prefix}/input/WYV-IT.tif`, '--out', 's3://no-such-bucket-tessera/x'], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no-such-bucket-tessera/);
    assert.match(r.stderr, /does not exist/);
  });
});
