import type { Config } from '../../platform/config';
import { progressQuery } from '../../workflows/messages';
import type { SceneProgress } from '../../workflows/types';
import { parse } from '../args';
import * as print from '../print';
import { connectClient, workflowUiUrl } from '../temporal-client';

export const STATUS_HELP = `Usage: tessera status WORKFLOW_ID [--json]

Shows a run's state (from Temporal) and its per-stage progress (the workflow's "progress" query).`;

/** A query answered by a live worker takes milliseconds; past this, report the state without progress. */
const QUERY_TIMEOUT_MS = 5000;

export interface RunStatus {
  workflowId: string;
  runId: string;
  status: string;
  progress: SceneProgress | null;
  failure: string | null;
  uiUrl: string;
}

export async function readStatus(config: Config, workflowId: string): Promise<RunStatus> {
  const { client, close } = await connectClient(config);
  try {
    const handle = client.workflow.getHandle(workflowId);
    const desc = await handle.describe();
    let progress: SceneProgress | null = null;
    try {
      // A gRPC deadline, not a race against a timer: the call itself ends, with any retry the SDK's interceptor has
      // scheduled, before the connection closes. A call left running past close() retries into the closed channel
      // from a timer ("Channel has been shut down"), an uncaught exception in a long-lived caller such as `watch`.
      progress = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(progressQuery));
    } catch {
      // No answer: a run that failed before its first workflow task has no handler yet, or the query went to a
      // worker that just lost its network and will not answer; the status from describe() still stands.
    }
    let failure: string | null = null;
    if (desc.status.name === 'FAILED') {
      try {
        await handle.result();
      } catch (err) {
        failure = rootMessage(err);
      }
    }
    return { workflowId, runId: desc.runId, status: desc.status.name, progress, failure, uiUrl: workflowUiUrl(config, workflowId) };
  } finally {
    await close();
  }
}

/** The innermost cause's message: for a failed activity, the error the activity raised. */
export function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

export async function statusCommand(argv: string[], config: Config): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) {
    print.out(STATUS_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    print.err('tessera status: expected one WORKFLOW_ID');
    return 2;
  }
  const s = await readStatus(config, positionals[0]);
  if (values.json) {
    print.json(s);
  } else {
    print.out(`${s.workflowId}  ${s.status}  (run ${s.runId})`);
    if (s.progress) print.out(`  ${print.progressLine(s.progress)}`);
    if (s.failure) print.out(`  failure: ${s.failure}`);
    print.out(`  ui: ${s.uiUrl}`);
  }
  return s.status === 'FAILED' ? 1 : 0;
}
