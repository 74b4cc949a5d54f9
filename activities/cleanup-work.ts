import type { ScenePlan } from '../workflows/types';
import { activityLogger } from './context';
import type { ActivityDeps } from './deps';

/** Deletes the run's intermediate tile parts once every output is published. */
export function createCleanupWork(deps: ActivityDeps) {
  return async function cleanupWork({ plan }: { plan: ScenePlan }): Promise<void> {
    await deps.store.deletePrefix(plan.workUri.endsWith('/') ? plan.workUri : `${plan.workUri}/`);
    activityLogger(deps.logger, { scene: plan.sceneId }).debug({ workUri: plan.workUri }, 'intermediates deleted');
  };
}
