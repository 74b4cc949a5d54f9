/**
 * Composition root of a worker process: config → logger → Temporal runtime → connection → thread pool + store →
 * activities → Worker. Start any number of these, on any machines, pointed at the same Temporal and storage:
 * they share the task queue and Temporal spreads workflow and activity tasks across them.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, InputCache } from '../activities';
import type { Config } from '../platform/config';
import { createLogger, temporalLoggerAdapter, type Logger } from '../platform/logger';
import { createStoreRouter } from '../platform/storage/open-store';
import { connectionOptions } from '../platform/temporal';
import { codeVersion } from './code-version';
import { ThreadPool } from './pool';

export interface WorkerRunOptions {
  taskQueue?: string;
  threads?: number;
  concurrency?: number;
  /** Resolves when the worker should stop (tests); SIGINT/SIGTERM always stop it. */
  until?: Promise<unknown>;
  logger?: Logger;
}

let runtimeInstalled = false;

export async function runWorker(config: Config, opts: WorkerRunOptions = {}): Promise<void> {
  const logger = opts.logger ?? createLogger(config.log, { service: 'tessera-worker' });
  if (!runtimeInstalled) {
    // SIGTERM/SIGINT start a graceful shutdown: stop polling, let running activities finish within shutdownGraceTime.
    Runtime.install({ logger: temporalLoggerAdapter(logger), shutdownSignals: ['SIGINT', 'SIGTERM'] });
    runtimeInstalled = true;
  }
  const threads = opts.threads ?? config.worker.threads;
  const concurrency = opts.concurrency ?? config.worker.concurrency;
  const taskQueue = opts.taskQueue ?? config.temporal.taskQueue;
  const connection = await NativeConnection.connect(await connectionOptions(config.temporal));
  const pool = new ThreadPool(threads);
  const store = createStoreRouter(config);
  const inputs = new InputCache(store);
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue,
      workflowsPath: require.resolve('../workflows'),
      activities: createActivities({ store, pool, logger, codeVersion: codeVersion() }, inputs),
      // One slot per thread plus one (platform/config.ts, defaultConcurrency): enough to keep the threads fed
      // through each activity's I/O, few enough that a worker does not hoard tiles others could start.
      maxConcurrentActivityTaskExecutions: concurrency,
      shutdownGraceTime: '20s',
      // Heartbeats carry cancellation back to activities; the default throttle (0.8 x heartbeatTimeout = 16 s
      // for tiles) would let a cancelled tile compute for that long.
      maxHeartbeatThrottleInterval: '2s',
    });
    logger.info({ taskQueue, threads, concurrency, address: config.temporal.address, namespace: config.temporal.namespace }, 'worker started');
    // `kill -USR2 <pid>` logs how busy the threads have been, so a benchmark can read utilisation over a run
    // without stopping the worker (the Runtime above listens to SIGINT and SIGTERM only).
    const reportPool = () => logger.info({ pool: pool.stats() }, 'thread pool stats');
    process.on('SIGUSR2', reportPool);
    try {
      if (opts.until) await worker.runUntil(opts.until);
      else await worker.run();
    } finally {
      process.off('SIGUSR2', reportPool);
    }
    logger.info({ pool: pool.stats() }, 'worker stopped');
  } finally {
    await inputs.close();
    await pool.close();
    await connection.close();
  }
}
