/**
 * The scene DAG: plan → tiles (bounded fan-out) → one COG per product → tile-statistics tables and previews →
 * STAC item + manifest (last) → cleanup of intermediates.
 *
 * Pure and deterministic: it only calls the activities it is given and plain promises, so the same code runs inside
 * the Temporal workflow (activities are proxies, durable and retried) and in-process for `tessera run --local`.
 */
import type {
  OutputFile,
  PartitionSummary,
  ProcessSceneInput,
  RasterProduct,
  SceneProgress,
  ScenePlan,
  SceneResult,
  SceneSummary,
  TileInput,
  TileResult,
} from './types';
import { rasterProducts, wantsPreviews } from './types';

export interface SceneActivities {
  planScene(input: ProcessSceneInput): Promise<ScenePlan>;
  processTile(input: TileInput): Promise<TileResult>;
  /**
   * `processTile` for each tile of a batch in one activity (activities/process-tiles.ts), returning the results in
   * the order given. Optional: without it the DAG schedules one activity per tile.
   */
  processTiles?(input: TileBatchInput): Promise<TileResult[]>;
  assembleCog(input: { plan: ScenePlan; product: RasterProduct }): Promise<OutputFile>;
  writeTileStats(input: { plan: ScenePlan }): Promise<{ outputs: OutputFile[]; partitions: Record<string, PartitionSummary> }>;
  renderPreviews(input: { plan: ScenePlan }): Promise<OutputFile[]>;
  /**
   * Polygons of the plan's masks (plan.vectors), read from the COGs just written, streamed tile row by tile row:
   * one GeoParquet and/or GeoJSON file per mask, and the polygon count per partition (product variant).
   * Scheduled only when the plan asks for vectors, so runs without them keep their command sequence.
   */
  vectorizeMasks?(input: { plan: ScenePlan }): Promise<VectorizeResult>;
  /** A COG copy of one product in plan.reproject's CRS, warped tile by tile in the thread pool. Only with plan.reproject. */
  warpCog?(input: { plan: ScenePlan; product: RasterProduct }): Promise<OutputFile>;
  /**
   * Merges this run's outputs with the partitions the manifest recorded and were skipped, writes the STAC item,
   * the catalog-table rows and the manifest (last). With nothing computed it writes nothing and returns what is
   * recorded.
   */
  publishScene(input: PublishInput): Promise<PublishResult>;
  cleanupWork(input: { plan: ScenePlan }): Promise<void>;
  /**
   * Runs everything after the plan in one activity, in-process on one worker (the same stages, called directly).
   * Used for scenes of at most `inlineMaxTiles` tiles (INLINE_MAX_TILES unless the input says otherwise): a catalog
   * of small scenes then costs two activities per scene instead of a dozen, which is most of the orchestration
   * cost (README, "Catalogs").
   */
  processSceneInline?(input: { input: ProcessSceneInput; plan: ScenePlan }): Promise<SceneResult>;
}

/** Tiles of one scene processed by one activity (processTiles): a row-major run of the scene's tiles. */
export interface TileBatchInput {
  plan: ScenePlan;
  tiles: Array<{ col: number; row: number }>;
}

/**
 * Scenes with at most this many tiles run their stages in one activity (processSceneInline) when the input does
 * not say otherwise. One: a single scene's tiles spread over every worker. A backfill asks for more
 * (BACKFILL_INLINE_MAX_TILES), since its parallelism comes from many scenes at once.
 */
export const INLINE_MAX_TILES = 1;

/**
 * Tiles per processTiles activity for a scene of `tiles` tiles. Every activity costs the server a schedule, a
 * dispatch, a start and a completion (three history events and a workflow task) whatever its size, ~17 ms of
 * server CPU on the dev server; four tiles of 512² × 31 bands are ~1 s of CPU. Scenes under 16 tiles keep one
 * activity per tile, so their few tiles still spread over every worker and a cancellation lands between tiles.
 */
export function tilesPerActivity(tiles: number): number {
  return tiles < 16 ? 1 : tiles < 64 ? 2 : 4;
}

export interface VectorizeResult {
  outputs: OutputFile[];
  /** Polygons per partition (product variant) and mask name: `{ water: { water: 12 }, ndci: { bloom: 3 } }`. */
  polygons: Record<string, Record<string, number>>;
}

