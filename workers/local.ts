/**
 * Runs the scene DAG in-process, without a Temporal server: the same activities, the same thread pool, the same
 * outputs. For debugging, small jobs and benchmarks (`tessera run --local`).
 */
import { createActivities, InputCache } from '../activities';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import { createStoreRouter } from '../platform/storage/open-store';
import { runSceneDag } from '../workflows/scene-dag';
import type { ProcessSceneInput, SceneProgress, SceneResult } from '../workflows/types';
import { codeVersion } from './code-version';
import { ThreadPool } from './pool';

export async function runLocal(
  config: Config,
  input: ProcessSceneInput,
  opts: { logger: Logger; threads?: number; onProgress?: (p: SceneProgress) => void },
): Promise<SceneResult> {
  const pool = new ThreadPool(opts.threads ?? config.worker.threads);
  const store = createStoreRouter(config);
  const inputs = new InputCache(store);
  try {
    const activities = createActivities({ store, pool, logger: opts.logger, codeVersion: codeVersion() }, inputs);
    return await runSceneDag(activities, input, { onProgress: opts.onProgress ?? (() => undefined) });
  } finally {
    await inputs.close();
    await pool.close();
  }
}
