import type { AlertActivities } from '../workflows/alerts-types';
import type { BackfillActivities } from '../workflows/backfill';
import type { SceneActivities } from '../workflows/scene-dag';
import type { SensorActivities } from '../workflows/sensor-types';
import { createLoadAlertState, createSaveAlertState } from './alert-state';
import { createAssembleCog } from './assemble-cog';
import { createCleanupWork } from './cleanup-work';
import { createDeliverAlert } from './deliver-alert';
import type { ActivityDeps } from './deps';
import { createEvaluateAlerts } from './evaluate-alerts';
import { withFailureMapping } from './failures';
import { InputCache } from './input-cache';
import { createListSource } from './list-source';
import { createPlanScene } from './plan-scene';
import { createPollSource } from './poll-source';
import { createProcessSceneInline } from './process-scene-inline';
import { createPublishCollection } from './publish-collection';
import { createProcessTile } from './process-tile';
import { createProcessTiles } from './process-tiles';
import { createPublishScene } from './publish-scene';
import { createReadListingPage } from './read-listing-page';
import { createRenderPreviews } from './render-previews';
import { createVectorizeMasks } from './vectorize-masks';
import { createWarpCog } from './warp-cog';
import { createWriteBackfillResult } from './write-backfill-result';
import { createWriteTileStats } from './write-tile-stats';

export type { ActivityDeps, TaskRunner } from './deps';
export { InputCache } from './input-cache';

/** Builds every activity of the scene, backfill, sensor and alert workflows over one set of dependencies (see workers/main.ts). */
export function createActivities(
  deps: ActivityDeps,
  inputs: InputCache = new InputCache(deps.store),
): SceneActivities & BackfillActivities & SensorActivities & AlertActivities {
  const processTile = createProcessTile(deps, inputs);
  const scene: SceneActivities = {
    planScene: createPlanScene(deps, inputs),
    processTile,
    processTiles: createProcessTiles(deps, processTile),
    assembleCog: createAssembleCog(deps),
    writeTileStats: createWriteTileStats(deps),
    renderPreviews: createRenderPreviews(deps),
    vectorizeMasks: createVectorizeMasks(deps),
    warpCog: createWarpCog(deps),
    publishScene: createPublishScene(deps),
    cleanupWork: createCleanupWork(deps),
  };
  return withFailureMapping({
    ...scene,
    // The one-tile path calls the stage functions directly, unwrapped: the failure mapping applies once, at its edge.
    processSceneInline: createProcessSceneInline(deps, () => scene),
    listSource: createListSource(deps),
    readListingPage: createReadListingPage(deps),
    writeBackfillResult: createWriteBackfillResult(deps),
    publishCollection: createPublishCollection(deps),
    pollSource: createPollSource(deps),
    evaluateAlerts: createEvaluateAlerts(deps),
    deliverAlert: createDeliverAlert(deps),
    loadAlertState: createLoadAlertState(deps),
    saveAlertState: createSaveAlertState(deps),
  });
}
