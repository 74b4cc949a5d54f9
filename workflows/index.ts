/** Workflow bundle entry: only workflow functions are exported here. */
export { processScene } from './process-scene';
export { backfill } from './backfill';
export { scheduledBackfill } from './schedule';
export { sensor } from './sensor';
