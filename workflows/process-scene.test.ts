/**
 * The real `processScene` workflow on a local Temporal dev server, with stub activities
 * (test/workflows/stub-scene-activities.ts): which stages a plan leads to, and how a failure surfaces and cleans up.
 * One server and one bundle of workflows/index.ts for the file, a worker on a fresh task queue per test.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createTestEnv, uniqueTaskQueue } from '../test/workflows/env';
import { createSceneStubs, FAILING_TILE_TYPE, failingTileMessage, type SceneStubLog, type SceneStubOptions } from '../test/workflows/stub-scene-activities';
import type { processScene } from './process-scene';
import { SA_SCENE, SA_STAGE, SA_TILES_DONE } from './search-attributes';
import type { ProcessSceneInput, SceneProgress, SceneResult } from './types';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

before(async () => {
  [env, bundle] = await Promise.all([createTestEnv(), bundleWorkflowCode({ workflowsPath: require.resolve('./index'), logger: new DefaultLogger('WARN') })]);
});

after(async () => {
  await env?.teardown();
});

interface SceneRun {
  workflowId: string;
  log: SceneStubLog;
  outcome: Promise<SceneResult>;
}

/** Runs processScene over stub activities planning `opts`; `check` runs while the worker still polls. */
async function runScene<T>(opts: SceneStubOptions, input: Partial<ProcessSceneInput>, check: (run: SceneRun) => Promise<T>): Promise<T> {
  const { activities, log } = createSceneStubs(opts);
  const taskQueue = uniqueTaskQueue('scene');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  const sceneId = `lake-${randomUUID().slice(0, 8)}`;
  const workflowId = `scene-${sceneId}`;
  const args: ProcessSceneInput = { input: `memory://in/${sceneId}.tif`, out: 'memory://out', products: ['ndwi', 'water', 'ndci', 'rgb'], sceneId, ...input };
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof processScene>('processScene', { taskQueue, workflowId, args: [args] });
    const outcome = handle.result();
    outcome.catch(() => undefined);
    return check({ workflowId, log, outcome });
  });
}

const names = (log: SceneStubLog) => log.calls.map((c) => c.name);

/** The most tile activities (processTile or processTiles) scheduled and not yet closed at any point of a history. */
function maxTileActivitiesInFlight(history: temporal.api.history.v1.IHistory): number {
  const tileEvents = new Set<string>();
  let open = 0;
  let max = 0;
  for (const e of history.events ?? []) {
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type === 'processTile' || type === 'processTiles') {
      tileEvents.add(String(e.eventId));
      max = Math.max(max, ++open);
    }
    const closed =
      e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    if (closed && tileEvents.has(String(closed.scheduledEventId))) open--;
  }
  return max;
}

