import type { SceneActivities } from '../workflows/scene-dag';
import { createAssembleCog } from './assemble-cog';
import { createCleanupWork } from './cleanup-work';
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { InputCache } from './input-cache';
import { createPlanScene } from './plan-scene';
import { createProcessTile } from './process-tile';
import { createPublishScene } from './publish-scene';
import { createRenderPreviews } from './render-previews';
import { createWriteTileStats } from './write-tile-stats';

export type { ActivityDeps, TaskRunner } from './deps';
export { InputCache } from './input-cache';

/** Builds every activity of the scene workflow over one set of dependencies (see workers/main.ts). */
export function createActivities(deps: ActivityDeps, inputs: InputCache = new InputCache(deps.store)): SceneActivities {
  return withFailureMapping({
    planScene: createPlanScene(deps, inputs),
    processTile: createProcessTile(deps, inputs),
    assembleCog: createAssembleCog(deps),
    writeTileStats: createWriteTileStats(deps),
    renderPreviews: createRenderPreviews(deps),
    publishScene: createPublishScene(deps),
    cleanupWork: createCleanupWork(deps),
  });
}