export interface PublishInput {
  plan: ScenePlan;
  outputs: OutputFile[];
  partitions: Record<string, PartitionSummary>;
  /** VectorizeResult.polygons of this run, when it vectorised; recorded in the partitions' summaries. */
  polygons?: Record<string, Record<string, number>>;
}

export interface PublishResult {
  /** Every output of the scene, this run's and the skipped partitions' (as recorded), then the STAC item and manifest. */
  outputs: OutputFile[];
  summary: SceneSummary;
}

export interface DagHooks {
  /** Called after every state change; the workflow mirrors it into its query state and search attributes. */
  onProgress(progress: SceneProgress): void;
  /**
   * Whether this run may batch tiles (processTiles); asked once, only for a scene big enough to batch. The workflow
   * answers with a patch marker, so runs recorded before batches replay one activity per tile. Absent: yes.
   */
  mayBatchTiles?(): boolean;
  onPlan?(plan: ScenePlan): void;
  onSummary?(summary: SceneSummary): void;
}

/** Default number of tile activities in flight per scene; workers bound the real parallelism with their slots. */
export const DEFAULT_TILE_CONCURRENCY = 16;

/**
 * Runs `fn` over `items` with at most `limit` calls in flight. Deterministic (no timers, no randomness), so it
 * is safe in workflow code. After the first failure no new item starts; the call rejects with that failure
 * once the calls already in flight have settled, so nothing is still writing when the caller cleans up.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length && !failure) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  });
  await Promise.all(lanes);
  if (failure) throw failure.err;
}

/**
 * Like Promise.all, but settles only when every promise has: on a failure the caller's clean-up must not race
 * activities that are still writing. Rejects with the first failure in the order given.
 */
export async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export async function runSceneDag(acts: SceneActivities, input: ProcessSceneInput, hooks: DagHooks): Promise<SceneResult> {
  const progress: SceneProgress = { sceneId: input.sceneId ?? null, stage: 'plan', tilesDone: 0, tilesTotal: 0, products: {} };
  const report = () => hooks.onProgress({ ...progress, products: { ...progress.products } });
  report();

  const plan = await acts.planScene(input);
  hooks.onPlan?.(plan);
  if (acts.processSceneInline && plan.products.length > 0 && plan.tilesAcross * plan.tilesDown <= (input.inlineMaxTiles ?? INLINE_MAX_TILES)) {
    progress.sceneId = plan.sceneId;
    progress.stage = 'tiles';
    report();
    const result = await acts.processSceneInline({ input, plan });
    hooks.onSummary?.(result.summary);
    const tiles = plan.tilesAcross * plan.tilesDown;
    hooks.onProgress({ ...progress, stage: 'done', tilesDone: tiles, tilesTotal: tiles, products: Object.fromEntries(plan.partitions.map((p) => [p.variant, 'done'])) });
    return result;
  }
  return runPlannedScene(acts, input, plan, hooks);
}

