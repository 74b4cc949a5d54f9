/**
 * Inputs, durable state and status of a new-scene sensor: a long-running workflow that polls a catalog source,
 * starts each new scene once, and evaluates bloom alerts on what it processed. JSON only and small: the state is
 * the continue-as-new input, so it holds a cursor, a bounded set of recent ids and counters, never a listing.
 */
import type { AlertCrossing, AlertRule, AlertState, DeliveryCounts, DeliveryRecord } from './alerts-types';
import type { SceneFilters, SceneRef } from './catalog-types';
import type { ProductName, ReprojectRequest, VectorRequest } from './types';

/** Recently seen scene ids the cursor keeps, so scenes at (or behind) the cursor's datetime are not started twice. */
export const RECENT_IDS = 1000;
/** Scenes one poll returns at most; more are picked up by the next polls (the cursor moves past these). */
export const DEFAULT_POLL_PAGE = 100;
/** Scene runs in flight at once. */
export const DEFAULT_SENSOR_PARALLEL = 4;
/** Continue as new after this many polls (about 10 history events each, plus ~6 per scene started). */
export const DEFAULT_POLLS_PER_RUN = 200;
/** Recent scenes, deliveries and poll failures a status shows. */
export const STATUS_RECENT = 20;

export interface SensorCursor {
  /** Newest scene datetime accepted so far (ms since the epoch); null before the first (then `since` applies). */
  datetimeMs: number | null;
  /**
   * Scenes accepted at or near the cursor, oldest first, at most RECENT_IDS: a poll lists from
   * `datetimeMs - lookbackMs` on and leaves these out.
   */
  recent: Array<{ id: string; datetimeMs: number | null }>;
}

export interface SensorInput {
  /** Letters, digits, `.`, `_`, `-`: the sensor's workflow id is `sensor-<name>`. */
  name: string;
  /** Catalog source as `tessera backfill` takes it. */
  source: string;
  filters: SceneFilters;
  out: string;
  products: ProductName[];
  params?: Record<string, number>;
  wavelengthsNm?: number[];
  /** Map outputs of every scene run (ProcessSceneInput.vectors / .reproject). */
  vectors?: VectorRequest;
  reproject?: ReprojectRequest;
  /** Time between polls. @format ms */
  everyMs: number;
  /** Scenes whose datetime is before this are never started (the first poll's cursor). null: every scene. @format ms since the epoch */
  sinceMs: number | null;
  /** How far behind the cursor each poll looks again, for items that arrive late. @default 0 @format ms */
  lookbackMs?: number;
  /** @default DEFAULT_SENSOR_PARALLEL */
  maxParallel?: number;
  /** @default DEFAULT_POLL_PAGE */
  pollPage?: number;
  /** @default DEFAULT_POLLS_PER_RUN */
  pollsPerRun?: number;
  alerts?: AlertRule[];
  /** Carried across continue-as-new; absent on the first run. */
  state?: SensorState;
}

export interface SensorScene {
  id: string;
  sceneId: string;
  datetime: string | null;
  workflowId: string;
  state: 'queued' | 'running' | 'completed' | 'failed' | 'already started';
  /** Root cause of a failed run. */
  error?: string;
}

export interface PollRecord {
  /** Workflow time the poll started and ended (RFC 3339). */
  startedAt: string;
  endedAt?: string;
  ok?: boolean;
  /** Scenes the source listed after the filters, and how many of them were new. */
  listed?: number;
  found?: number;
  /** More new scenes than one poll takes: the next poll goes on. */
  truncated?: boolean;
  error?: string;
}

export interface SensorCounts {
  polls: number;
  pollsFailed: number;
  /** Scene runs started, completed, failed; `duplicates`: starts Temporal refused because the run exists already. */
  started: number;
  completed: number;
  failed: number;
  duplicates: number;
}

export interface SensorState {
  cursor: SensorCursor;
  /** Scenes a poll returned that have not been started yet (kept across continue-as-new). */
  queue: SceneRef[];
  counts: SensorCounts;
  /** Failed polls in a row; the wait before the next poll doubles with each, up to 10 × everyMs. */
  consecutivePollFailures: number;
  lastPoll?: PollRecord;
  /** Most recent poll failures. */
  pollFailures: PollRecord[];
  recentScenes: SensorScene[];
  alerts?: {
    state: AlertState;
    deliveries: DeliveryCounts;
    recent: DeliveryRecord[];
    /** Crossings whose delivery had not ended when the last run continued as new: delivered again by the next run. */
    pending: AlertCrossing[];
  };
  /** Workflow time the sensor started (ms since the epoch). */
  startedAtMs: number;
  /** Runs so far (continue-as-new count + 1). */
  run: number;
}

/** What `tessera sensor status` shows, from the sensor's status query. */
export interface SensorStatus {
  name: string;
  workflowId: string;
  source: string;
  everyMs: number;
  stage: 'polling' | 'waiting' | 'starting scenes' | 'draining' | 'stopped';
  stopping: boolean;
  cursor: { datetime: string | null; recentIds: number };
  queued: number;
  running: number;
  counts: SensorCounts;
  consecutivePollFailures: number;
  lastPoll?: PollRecord;
  nextPollAt?: string;
  pollFailures: PollRecord[];
  recentScenes: SensorScene[];
  alerts?: {
    rules: Array<{ name: string; metric: string; threshold: number; hysteresis: number; armed: boolean; crossings: number; lastValue?: number; lastScene?: string }>;
    deliveries: DeliveryCounts;
    recent: DeliveryRecord[];
    /** The last evaluation that failed through every retry (its scenes went unevaluated). */
    lastError?: string;
  };
  startedAt: string;
  run: number;
}

export interface SensorResult {
  status: SensorStatus;
}

export interface PollSourceInput {
  source: string;
  filters: SceneFilters;
  cursor: SensorCursor;
  /** Lower bound on scene datetimes when the cursor has none yet. */
  sinceMs: number | null;
  lookbackMs: number;
  maxScenes: number;
}

export interface PollSourceResult {
  /** New scenes, oldest first (datetime, then id), at most maxScenes. */
  scenes: SceneRef[];
  /** Scenes listed after the filters (before leaving out the recent ones). */
  listed: number;
  truncated: boolean;
}

/** The activity a sensor polls with; activities/index.ts implements it. */
export interface SensorActivities {
  pollSource(input: PollSourceInput): Promise<PollSourceResult>;
}

/** Workflow id of a sensor. */
export function sensorWorkflowId(name: string): string {
  return `sensor-${name}`;
}

/** Workflow id of a scene run a sensor starts: one per scene, ever, for a sensor name (REJECT_DUPLICATE). */
export function sensorSceneWorkflowId(name: string, sceneId: string): string {
  return `sensor-${name}/${sceneId}`;
}
