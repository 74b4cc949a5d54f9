import { ActivityCancellationType, proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import type { BackfillActivities } from './backfill';
import type { SceneActivities } from './scene-dag';

/**
 * Bad input (unreadable file, impossible band match, bad URI, missing bucket) arrives as a non-retryable
 * ApplicationFailure from activities/failures.ts and fails the run at once. Transient faults (object store
 * down, worker killed) are retried with backoff up to a minute apart, for up to 12 attempts (about 8 minutes),
 * which rides out restarts of MinIO or the Temporal server.
 */
const retry: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '60s',
  maximumAttempts: 12,
};

/**
 * Tile work heartbeats every couple of seconds from the activity's event loop while worker threads compute,
 * so a killed worker is detected after heartbeatTimeout (20 s) rather than after startToClose.
 * On cancellation the workflow waits until running tiles have stopped (the SDK's encoded default is
 * TRY_CANCEL), so the cleanup that follows cannot race a tile still writing its parts.
 */
export const tileActivities = proxyActivities<Required<Pick<SceneActivities, 'processTile' | 'processTiles' | 'processSceneInline'>>>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '20s',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry,
});

/**
 * Task-queue priority of a scene's steps other than its tiles (1 is first, 5 last, 3 the default the tiles keep).
 * Many scenes share one queue in a backfill: a scene whose tiles are done then assembles, publishes and frees its
 * intermediates ahead of other scenes' waiting tiles, instead of queueing behind all of them, so scenes finish
 * in the order they started and the catalog does not end with every scene's serial steps at once. A server
 * without task-queue priority ignores it.
 */
export const STAGE_PRIORITY = { priorityKey: 2 };

/** Assembly streams a whole COG (vectorising and warping read one); each heartbeats per tile. */
export const assemblyActivities = proxyActivities<Required<Pick<SceneActivities, 'assembleCog' | 'writeTileStats' | 'renderPreviews' | 'vectorizeMasks' | 'warpCog'>>>({
  startToCloseTimeout: '60m',
  heartbeatTimeout: '60s',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry,
  priority: STAGE_PRIORITY,
});

/** Short metadata steps: read a header, write JSON, delete intermediates. */
export const metadataActivities = proxyActivities<Pick<SceneActivities, 'planScene' | 'publishScene' | 'cleanupWork'>>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '60s',
  retry,
  priority: STAGE_PRIORITY,
});

/**
 * A backfill's listing walks a whole catalog (one request per source page), and its collection reads every scene
 * item of the output root; both heartbeat as they go, so a lost worker is noticed within a minute while a large
 * catalog may take many minutes.
 */
export const listingActivities = proxyActivities<Pick<BackfillActivities, 'listSource' | 'publishCollection'>>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '60s',
  retry,
});

/** A backfill's records: one listing page read, or the result object written. */
export const backfillRecordActivities = proxyActivities<Pick<BackfillActivities, 'readListingPage' | 'writeBackfillResult'>>({
  startToCloseTimeout: '2m',
  retry,
});
