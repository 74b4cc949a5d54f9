/**
 * Scheduled backfills: a Temporal Schedule whose action starts `scheduledBackfill`, which derives its datetime
 * window from its own action time and runs `backfill` on it as a child. The names and ids here are shared by the
 * CLI (which creates the schedule) and the workflow.
 */
import type { AlertRule } from './alerts-types';
import type { BackfillCounts } from './backfill-types';
import type { SceneFilters } from './catalog-types';
import type { ProductName, ReprojectRequest, VectorRequest } from './types';

/** When actions are taken: a fixed interval (from the Unix epoch, as Temporal counts), or a 5-field cron in UTC. */
export type ScheduleCadence = { kind: 'every'; everyMs: number } | { kind: 'cron'; cron: string };

/**
 * The overlap policy of every Tessera schedule, its triggers and its backfills: BUFFER_ALL, actions one after
 * another in time order, none dropped.
 *
 * Overlapping actions would be safe for the rasters: partitions are content-keyed, so two actions whose windows
 * share a scene compute its partitions once and the other skips them (ALLOW_ALL would be fine there). Two things
 * decide for BUFFER_ALL: a skipped action (SKIP, BUFFER_ONE) would leave its window unprocessed for good, since each
 * action processes only its own window; and a schedule's alert hysteresis lives in one state object in the store
 * (`<out>/_alerts/schedule-<name>.json`), which stays consistent, and sees scenes in time order, only with one
 * action at a time. The cost: an action that runs longer than the interval delays the next ones (they queue; none
 * is lost).
 */
export const SCHEDULE_OVERLAP_POLICY = 'BUFFER_ALL';

export interface ScheduledBackfillInput {
  /** The schedule's name (letters, digits, `.`, `_`, `-`): ids are derived from it. */
  name: string;
  cadence: ScheduleCadence;
  /**
   * Each action processes scenes with datetime in `[actionTime - windowMs, actionTime)`.
   * @default the interval, or for a cron the time since its previous fire time, so consecutive windows tile time.
   * @format ms
   */
  windowMs?: number;
  source: string;
  /** The listing filters except `datetime`, which each action sets from its window. */
  filters: Omit<SceneFilters, 'datetime'>;
  out: string;
  products: ProductName[];
  params?: Record<string, number>;
  wavelengthsNm?: number[];
  /** Map outputs of every scene run (ProcessSceneInput.vectors / .reproject). */
  vectors?: VectorRequest;
  reproject?: ReprojectRequest;
  maxParallel?: number;
  alerts?: AlertRule[];
}

export interface ScheduledBackfillResult {
  schedule: string;
  /** The action's nominal time (RFC 3339), and where it came from. */
  actionTime: string;
  actionTimeSource: 'TemporalScheduledStartTime' | 'workflow start';
  /** The window processed: scenes with start <= datetime < end. */
  window: { start: string; end: string };
  backfillId: string;
  counts: BackfillCounts;
  alerts?: { evaluated: number; crossings: number; delivered: number; failed: number; stateUri: string };
}

/** Schedule id of a schedule name. */
export function scheduleId(name: string): string {
  return `schedule-${name}`;
}

/** Workflow id of the schedule's actions; Temporal appends `-<nominal time, RFC 3339>` to each. */
export function scheduledWorkflowIdBase(name: string): string {
  return `schedule-${name}`;
}

/**
 * The backfill an action runs: `backfill-<name>-<yyyymmddThhmmssZ>` of the action's time. Path-safe (it is a
 * segment of `<out>/_backfills/<id>/`), and the same for the same action time, so re-running one window (a schedule
 * backfill over it) re-runs the same backfill, whose scene runs skip partitions that are up to date.
 */
export function scheduledBackfillId(name: string, actionMs: number): string {
  const compact = new Date(actionMs).toISOString().replace('.000Z', 'Z').replace(/[-:]/g, '');
  return `backfill-${name}-${compact}`;
}

/** Owner of a schedule's alert state object (`<out>/_alerts/<owner>.json`). */
export function scheduleAlertOwner(name: string): string {
  return `schedule-${name}`;
}

/** Schedule and sensor names: letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 63. */
export const AUTOMATION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