/** The stages after the plan: tiles, COGs, tables and previews, publish, clean-up. */
export async function runPlannedScene(acts: SceneActivities, input: ProcessSceneInput, plan: ScenePlan, hooks: DagHooks): Promise<SceneResult> {
  const progress: SceneProgress = { sceneId: plan.sceneId, stage: 'tiles', tilesDone: 0, tilesTotal: 0, products: {} };
  const report = () => hooks.onProgress({ ...progress, products: { ...progress.products } });
  const computing = plan.products.length > 0;
  const cogProducts = rasterProducts(plan);
  progress.sceneId = plan.sceneId;
  progress.tilesTotal = computing ? plan.tilesAcross * plan.tilesDown : 0;
  for (const o of plan.partitions) progress.products[o.variant] = o.action === 'skipped' ? 'done' : 'pending';

  let cogs: OutputFile[] = [];
  let tables: { outputs: OutputFile[]; partitions: Record<string, PartitionSummary> } = { outputs: [], partitions: {} };
  let previews: OutputFile[] = [];
  let vectors: VectorizeResult = { outputs: [], polygons: {} };
  let warped: OutputFile[] = [];
  // Every partition unchanged: no raster work, nothing written; the result is what the manifest records.
  if (computing) {
    progress.stage = 'tiles';
    report();
    const tiles: TileInput[] = [];
    for (let row = 0; row < plan.tilesDown; row++) {
      for (let col = 0; col < plan.tilesAcross; col++) tiles.push({ plan, col, row });
    }
    const tileConcurrency = input.tileConcurrency ?? DEFAULT_TILE_CONCURRENCY;
    const perActivity = tilesPerActivity(tiles.length);
    const processTiles = acts.processTiles;
    if (processTiles && perActivity > 1 && (hooks.mayBatchTiles?.() ?? true)) {
      // About as many tiles in flight as one activity per tile would have.
      const batches: TileBatchInput[] = [];
      for (let i = 0; i < tiles.length; i += perActivity) {
        batches.push({ plan, tiles: tiles.slice(i, i + perActivity).map(({ col, row }) => ({ col, row })) });
      }
      await forEachLimited(batches, Math.max(1, Math.ceil(tileConcurrency / perActivity)), async (batch) => {
        await processTiles(batch);
        progress.tilesDone += batch.tiles.length;
        report();
      });
    } else {
      await forEachLimited(tiles, tileConcurrency, async (tile) => {
        await acts.processTile(tile);
        progress.tilesDone++;
        report();
      });
    }

    progress.stage = 'assemble';
    report();
    const variant = (p: string) => plan.variants[p] ?? p;
    // settleAll, not Promise.all: after a failure the clean-up must not race assemblies that are still writing.
    cogs = await settleAll(
      cogProducts.map(async (product) => {
        progress.products[variant(product)] = 'running';
        report();
        const out = await acts.assembleCog({ plan, product });
        progress.products[variant(product)] = 'done';
        report();
        return out;
      }),
    );

    progress.stage = 'tables';
    report();
    // Vectors and reprojected copies read the COGs just written; they run beside the tables and previews.
    const wantsVectors = !!plan.vectors && plan.vectors.sources.length > 0;
    if (wantsVectors && !acts.vectorizeMasks) throw new Error('the plan asks for vectors but this worker has no vectorizeMasks activity');
    if (plan.reproject && !acts.warpCog) throw new Error('the plan asks for reprojected copies but this worker has no warpCog activity');
    const noVectors: VectorizeResult = { outputs: [], polygons: {} };
    [tables, previews, vectors, warped] = await settleAll([
      acts.writeTileStats({ plan }),
      wantsPreviews(plan.products, plan.definitions) ? acts.renderPreviews({ plan }) : Promise.resolve<OutputFile[]>([]),
      wantsVectors ? acts.vectorizeMasks!({ plan }) : Promise.resolve(noVectors),
      plan.reproject ? settleAll(cogProducts.map((product) => acts.warpCog!({ plan, product }))) : Promise.resolve<OutputFile[]>([]),
    ] as const);
    if (plan.products.includes('rgb')) progress.products[variant('rgb')] = 'done';
  }

  progress.stage = 'publish';
  report();
  const produced = [...cogs, ...tables.outputs, ...previews, ...vectors.outputs, ...warped];
  const published = await acts.publishScene({
    plan,
    outputs: produced,
    partitions: tables.partitions,
    ...(Object.keys(vectors.polygons).length ? { polygons: vectors.polygons } : {}),
  });
  hooks.onSummary?.(published.summary);

  if (computing) {
    progress.stage = 'cleanup';
    report();
    await acts.cleanupWork({ plan });
  }

  progress.stage = 'done';
  report();
  const outputs = published.outputs;
  const byRole = (role: OutputFile['role']) => outputs.filter((o) => o.role === role);
  return {
    sceneId: plan.sceneId,
    status: 'completed',
    partitions: plan.partitions,
    summary: published.summary,
    cogs: Object.fromEntries(byRole('cog').map((o) => [o.product ?? '', o.uri])),
    parquet: byRole('table').map((o) => o.uri),
    previews: Object.fromEntries(byRole('preview').map((o) => [o.product ?? '', o.uri])),
    stac: byRole('stac')[0]?.uri ?? '',
    manifest: byRole('manifest')[0]?.uri ?? '',
    outputs,
  };
}
