import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Config } from '../../platform/config';
import type { backfill } from '../../workflows/backfill';
import { backfillEtaMs, backfillProgressQuery } from '../../workflows/backfill-messages';
import type { BackfillProgress } from '../../workflows/backfill-types';
import { progressQuery } from '../../workflows/messages';
import type { SceneProgress } from '../../workflows/types';
import { parse } from '../args';
import { UsageError } from '../usage-error';
import * as print from '../print';
import { connectClient, workflowUiUrl } from '../temporal-client';

export const STATUS_HELP = `Usage: tessera status WORKFLOW_ID [--json]
       tessera status --stale [--out URI] [--json]

Shows a run's state (from Temporal) and its per-stage progress (the workflow's "progress" query). For a backfill:
scenes done, skipped, failed and running, an ETA, and the most recent failures ("backfillProgress" query).

--stale lists the partitions under an output root (default $TESSERA_OUT) whose manifest records another code
version than the current one: the next run or backfill over those scenes recomputes exactly these.`;

/** A query answered by a live worker takes milliseconds; past this, report the state without progress. */
const QUERY_TIMEOUT_MS = 5000;

export interface RunStatus {
  workflowId: string;
  runId: string;
  status: string;
  /** Workflow type: `processScene` or `backfill`. */
  type: string;
  /** A scene run's progress (null for a backfill, or when no worker answered). */
  progress: SceneProgress | null;
  /** A backfill's progress (null for a scene run, or when no worker answered and it has no result). */
  backfill: BackfillProgress | null;
  failure: string | null;
  uiUrl: string;
}

export async function readStatus(config: Config, workflowId: string): Promise<RunStatus> {
  const { client, close } = await connectClient(config);
  try {
    const handle = client.workflow.getHandle(workflowId);
    const desc = await handle.describe();
    let progress: SceneProgress | null = null;
    let backfillProgress: BackfillProgress | null = null;
    if (desc.type === 'backfill') {
      backfillProgress = await readBackfillProgress(client, client.workflow.getHandle<typeof backfill>(workflowId), desc.status.name);
    } else {
      try {
        // A gRPC deadline, not a race against a timer: the call itself ends, with any retry the SDK's interceptor has
        // scheduled, before the connection closes. A call left running past close() retries into the closed channel
        // from a timer ("Channel has been shut down"), an uncaught exception in a long-lived caller such as `watch`.
        progress = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(progressQuery));
      } catch {
        // No answer: a run that failed before its first workflow task has no handler yet, or the query went to a
        // worker that just lost its network and will not answer; the status from describe() still stands.
      }
    }
    let failure: string | null = null;
    if (desc.status.name === 'FAILED') {
      try {
        await handle.result();
      } catch (err) {
        failure = rootMessage(err);
      }
    }
    return {
      workflowId,
      runId: desc.runId,
      status: desc.status.name,
      type: desc.type,
      progress,
      backfill: backfillProgress,
      failure,
      uiUrl: workflowUiUrl(config, workflowId),
    };
  } finally {
    await close();
  }
}

/**
 * A backfill's progress query; for a completed backfill that no worker answers, the counts from its result.
 * Bounded by a gRPC deadline, as for scene runs (see readStatus).
 */
async function readBackfillProgress(client: Client, handle: WorkflowHandle<typeof backfill>, status: string): Promise<BackfillProgress | null> {
  try {
    return await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(backfillProgressQuery));
  } catch {
    if (status !== 'COMPLETED') return null;
  }
  try {
    const r = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.result());
    return {
      backfillId: r.backfillId,
      source: r.request.source,
      total: r.counts.listed,
      startedAtMs: r.startedAtMs,
      run: r.runs,
      stage: 'done',
      ...r.counts,
      recentFailures: r.failures.slice(-20),
    };
  } catch {
    return null;
  }
}

/** What `status --json` (and each line of `watch --json`) prints: the progress object under `progress`, either kind. */
export function statusJson(s: RunStatus, nowMs: number) {
  const { backfill: bf, ...rest } = s;
  if (s.type !== 'backfill') return rest;
  return { ...rest, progress: bf, etaMs: bf && bf.stage !== 'done' ? backfillEtaMs(bf, nowMs) : null };
}

/** Human-readable lines under the status line, for either kind of run. */
export function progressLines(s: RunStatus, nowMs: number): string[] {
  if (s.type !== 'backfill') return s.progress ? [print.progressLine(s.progress)] : [];
  if (!s.backfill) return [];
  const lines = [print.backfillProgressLine(s.backfill, nowMs)];
  if (s.backfill.recentFailures.length > 0) {
    lines.push(`recent failures (${s.backfill.recentFailures.length} of ${s.backfill.failed}):`, ...print.failureLines(s.backfill.recentFailures));
  }
  return lines;
}

/** The innermost cause's message: for a failed activity, the error the activity raised. */
export function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

export async function statusCommand(argv: string[], config: Config): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, stale: { type: 'boolean' }, out: { type: 'string' } });
  if (values.help) {
    print.out(STATUS_HELP);
    return 0;
  }
  if (values.stale) {
    if (positionals.length > 0) throw new UsageError('--stale takes no WORKFLOW_ID (it reads the manifests under --out)');
    return (await import('./stale')).printStale(config, values.out ?? config.output.defaultUri, values.json === true);
  }
  if (positionals.length !== 1) {
    print.err('tessera status: expected one WORKFLOW_ID');
    return 2;
  }
  const s = await readStatus(config, positionals[0]);
  if (values.json) {
    print.json(statusJson(s, Date.now()));
  } else {
    print.out(`${s.workflowId}  ${s.status}  (run ${s.runId})${s.type === 'backfill' ? `  backfill${s.backfill ? `, workflow run ${s.backfill.run}` : ''}` : ''}`);
    for (const line of progressLines(s, Date.now())) print.out(`  ${line}`);
    if (s.failure) print.out(`  failure: ${s.failure}`);
    if (s.type === 'backfill') print.out(`  scenes: temporal workflow list --query 'TesseraBackfill="${s.workflowId}"'`);
    print.out(`  ui: ${s.uiUrl}`);
  }
  return s.status === 'FAILED' ? 1 : 0;
}
