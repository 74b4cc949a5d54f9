/**
 * The scene DAG: plan → tiles (bounded fan-out) → one COG per product → tile-statistics tables and previews →
 * STAC item + manifest (last) → cleanup of intermediates.
 *
 * Pure and deterministic: it only calls the activities it is given and plain promises, so the same code runs inside
 * the Temporal workflow (activities are proxies, durable and retried) and in-process for `tessera run --local`.
 */
import type {
  OutputFile,
  ProcessSceneInput,
  RasterProduct,
  SceneProgress,
  ScenePlan,
  SceneResult,
  SceneSummary,
  TileInput,
  TileResult,
} from './types';
import { RASTER_PRODUCTS, wantsPreviews } from './types';

export interface SceneActivities {
  planScene(input: ProcessSceneInput): Promise<ScenePlan>;
  processTile(input: TileInput): Promise<TileResult>;
  assembleCog(input: { plan: ScenePlan; product: RasterProduct }): Promise<OutputFile>;
  writeTileStats(input: { plan: ScenePlan }): Promise<{ outputs: OutputFile[]; summary: SceneSummary }>;
  renderPreviews(input: { plan: ScenePlan }): Promise<OutputFile[]>;
  publishScene(input: { plan: ScenePlan; outputs: OutputFile[]; summary: SceneSummary }): Promise<OutputFile[]>;
  cleanupWork(input: { plan: ScenePlan }): Promise<void>;
}

export interface DagHooks {
  /** Called after every state change; the workflow mirrors it into its query state and search attributes. */
  onProgress(progress: SceneProgress): void;
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
  const cogProducts = RASTER_PRODUCTS.filter((p) => plan.products.includes(p));
  progress.sceneId = plan.sceneId;
  progress.tilesTotal = plan.tilesAcross * plan.tilesDown;
  for (const p of plan.products) progress.products[p] = 'pending';
  progress.stage = 'tiles';
  report();

  const tiles: TileInput[] = [];
  for (let row = 0; row < plan.tilesDown; row++) {
    for (let col = 0; col < plan.tilesAcross; col++) tiles.push({ plan, col, row });
  }
  await forEachLimited(tiles, input.tileConcurrency ?? DEFAULT_TILE_CONCURRENCY, async (tile) => {
    await acts.processTile(tile);
    progress.tilesDone++;
    report();
  });

  progress.stage = 'assemble';
  report();
  // settleAll, not Promise.all: after a failure the clean-up must not race assemblies that are still writing.
  const cogs = await settleAll(
    cogProducts.map(async (product) => {
      progress.products[product] = 'running';
      report();
      const out = await acts.assembleCog({ plan, product });
      progress.products[product] = 'done';
      report();
      return out;
    }),
  );

  progress.stage = 'tables';
  report();
  const [tables, previews] = await settleAll([
    acts.writeTileStats({ plan }),
    wantsPreviews(plan.products) ? acts.renderPreviews({ plan }) : Promise.resolve<OutputFile[]>([]),
  ] as const);
  if (plan.products.includes('rgb')) progress.products.rgb = 'done';
  hooks.onSummary?.(tables.summary);

  progress.stage = 'publish';
  report();
  const produced = [...cogs, ...tables.outputs, ...previews];
  const published = await acts.publishScene({ plan, outputs: produced, summary: tables.summary });

  progress.stage = 'cleanup';
  report();
  await acts.cleanupWork({ plan });

  progress.stage = 'done';
  report();
  const outputs = [...produced, ...published];
  return {
    sceneId: plan.sceneId,
    status: 'completed',
    summary: tables.summary,
    cogs: Object.fromEntries(cogs.map((o) => [o.product ?? '', o.uri])),
    parquet: tables.outputs.map((o) => o.uri),
    previews: Object.fromEntries(previews.map((o) => [o.product ?? '', o.uri])),
    stac: published.find((o) => o.role === 'stac')?.uri ?? '',
    manifest: published.find((o) => o.role === 'manifest')?.uri ?? '',
    outputs,
  };
}
