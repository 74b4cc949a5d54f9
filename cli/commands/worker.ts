import { defaultConcurrency, type Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { parse, parsePositiveInt } from '../args';
import * as print from '../print';

export const WORKER_HELP = `Usage: tessera worker [--task-queue Q] [--threads N] [--concurrency N]

Starts a worker process: it polls the task queue for scene workflows and raster activities and computes tiles
in a pool of N worker threads. Start as many as you like, on any machines that reach the same Temporal server
and object store. Stops gracefully on SIGTERM/SIGINT.`;

export async function workerCommand(argv: string[], config: Config, logger: Logger): Promise<number> {
  const { values } = parse(argv, { 'task-queue': { type: 'string' }, threads: { type: 'string' }, concurrency: { type: 'string' } });
  if (values.help) {
    print.out(WORKER_HELP);
    return 0;
  }
  const threads = parsePositiveInt('--threads', values.threads, config.worker.threads);
  const { runWorker } = await import('../../workers/main');
  await runWorker(config, {
    logger,
    taskQueue: values['task-queue'],
    threads,
    concurrency: parsePositiveInt('--concurrency', values.concurrency, values.threads ? defaultConcurrency(threads) : config.worker.concurrency),
  });
  return 0;
}
