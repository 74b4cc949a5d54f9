/**
 * Inputs, state and results of a backfill: one child `processScene` per scene of a catalog source, a sliding
 * window of at most `maxParallel` children, continue-as-new to keep history bounded. JSON only, small: the scene
 * listing itself lives in the object store (pages of SceneRefs), the workflow carries a cursor into it.
 */
import type { SceneFilters, SceneRef } from './catalog-types';
import type { BackfillRequest } from './backfill';
import type { PartitionOutcome, ProductName, ReprojectRequest, VectorRequest } from './types';

/** Default children in flight; see README "Catalogs" for how it is sized against the workers. */
export const DEFAULT_MAX_PARALLEL = 8;
/**
 * Scene runs of a backfill do everything after the plan in one activity when the scene has at most this many
 * tiles (ProcessSceneInput.inlineMaxTiles): four 512 px tiles, scenes up to 1024². A catalog's parallelism comes
 * from its many scenes, so a small scene gains nothing from spreading its few tiles, and one activity instead of
 * a dozen is most of what the server spends on it.
 */
export const BACKFILL_INLINE_MAX_TILES = 4;
/** Hard cap on children in flight: Temporal refuses more than 2,000 pending children; we stay far below. */
export const MAX_PARALLEL_LIMIT = 1000;
/** Scenes per listing page object (each page is one activity result of ~300 bytes per scene). */
export const LISTING_PAGE_SIZE = 200;
/** Continue as new after this many scenes have been started in one run (about 8 history events each). */
export const DEFAULT_SCENES_PER_RUN = 400;

export interface BackfillInput {
  /** Catalog source: STAC API root, static catalog/collection/item, prefix or glob (file://, s3://, http(s)://). */
  source: string;
  filters: SceneFilters;
  out: string;
  products: ProductName[];
  params?: Record<string, number>;
  wavelengthsNm?: number[];
  /** Passed to every scene run (ProcessSceneInput.vectors / .reproject). */
  vectors?: VectorRequest;
  reproject?: ReprojectRequest;
  /** @default DEFAULT_MAX_PARALLEL */
  maxParallel?: number;
  /** Run exactly these scenes instead of listing the source (`--rerun-failed`). */
  scenes?: SceneRef[];
  /** @default DEFAULT_SCENES_PER_RUN */
  scenesPerRun?: number;
  /** Carried across continue-as-new; absent on the first run. */
  state?: BackfillState;
}

export interface BackfillFailure {
  scene: SceneRef;
  reason: string;
}

export interface BackfillCounts {
  listed: number;
  done: number;
  skipped: number;
  failed: number;
  running: number;
}

export interface BackfillState {
  /** Where the listing pages are (`<out>/_backfills/<id>/listing/`), and how many. */
  listing: { prefixUri: string; pages: number; total: number };
  /** Next scene to start: page number and index inside it. */
  cursor: { page: number; index: number };
  counts: BackfillCounts;
  failures: BackfillFailure[];
  /** Workflow time the first run started (ms since epoch), for the ETA. */
  startedAtMs: number;
  /** Runs so far (continue-as-new count + 1). */
  run: number;
}

export interface BackfillProgress extends BackfillCounts {
  backfillId: string;
  source: string;
  total: number;
  startedAtMs: number;
  run: number;
  stage: 'listing' | 'running' | 'done';
  /** The most recent failures (at most 20). */
  recentFailures: BackfillFailure[];
}

export interface BackfillResult {
  backfillId: string;
  counts: BackfillCounts;
  failures: BackfillFailure[];
  /** The result object in the store (`<out>/_backfills/<id>/result.json`), the durable record of the run. */
  resultUri: string;
}

/** What `tessera backfill --dry-run` reports (workers/dry-run.ts builds it, cli/print.ts prints it). */
export interface DryRunScene {
  ref: SceneRef;
  sceneId: string;
  /** The GeoTIFF the plan resolved (from the item, when the scene came from STAC). */
  inputUri?: string;
  inputSizeBytes?: number;
  width?: number;
  height?: number;
  bandCount?: number;
  partitions: PartitionOutcome[];
  /** Why the scene could not be planned (unreadable input, no usable bands...); a real run would fail it. */
  error?: string;
}

export interface DryRunTotals {
  scenes: number;
  /** Scenes whose plan failed. */
  failed: number;
  partitionsToRun: number;
  partitionsToSkip: number;
  inputBytes: number;
  pixels: number;
}

export interface DryRunReport {
  backfillId: string;
  request: BackfillRequest;
  scenes: DryRunScene[];
  totals: DryRunTotals;
}
