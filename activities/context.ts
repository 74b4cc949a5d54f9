import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';

/** The running activity's context, or undefined when activities run in-process (`tessera run --local`). */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** A child logger carrying the workflow and activity ids, plus the given fields (scene, tile...). */
export function activityLogger(root: Logger, fields: Record<string, unknown>): Logger {
  const ctx = activityContext();
  if (!ctx) return root.child(fields);
  const info = ctx.info;
  return root.child({
    workflowId: info.workflowExecution?.workflowId,
    runId: info.workflowExecution?.runId,
    workflowType: info.workflowType,
    activityType: info.activityType,
    activityId: info.activityId,
    attempt: info.attempt,
    taskQueue: info.taskQueue,
    ...fields,
  });
}

/**
 * Heartbeats every `intervalMs` while `work` runs, with the details `details()` returns at that moment.
 * The work itself runs in worker threads or awaits I/O, so this event loop stays free to beat; the SDK throttles
 * what actually reaches the server.
 */
export async function withHeartbeat<T>(details: () => unknown, work: (signal?: AbortSignal) => Promise<T>, intervalMs = 2000): Promise<T> {
  const ctx = activityContext();
  if (!ctx) return work(undefined);
  ctx.heartbeat(details());
  const timer = setInterval(() => ctx.heartbeat(details()), intervalMs);
  try {
    return await work(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
