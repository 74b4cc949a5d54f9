import { runPlannedScene, type SceneActivities } from '../workflows/scene-dag';
import type { ProcessSceneInput, ScenePlan, SceneResult } from '../workflows/types';
import { activityLogger } from './context';
import type { ActivityDeps } from './deps';

/**
 * The stages after the plan, run in this activity on this worker by calling the other activity functions
 * directly (`stages`: the same functions the workflow schedules one by one). Their heartbeats go to this activity.
 * A retry starts the stages over; every stage writes deterministic keys, so nothing is left twice.
 */
export function createProcessSceneInline(deps: ActivityDeps, stages: () => SceneActivities) {
  return async function processSceneInline({ input, plan }: { input: ProcessSceneInput; plan: ScenePlan }): Promise<SceneResult> {
    const started = performance.now();
    const result = await runPlannedScene(stages(), input, plan, { onProgress: () => undefined });
    activityLogger(deps.logger, { scene: plan.sceneId }).info({ ms: Math.round(performance.now() - started) }, 'scene processed inline');
    return result;
  };
}
