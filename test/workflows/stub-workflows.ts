/**
 * Workflow bundle entry for the backfill tests: the real `backfill` next to a stub `processScene`, so a backfill's
 * children run in the same bundle and worker without any raster work.
 *
 * The stub child takes its behaviour from the scene id the backfill gives it:
 * - ids containing `bad` fail with a non-retryable ApplicationFailure (STUB_FAILURE_TYPE, stubFailureMessage);
 * - ids containing `same` return a result whose partitions are all `skipped` (the backfill counts it skipped);
 * - ids containing `slow` sleep SLOW_SCENE_MS (for cancellation tests) instead of STUB_SCENE_MS.
 * It reports its start and end to the `stubSceneEvent` activity, so a test can see how many children overlap.
 */
import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  proxyActivities,
  rootCause,
  sleep,
  startChild,
  TemporalFailure,
} from '@temporalio/workflow';
import type { PartitionOutcome, ProcessSceneInput, SceneResult } from '../../workflows/types';

export { backfill } from '../../workflows/backfill';

/** How long a stub scene runs. */
export const STUB_SCENE_MS = 300;
/** How long a `slow` stub scene runs: longer than any test, so only a cancellation ends it. */
export const SLOW_SCENE_MS = 120_000;
/** The failure type a `bad` stub scene raises. */
export const STUB_FAILURE_TYPE = 'StubSceneError';

/** The message a `bad` stub scene fails with. */
export function stubFailureMessage(sceneId: string): string {
  return `scene ${sceneId}: not a TIFF file (no byte-order mark)`;
}

export interface StubSceneEvent {
  sceneId: string;
  workflowId: string;
  event: 'start' | 'end';
}

/** Implemented by test/workflows/stub-activities.ts. */
export interface StubSceneActivities {
  stubSceneEvent(event: StubSceneEvent): Promise<void>;
}

const { stubSceneEvent } = proxyActivities<StubSceneActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } });

/** Stands in for workflows/process-scene.ts under the same workflow type name. */
export async function processScene(input: ProcessSceneInput): Promise<SceneResult> {
  const sceneId = input.sceneId ?? 'scene';
  const workflowId = `${input.backfillId ?? ''}/${sceneId}`;
  await stubSceneEvent({ sceneId, workflowId, event: 'start' });
  await sleep(sceneId.includes('slow') ? SLOW_SCENE_MS : STUB_SCENE_MS);
  await stubSceneEvent({ sceneId, workflowId, event: 'end' });
  if (sceneId.includes('bad')) throw ApplicationFailure.nonRetryable(stubFailureMessage(sceneId), STUB_FAILURE_TYPE);
  return stubSceneResult(input, sceneId.includes('same') ? 'skipped' : 'computed');
}

/** A SceneResult with one partition per asked product, all with the given action. */
export function stubSceneResult(input: ProcessSceneInput, action: PartitionOutcome['action']): SceneResult {
  const sceneId = input.sceneId ?? 'scene';
  const partitions: PartitionOutcome[] = input.products.map((product) => ({
    variant: product,
    product,
    key: `${sceneId}/${product}`,
    action,
    inputIdentity: input.input,
    definitionHash: 'stub',
    codeVersion: 'stub',
    reason: action === 'skipped' ? 'unchanged' : 'new',
  }));
  return {
    sceneId,
    status: 'completed',
    partitions,
    summary: { validPixels: 0, waterPixels: 0, bloomPixels: 0, validAreaKm2: 0, waterAreaKm2: null, bloomAreaKm2: null, bloomFraction: null, products: {} },
    cogs: {},
    parquet: [],
    previews: {},
    stac: '',
    manifest: '',
    outputs: [],
  };
}

/** One link of an error chain as a workflow sees it. */
export interface ChainLink {
  name: string;
  message: string;
  type?: string | null;
  nonRetryable?: boolean;
}

/**
 * Starts one stub scene as a child (with the options backfill uses that shape its failure) and returns the error
 * chain the parent receives, outermost first, with `rootCause` as backfill applies it: what a backfill sees when
 * a scene fails.
 */
export async function probeChildFailure(input: ProcessSceneInput): Promise<{ chain: ChainLink[]; rootCause: string | undefined }> {
  const child = await startChild(processScene, {
    workflowId: `${input.backfillId}/${input.sceneId}`,
    args: [input],
    cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  try {
    await child.result();
  } catch (err) {
    const chain: ChainLink[] = [];
    for (let e: unknown = err; e instanceof Error; e = (e as Error).cause) {
      chain.push({
        name: e.name,
        message: e.message,
        type: e instanceof ApplicationFailure ? e.type : undefined,
        nonRetryable: e instanceof ApplicationFailure ? e.nonRetryable ?? undefined : undefined,
      });
      if (!(e instanceof TemporalFailure)) break;
    }
    return { chain, rootCause: rootCause(err) };
  }
  throw ApplicationFailure.nonRetryable(`scene ${input.sceneId} did not fail`);
}
