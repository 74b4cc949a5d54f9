import { ApplicationFailure } from '@temporalio/common';
import { CatalogError, FilterError, StacApiError } from '../platform/catalog/errors';
import { datetimeRangeMs } from '../platform/catalog/filters';
import { listScenes } from '../platform/catalog/list-scenes';
import type { SceneFilters, SceneRef } from '../workflows/catalog-types';
import type { PollSourceInput, PollSourceResult } from '../workflows/sensor-types';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';

/** Source documents read at once while polling a static catalog. */
const POLL_CONCURRENCY = 8;
/**
 * Scenes one poll lists at most. A poll lists only from the cursor on, so this bounds a pathological source
 * (a lookback over a huge catalog), not normal use; past it the poll keeps the oldest it saw and says `truncated`.
 */
export const MAX_POLL_SCAN = 50_000;

/**
 * One poll of a sensor's source: lists the scenes from the cursor's datetime (less the lookback) on, leaves out
 * those the cursor saw recently, and returns the oldest `maxScenes` of the rest, ordered by datetime then id, so
 * the cursor only ever moves forward over scenes that have been handed out.
 *
 * It changes nothing, so a retry simply polls again. A source that is down (network errors, 5xx, 429) is retried by
 * the activity's retry policy; a broken catalog or bad filter fails at once (non-retryable) and the sensor tries
 * again at its next poll.
 */
export function createPollSource(deps: ActivityDeps) {
  return async function pollSource(input: PollSourceInput): Promise<PollSourceResult> {
    const log = activityLogger(deps.logger, { source: input.source });
    const lowerMs = lowerBoundMs(input);
    const userEndMs = input.filters.datetime !== undefined ? datetimeRangeMs(input.filters.datetime)[1] : Infinity;
    // The sensor is past the end of the user's --datetime: nothing new can come.
    if (lowerMs !== null && userEndMs < lowerMs) return { scenes: [], listed: 0, truncated: false };
    const filters = withLowerBound(input.filters, lowerMs);
    const recent = new Set(input.cursor.recent.map((r) => r.id));
    const progress = { sourcePages: 0, listed: 0 };
    return withHeartbeat(
      () => progress,
      async (signal) => {
        const fresh: Array<{ ref: SceneRef; ms: number | null }> = [];
        let truncated = false;
        try {
          for await (const ref of listScenes(deps.store, input.source, filters, {
            concurrency: POLL_CONCURRENCY,
            signal,
            onPage: (n) => {
              progress.sourcePages = n;
            },
          })) {
            signal?.throwIfAborted();
            progress.listed++;
            if (progress.listed > MAX_POLL_SCAN) {
              truncated = true;
              break;
            }
            if (recent.has(ref.id)) continue;
            const ms = ref.datetime === null ? null : Date.parse(ref.datetime);
            // An item spanning the bound (start before, end after) is listed by the overlap filter; its own
            // datetime decides.
            if (lowerMs !== null && ms !== null && ms < lowerMs) continue;
            fresh.push({ ref, ms });
          }
        } catch (err) {
          throw pollFailure(err);
        }
        fresh.sort((a, b) => order(a.ms, b.ms) || (a.ref.id < b.ref.id ? -1 : a.ref.id > b.ref.id ? 1 : 0));
        const scenes = fresh.slice(0, input.maxScenes).map((f) => f.ref);
        truncated ||= fresh.length > input.maxScenes;
        log.info({ listed: progress.listed, fresh: fresh.length, returned: scenes.length, truncated, cursor: input.cursor.datetimeMs }, 'source polled');
        return { scenes, listed: Math.min(progress.listed, MAX_POLL_SCAN), truncated };
      },
    );
  };
}

/** Undated scenes sort last: they can only be told apart by id. */
function order(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** Where this poll starts: the cursor less the lookback, or `since` before the first scene. */
function lowerBoundMs(input: PollSourceInput): number | null {
  if (input.cursor.datetimeMs !== null) return input.cursor.datetimeMs - input.lookbackMs;
  return input.sinceMs;
}

/** The user's datetime filter with its start raised to the bound (the filter's end, if any, stays). */
function withLowerBound(filters: SceneFilters, lowerMs: number | null): SceneFilters {
  if (lowerMs === null) return filters;
  const [start, end] = filters.datetime !== undefined ? datetimeRangeMs(filters.datetime) : [-Infinity, Infinity];
  const from = Math.max(start, lowerMs);
  return { ...filters, datetime: `${iso(from)}/${end === Infinity ? '..' : iso(end)}` };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Bad filters and broken catalogs will not mend by retrying now: non-retryable (the sensor polls again later). A STAC
 * API answering 5xx or 429, and transport errors, are retried with backoff.
 */
function pollFailure(err: unknown): unknown {
  if (err instanceof StacApiError && err.status !== undefined && (err.status >= 500 || err.status === 429)) return err;
  if (err instanceof FilterError || err instanceof CatalogError) {
    return ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true, cause: err });
  }
  return err;
}
