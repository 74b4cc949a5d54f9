/**
 * Records the workflow histories that test/replay/replay.test.ts replays: real `processScene` and `backfill` runs,
 * with the real activities over a temporary file store and an inline thread pool, on tiny generated scenes, against
 * a local dev server (test/workflows/env.ts). Each history is written to `test/replay/histories/<name>.json`.
 *
 *   npm run build && npm run record-histories [-- --out DIR]
 *
 * Re-record only for a deliberate, versioned change of workflow code (see the comment at the top of replay.test.ts),
 * and from a build of committed code (a clean checkout of the commit), never from a tree with workflow edits in
 * progress: the fixtures stand for what running workers execute.
 *
 * Fixtures:
 *   process-scene-inline      a one-tile scene: planScene, then processSceneInline
 *   process-scene-tiles       a 600 x 600 px scene (2 x 2 tiles): tiles, COGs, tables and previews, publish, cleanup
 *   process-scene-batched     a 2048 x 2048 px scene (4 x 4 tiles): the 'tile-batches' marker, then processTiles of 2
 *   process-scene-skipped     the same scene again: every partition unchanged, plan and publish only
 *   process-scene-cancelled   a tiled scene cancelled after its first tile: cleanup in a non-cancellable scope
 *   backfill-run-1, -2        a glob of four scenes, two per run (continue-as-new), one of them corrupt
 *   backfill-scene-failed     the corrupt scene's own run: planScene fails non-retryably
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities, InputCache } from '../../activities';
import { loadConfig } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import { generateScene } from '../../raster/synthetic/scene';
import { codeVersion } from '../../workers/code-version';
import { ThreadPool } from '../../workers/pool';
import type { backfill } from '../../workflows/backfill';
import type { processScene } from '../../workflows/process-scene';
import { deriveSceneId, paramsHash, sceneWorkflowId } from '../../workflows/run-ids';
import type { ProcessSceneInput, ProductName } from '../../workflows/types';
import { createTestEnv, repoRoot, uniqueTaskQueue, waitFor } from '../workflows/env';
import { historyToJson, type HistoryFixture } from './history-json';

const PRODUCTS: ProductName[] = ['ndwi', 'water', 'ndci', 'rgb'];

function parseArgs(argv: string[]): { out: string } {
  let out = join(repoRoot(), 'test', 'replay', 'histories');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out = argv[++i];
    else throw new Error('usage: node dist/test/replay/record-histories.js [--out DIR]');
  }
  return { out };
}

function sceneInput(tif: string, out: string): ProcessSceneInput & { workflowId: string } {
  const input: ProcessSceneInput = { input: pathToFileURL(tif).href, out: pathToFileURL(out).href, products: [...PRODUCTS] };
  input.paramsHash = paramsHash(input);
  return { ...input, workflowId: sceneWorkflowId(deriveSceneId(input.input), input.paramsHash) };
}

async function main(): Promise<void> {
  const { out } = parseArgs(process.argv.slice(2));
  const dir = await mkdtemp(join(tmpdir(), 'tessera-record-'));
  const env = await createTestEnv();
  const logger = pino({ level: 'silent' });
  const store = createStoreRouter(loadConfig({}, {}, { cwd: dir, isTTY: false }));
  const inputs = new InputCache(store);
  const pool = new ThreadPool(0);
  const saved: { name: string; bytes: number }[] = [];
  try {
    await mkdir(out, { recursive: true });
    const small = await generateScene({ outPath: join(dir, 'in', 'LAKE-SMALL.tif'), sizePx: 64, bands: 23, seed: 1 });
    const tiled = await generateScene({ outPath: join(dir, 'in', 'LAKE-TILED.tif'), sizePx: 600, bands: 23, seed: 2 });
    const big = await generateScene({ outPath: join(dir, 'in', 'LAKE-BATCHED.tif'), sizePx: 2048, bands: 23, seed: 3 });
    const catalog = join(dir, 'catalog');
    for (const [i, id] of ['LAKE-A', 'LAKE-B', 'LAKE-D'].entries()) {
      await generateScene({ outPath: join(catalog, `${id}.tif`), sizePx: 48, bands: 23, seed: 10 + i });
    }
    // A transfer cut short: the first kilobyte of a scene, its IFD incomplete.
    const whole = await readFile(join(catalog, 'LAKE-A.tif'));
    await writeFile(join(catalog, 'LAKE-C-CORRUPT.tif'), new Uint8Array(whole.subarray(0, 1024)));

    const taskQueue = uniqueTaskQueue('record');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities: createActivities({ store, pool, logger, codeVersion: codeVersion() }, inputs),
      maxHeartbeatThrottleInterval: '2s',
    });

    const save = async (name: string, handle: WorkflowHandle, runId?: string) => {
      const h = runId ? env.client.workflow.getHandle(handle.workflowId, runId, { followRuns: false }) : handle;
      const described = await h.describe();
      const history = await h.fetchHistory();
      const fixture: HistoryFixture = {
        workflowId: described.workflowId,
        runId: described.runId,
        workflowType: described.type,
        history: JSON.parse(historyToJson(history)),
      };
      const text = `${JSON.stringify(fixture)}\n`;
      await writeFile(join(out, `${name}.json`), text);
      saved.push({ name, bytes: Buffer.byteLength(text) });
    };

    await worker.runUntil(async () => {
      const startScene = (input: ProcessSceneInput & { workflowId: string }) => {
        const { workflowId, ...args } = input;
        return env.client.workflow.start<typeof processScene>('processScene', { taskQueue, workflowId, args: [args] });
      };

      const inline = await startScene(sceneInput(small.cogPath, join(dir, 'out')));
      await inline.result();
      await save('process-scene-inline', inline);

      const tiles = await startScene(sceneInput(tiled.cogPath, join(dir, 'out')));
      await tiles.result();
      await save('process-scene-tiles', tiles);

      const batched = await startScene(sceneInput(big.cogPath, join(dir, 'out')));
      await batched.result();
      await save('process-scene-batched', batched);

      // The same workflow id again (allowed once the first run closed): every partition is in the manifest now.
      const skipped = await startScene(sceneInput(tiled.cogPath, join(dir, 'out')));
      const again = await skipped.result();
      if (!again.partitions.every((p) => p.action === 'skipped')) throw new Error('the re-run computed partitions; expected all skipped');
      await save('process-scene-skipped', skipped);

      const cancelled = await startScene(sceneInput(tiled.cogPath, join(dir, 'out-cancelled')));
      await waitFor(
        'the first finished tile activity',
        async () => {
          const events = (await cancelled.fetchHistory()).events ?? [];
          const types = new Map(events.map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name]));
          const tileDone = events.some((e) => /^processTiles?$/.test(types.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)) ?? ''));
          return tileDone || undefined;
        },
        120_000,
        100,
      );
      await cancelled.cancel();
      await cancelled.result().then(
        () => {
          throw new Error('the cancelled scene completed');
        },
        () => undefined,
      );
      await save('process-scene-cancelled', cancelled);

      const backfillId = 'backfill-replay-fixture';
      const bf = await env.client.workflow.start<typeof backfill>('backfill', {
        taskQueue,
        workflowId: backfillId,
        args: [
          {
            source: `${pathToFileURL(catalog).href}/*.tif`,
            filters: {},
            out: pathToFileURL(join(dir, 'out-backfill')).href,
            products: [...PRODUCTS],
            maxParallel: 2,
            scenesPerRun: 2,
          },
        ],
      });
      const record = await bf.result();
      if (record.runs !== 2 || record.counts.failed !== 1 || record.counts.done !== 3) {
        throw new Error(`unexpected backfill result: ${JSON.stringify({ runs: record.runs, counts: record.counts })}`);
      }
      const runs = [];
      for await (const info of env.client.workflow.list({ query: `WorkflowId="${backfillId}"` })) runs.push(info);
      runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
      if (runs.length !== 2) throw new Error(`expected 2 backfill runs, visibility lists ${runs.length}`);
      for (const [i, info] of runs.entries()) await save(`backfill-run-${i + 1}`, bf, info.runId);
      await save('backfill-scene-failed', env.client.workflow.getHandle(`${backfillId}/LAKE-C-CORRUPT`));
    });
  } finally {
    await inputs.close();
    await pool.close();
    await env.teardown();
    await rm(dir, { recursive: true, force: true });
  }
  for (const s of saved) console.log(`${s.name}.json\t${(s.bytes / 1024).toFixed(1)} KiB`);
  console.log(`${saved.length} histories in ${out}, ${(saved.reduce((n, s) => n + s.bytes, 0) / 1024).toFixed(1)} KiB in total`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