describe('processScene workflow', { timeout: 60_000, concurrency: true }, () => {
  it('runs a one-tile plan in processSceneInline only', async () => {
    await runScene({ tilesAcross: 1, tilesDown: 1 }, {}, async ({ log, outcome, workflowId }) => {
      const result = await outcome;
      assert.deepEqual(names(log), ['planScene', 'processSceneInline']);
      // The inline activity's result is the workflow's.
      assert.deepEqual(result.cogs, { ndwi: `memory://out/scenes/${result.sceneId}/ndwi.tif` });
      const progress = await env.client.workflow.getHandle(workflowId).query<SceneProgress>('progress');
      assert.equal(progress.stage, 'done');
      assert.deepEqual([progress.tilesDone, progress.tilesTotal], [1, 1]);
    });
  });

  it('runs a multi-tile plan as tile activities covering each tile once, then the COGs, tables and previews, publish and cleanup', async (t) => {
    await runScene({ tilesAcross: 3, tilesDown: 2, tileMs: 60 }, { tileConcurrency: 2 }, async ({ log, outcome, workflowId }) => {
      const result = await outcome;
      const calls = names(log);
      assert.ok(!calls.includes('processSceneInline'));
      // One activity per tile (processTile), or batches of tiles (processTiles) where the DAG batches them: either
      // way every tile of the 3 x 2 grid is processed exactly once.
      const perTile = log.calls.filter((c) => c.name === 'processTile').length;
      const batches = log.calls.filter((c) => c.name === 'processTiles').length;
      t.diagnostic(`${perTile} processTile and ${batches} processTiles activities`);
      assert.ok(perTile === 6 || (perTile === 0 && batches > 0), `${perTile} processTile, ${batches} processTiles`);
      assert.deepEqual([...log.tiles].sort(), ['0,0', '0,1', '1,0', '1,1', '2,0', '2,1']);
      assert.ok(log.maxTilesInFlight <= 2, `${log.maxTilesInFlight} tiles at once with tileConcurrency 2`);
      // From the history: tile activities scheduled and not yet closed never exceed the concurrency, and one per
      // tile uses it.
      const inFlight = maxTileActivitiesInFlight(await env.client.workflow.getHandle(workflowId).fetchHistory());
      assert.ok(inFlight <= 2, `${inFlight} tile activities in flight`);
      if (perTile === 6) assert.equal(inFlight, 2, 'the concurrency is used');

      // Order: plan, every tile, the COGs of the raster products (rgb is a preview only), tables and previews, publish,
      // cleanup, each once.
      const isTile = (n: string) => n === 'processTile' || n === 'processTiles';
      const firstAfterTiles = calls.findIndex((n, i) => i > 0 && !isTile(n));
      assert.equal(calls[0], 'planScene');
      assert.ok(calls.slice(1, firstAfterTiles).every(isTile));
      const after = log.calls.slice(firstAfterTiles);
      assert.ok(!after.some((c) => isTile(c.name)), 'no tile after the first assembly');
      assert.deepEqual(after.slice(0, 3).map((c) => c.detail).sort(), ['ndci', 'ndwi', 'water']);
      assert.ok(after.slice(0, 3).every((c) => c.name === 'assembleCog'));
      assert.deepEqual(after.slice(3, 5).map((c) => c.name).sort(), ['renderPreviews', 'writeTileStats']);
      assert.deepEqual(after.slice(5).map((c) => c.name), ['publishScene', 'cleanupWork']);

      assert.deepEqual(Object.keys(result.cogs).sort(), ['ndci', 'ndwi', 'water']);
      assert.deepEqual(Object.keys(result.previews).sort(), ['ndci', 'rgb']);
      assert.equal(result.parquet.length, 1);
      assert.match(result.stac, /item\.json$/);
      const described = await env.client.workflow.getHandle(workflowId).describe();
      assert.equal(described.typedSearchAttributes.get(SA_STAGE), 'done');
      assert.equal(described.typedSearchAttributes.get(SA_TILES_DONE), 6);
      assert.equal(described.typedSearchAttributes.get(SA_SCENE), result.sceneId);
    });
  });

  it('runs a 4 x 4 plan as eight processTiles activities of two row-major tiles, each tile once', async () => {
    await runScene({ tilesAcross: 4, tilesDown: 4, tileMs: 5 }, {}, async ({ log, outcome, workflowId }) => {
      await outcome;
      const batches = log.calls.filter((c) => c.name === 'processTiles').map((c) => c.detail);
      assert.equal(log.calls.filter((c) => c.name === 'processTile').length, 0);
      assert.equal(batches.length, 8);
      assert.deepEqual([...batches].sort(), ['0,0 1,0', '0,1 1,1', '0,2 1,2', '0,3 1,3', '2,0 3,0', '2,1 3,1', '2,2 3,2', '2,3 3,3']);
      assert.equal(new Set(log.tiles).size, 16);
      assert.equal(log.tiles.length, 16);
      const handle = env.client.workflow.getHandle(workflowId);
      const progress = await handle.query<SceneProgress>('progress');
      assert.deepEqual([progress.tilesDone, progress.tilesTotal], [16, 16]);
      // The batch decision is recorded as a patch marker, so the run replays the same way.
      const history = await handle.fetchHistory();
      const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
      assert.equal(markers.length, 1);
    });
  });

  it('runs a 2 x 2 plan in one processSceneInline activity when the input allows four tiles inline (as a backfill does)', async () => {
    await runScene({ tilesAcross: 2, tilesDown: 2 }, { inlineMaxTiles: 4 }, async ({ log, outcome, workflowId }) => {
      await outcome;
      assert.deepEqual(names(log), ['planScene', 'processSceneInline']);
      const progress = await env.client.workflow.getHandle(workflowId).query<SceneProgress>('progress');
      assert.deepEqual([progress.stage, progress.tilesDone, progress.tilesTotal], ['done', 4, 4]);
    });
    // Without it, the same plan goes through the tile DAG, one activity per tile, and records no patch marker.
    await runScene({ tilesAcross: 2, tilesDown: 2 }, {}, async ({ log, outcome, workflowId }) => {
      await outcome;
      assert.equal(log.calls.filter((c) => c.name === 'processTile').length, 4);
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      assert.ok(!(history.events ?? []).some((e) => e.markerRecordedEventAttributes));
    });
  });

  it('with vectors and a reprojection asked: polygons and one copy per COG beside the tables, all published', async () => {
    const maps: Partial<ProcessSceneInput> = {
      vectors: { products: ['water', 'bloom'], connectivity: 8, minAreaM2: 0, formats: ['geoparquet'] },
      reproject: { epsg: 3857 },
    };
    await runScene({ tilesAcross: 2, tilesDown: 1 }, maps, async ({ log, outcome, workflowId }) => {
      const result = await outcome;
      const calls = names(log);
      const publish = calls.indexOf('publishScene');
      const lastCog = calls.lastIndexOf('assembleCog');
      // After every COG is assembled (they read the COGs), before publishing (which lists them).
      const vectorize = calls.indexOf('vectorizeMasks');
      assert.ok(vectorize > lastCog && vectorize < publish, calls.join(' '));
      const warps = log.calls.map((c, i) => [c.name, i] as const).filter(([n]) => n === 'warpCog');
      assert.equal(warps.length, 3, 'one copy per raster product: ndwi, water, ndci');
      assert.ok(warps.every(([, i]) => i > lastCog && i < publish));
      assert.equal(calls.filter((n) => n === 'vectorizeMasks').length, 1);
      const roles = result.outputs.map((o) => o.role);
      assert.equal(roles.filter((r) => r === 'vector').length, 2);
      assert.equal(roles.filter((r) => r === 'reprojected').length, 3);
      // The activity's summary says what it does, for the Web UI's timeline.
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      const summaries = (history.events ?? [])
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'warpCog')
        .map((e) => e.userMetadata?.summary?.data);
      assert.equal(summaries.length, 3);
    });
  });

  it('without map outputs asked, schedules neither vectorizeMasks nor warpCog', async () => {
    await runScene({ tilesAcross: 2, tilesDown: 1 }, {}, async ({ log, outcome }) => {
      await outcome;
      assert.ok(!names(log).includes('vectorizeMasks'));
      assert.ok(!names(log).includes('warpCog'));
    });
  });

  it('runs no tile activity and no cleanup when every partition is skipped', async () => {
    await runScene({ tilesAcross: 3, tilesDown: 2, allSkipped: true }, {}, async ({ log, outcome }) => {
      const result = await outcome;
      assert.deepEqual(names(log), ['planScene', 'publishScene']);
      assert.ok(result.partitions.length > 0 && result.partitions.every((p) => p.action === 'skipped'));
      // What the manifest recorded is what the run returns.
      assert.deepEqual(Object.keys(result.cogs).sort(), ['ndci', 'ndwi', 'water']);
    });
  });

  it('fails with WorkflowFailedError → ActivityFailure → ApplicationFailure on a non-retryable tile failure, cleaning up once', async () => {
    await runScene({ tilesAcross: 2, tilesDown: 2, failTile: { col: 1, row: 0 } }, { tileConcurrency: 1 }, async ({ log, outcome }) => {
      await assert.rejects(outcome, (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError, String(err));
        assert.ok(err.cause instanceof ActivityFailure, String(err.cause));
        assert.ok(['processTile', 'processTiles'].includes(err.cause.activityType), err.cause.activityType);
        assert.ok(err.cause.cause instanceof ApplicationFailure, String(err.cause.cause));
        assert.equal(err.cause.cause.type, FAILING_TILE_TYPE);
        assert.equal(err.cause.cause.nonRetryable, true);
        assert.equal(err.cause.cause.message, failingTileMessage(1, 0));
        return true;
      });
      const calls = names(log);
      assert.equal(calls.filter((c) => c === 'cleanupWork').length, 1);
      assert.equal(calls.at(-1), 'cleanupWork');
      // Not retried, and no tile started after it (tiles go in row order, one at a time).
      assert.deepEqual(log.tiles, ['0,0', '1,0']);
      assert.ok(!calls.some((c) => c === 'assembleCog' || c === 'publishScene' || c === 'processSceneInline'));
    });
  });
});
