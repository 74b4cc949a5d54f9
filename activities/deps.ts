import type { Logger } from 'pino';
import type { ObjectStore } from '../platform/storage/object-store';
import type { ThreadTask, ThreadTaskResult } from '../raster/jobs/thread-task';

/** Runs CPU-bound tasks off the activity's event loop (workers/pool.ts ThreadPool implements it). */
export interface TaskRunner {
  /** Threads running tasks at once (0: inline); activities size how many tasks they keep in flight by it. */
  readonly size?: number;
  run(task: ThreadTask, transfer?: ArrayBuffer[], signal?: AbortSignal): Promise<ThreadTaskResult>;
}

/** Everything activities need, built once by the worker (or the local runner) and closed over by createActivities. */
export interface ActivityDeps {
  /** One store for every URI scheme (file://, s3://, memory://). */
  store: ObjectStore;
  pool: TaskRunner;
  logger: Logger;
  /** Recorded in manifests. */
  codeVersion: string;
}
