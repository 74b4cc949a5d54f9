import type { VectorizeResult } from '../workflows/scene-dag';
import type { ScenePlan } from '../workflows/types';
import type { ActivityDeps } from './deps';

/** Polygons of the plan's masks (plan.vectors). */
export function createVectorizeMasks(_deps: ActivityDeps) {
  return async function vectorizeMasks(_input: { plan: ScenePlan }): Promise<VectorizeResult> {
    throw new Error('vectorizeMasks: not built yet');
  };
}
