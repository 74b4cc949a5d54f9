import { proxyActivities, type RetryPolicy } from '@temporalio/workflow';
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
 */
export const tileActivities = proxyActivities<Pick<SceneActivities, 'processTile'>>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '20s',
  retry,
});

/** Assembly streams a whole COG; it heartbeats per tile written. */
export const assemblyActivities = proxyActivities<Pick<SceneActivities, 'assembleCog' | 'writeTileStats' | 'renderPreviews'>>({
  startToCloseTimeout: '60m',
  heartbeatTimeout: '60s',
  retry,
});

/** Short metadata steps: read a header, write JSON, delete intermediates. */
export const metadataActivities = proxyActivities<Pick<SceneActivities, 'planScene' | 'publishScene' | 'cleanupWork'>>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '60s',
  retry,
});
