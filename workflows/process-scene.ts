import { CancellationScope, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { progressQuery } from './messages';
import { assemblyActivities, metadataActivities, tileActivities } from './proxies';
import { runSceneDag, type DagHooks, type SceneActivities } from './scene-dag';
import { SA_BLOOM_FRACTION, SA_SCENE, SA_SENSOR, SA_STAGE, SA_TILES_DONE } from './search-attributes';
import type { ProcessSceneInput, ScenePlan, SceneProgress, SceneResult } from './types';

/**
 * Processes one scene into analysis-ready products. The workflow id is derived from the scene and its parameters
 * (`scene-<sceneId>-<paramsHash>`), so starting the same run twice attaches to it and outputs land on the same keys.
 */
export async function processScene(input: ProcessSceneInput): Promise<SceneResult> {
  let progress: SceneProgress = { sceneId: input.sceneId ?? null, stage: 'plan', tilesDone: 0, tilesTotal: 0, products: {} };
  setHandler(progressQuery, () => progress);

  // Each call carries a one-line summary, so the Web UI's timeline reads as the DAG (`tile 3,1 of lake`), not as
  // a row of anonymous processTile bars. Proxies resolve names on property access, so each one is picked.
  const acts: SceneActivities = {
    planScene: (i) => metadataActivities.planScene.executeWithOptions({ summary: `plan ${i.sceneId ?? i.input}` }, [i]),
    processTile: (t) => tileActivities.processTile.executeWithOptions({ summary: `tile ${t.col},${t.row} of ${t.plan.sceneId}: ${t.plan.products.join(', ')}` }, [t]),
    processTiles: (b) =>
      tileActivities.processTiles.executeWithOptions({ summary: `tiles ${b.tiles.map((t) => `${t.col},${t.row}`).join(' ')} of ${b.plan.sceneId}`.slice(0, 200) }, [b]),
    assembleCog: (a) => assemblyActivities.assembleCog.executeWithOptions({ summary: `COG ${a.plan.variants[a.product] ?? a.product} of ${a.plan.sceneId}` }, [a]),
    writeTileStats: (a) => assemblyActivities.writeTileStats.executeWithOptions({ summary: `tile statistics of ${a.plan.sceneId}` }, [a]),
    renderPreviews: (a) => assemblyActivities.renderPreviews.executeWithOptions({ summary: `previews of ${a.plan.sceneId}` }, [a]),
    vectorizeMasks: (a) =>
      assemblyActivities.vectorizeMasks.executeWithOptions({ summary: `polygons of ${a.plan.vectors?.sources.map((v) => v.name).join(', ')} in ${a.plan.sceneId}` }, [a]),
    warpCog: (a) =>
      assemblyActivities.warpCog.executeWithOptions({ summary: `COG ${a.plan.variants[a.product] ?? a.product} of ${a.plan.sceneId} in EPSG:${a.plan.reproject?.epsg}` }, [a]),
    publishScene: (a) => metadataActivities.publishScene.executeWithOptions({ summary: `STAC item, catalog rows and manifest of ${a.plan.sceneId}` }, [a]),
    cleanupWork: (a) => metadataActivities.cleanupWork.executeWithOptions({ summary: `delete intermediates of ${a.plan.sceneId}` }, [a]),
    processSceneInline: (a) =>
      tileActivities.processSceneInline.executeWithOptions({ summary: `all stages of ${a.plan.sceneId} in one activity: ${a.plan.products.join(', ')}`.slice(0, 200) }, [a]),
  };
  let lastStage = '';
  let lastTilesUpserted = -1;
  let plan: ScenePlan | undefined;
  const hooks: DagHooks = {
    // Tile batches came after runs that schedule one activity per tile: the marker keeps those runs replaying
    // per tile (test/replay), new runs record it and batch.
    mayBatchTiles: () => patched('tile-batches'),
    onProgress(next) {
      progress = next;
      // Search-attribute upserts are history events: write stage changes always, tile counts only every ~5%.
      const step = Math.max(1, Math.ceil(next.tilesTotal / 20));
      const tilesDue = next.tilesDone === next.tilesTotal || next.tilesDone - lastTilesUpserted >= step;
      if (next.stage !== lastStage || (next.stage === 'tiles' && tilesDue && next.tilesDone !== lastTilesUpserted)) {
        lastStage = next.stage;
        lastTilesUpserted = next.tilesDone;
        upsertSearchAttributes([
          { key: SA_STAGE, value: next.stage },
          { key: SA_TILES_DONE, value: next.tilesDone },
        ]);
      }
    },
    onPlan(planned) {
      plan = planned;
      upsertSearchAttributes([
        { key: SA_SCENE, value: planned.sceneId },
        { key: SA_SENSOR, value: planned.sensorName },
      ]);
    },
    onSummary(summary) {
      if (summary.bloomFraction !== null) upsertSearchAttributes([{ key: SA_BLOOM_FRACTION, value: summary.bloomFraction }]);
    },
  };

  try {
    return await runSceneDag(acts, input, hooks);
  } catch (err) {
    // A cancelled or failed run leaves no intermediates behind. Cleanup runs in a non-cancellable scope, so a
    // cancellation request does not cancel the cleanup too; if cleanup fails, the original error still wins.
    const planned = plan;
    if (planned) {
      try {
        await CancellationScope.nonCancellable(() => metadataActivities.cleanupWork({ plan: planned }));
      } catch {
        // The intermediates stay under the run's _work prefix; a rerun overwrites them.
      }
    }
    throw err;
  }
}
