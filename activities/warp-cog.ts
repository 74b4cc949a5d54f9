import type { OutputFile, RasterProduct, ScenePlan } from '../workflows/types';
import type { ActivityDeps } from './deps';

/** A COG copy of one product in plan.reproject's CRS. */
export function createWarpCog(_deps: ActivityDeps) {
  return async function warpCog(_input: { plan: ScenePlan; product: RasterProduct }): Promise<OutputFile> {
    throw new Error('warpCog: not built yet');
  };
}
