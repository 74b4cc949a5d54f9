/**
 * `tessera backfill --dry-run`: lists the source in this process and plans every scene with the real `planScene`
 * activity (it reads only the input's header and the existing output manifest), without a Temporal server and
 * without writing anything. The plan says, per product variant, whether a run would compute it or skip it and why.
 */
import { createActivities, InputCache } from '../activities';
import { listScenes } from '../platform/catalog/list-scenes';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import { createStoreRouter } from '../platform/storage/open-store';
import type { BackfillRequest } from '../workflows/backfill';
import type { SceneRef } from '../workflows/catalog-types';
import { sanitizeSceneId } from '../workflows/run-ids';
import type { DryRunReport, DryRunScene, DryRunTotals } from '../workflows/backfill-types';
import type { PartitionOutcome, ProcessSceneInput, ScenePlan } from '../workflows/types';
import { codeVersion } from './code-version';
import { ThreadPool } from './pool';

/** Scenes planned at once: each plan is a few small reads, so the listing and the plans overlap. */
const PLAN_CONCURRENCY = 8;

export async function dryRunBackfill(config: Config, backfillId: string, request: BackfillRequest, opts: { logger: Logger }): Promise<DryRunReport> {
  const store = createStoreRouter(config);
  // Size 0: nothing here decodes pixels, and the plan never uses the pool.
  const pool = new ThreadPool(0);
  const inputs = new InputCache(store);
  try {
    // The plan logs one info line per scene; here the report is the output, so only warnings get through.
    const logger = opts.logger.child({ component: 'dry-run' }, { level: opts.logger.isLevelEnabled('debug') ? opts.logger.level : 'warn' });
    const { planScene } = createActivities({ store, pool, logger, codeVersion: codeVersion() }, inputs);
    const plan = async (ref: SceneRef): Promise<DryRunScene> => {
      const sceneId = sanitizeSceneId(ref.id);
      const input: ProcessSceneInput = {
        // As the backfill's children do: the asset the listing picked, with its item.
        input: ref.assetUri,
        sourceItemUri: ref.itemUri,
        sceneId,
        out: request.out,
        products: request.products,
        params: request.params,
        wavelengthsNm: request.wavelengthsNm,
        backfillId,
      };
      if (ref.unusable) return { ref, sceneId, partitions: [], error: ref.unusable };
      try {
        return describePlan(ref, await planScene(input));
      } catch (err) {
        return { ref, sceneId, partitions: [], error: firstLine(err) };
      }
    };

    const scenes: DryRunScene[] = [];
    // A window of plans in flight, drained in listing order so the report reads like the listing.
    const window: Promise<DryRunScene>[] = [];
    for await (const ref of listScenes(store, request.source, request.filters, { concurrency: PLAN_CONCURRENCY })) {
      window.push(plan(ref));
      if (window.length >= PLAN_CONCURRENCY) scenes.push(await window.shift()!);
    }
    for (const p of window) scenes.push(await p);
    return { backfillId, request, scenes, totals: totalsOf(scenes) };
  } finally {
    await inputs.close();
    await pool.close();
  }
}

function describePlan(ref: SceneRef, plan: ScenePlan): DryRunScene {
  // Until every plan carries partitions, a plan without them computes each product it lists.
  const partitions: PartitionOutcome[] =
    plan.partitions ?? plan.products.map((product) => ({ variant: product, product, key: '', action: 'computed', reason: 'planned' }));
  return {
    ref,
    sceneId: plan.sceneId,
    inputUri: plan.inputUri,
    inputSizeBytes: plan.inputSizeBytes,
    width: plan.width,
    height: plan.height,
    bandCount: plan.bandCount,
    partitions,
  };
}

function totalsOf(scenes: DryRunScene[]): DryRunTotals {
  const totals: DryRunTotals = { scenes: scenes.length, failed: 0, partitionsToRun: 0, partitionsToSkip: 0, inputBytes: 0, pixels: 0 };
  for (const s of scenes) {
    if (s.error !== undefined) totals.failed++;
    for (const p of s.partitions) {
      if (p.action === 'skipped') totals.partitionsToSkip++;
      else totals.partitionsToRun++;
    }
    totals.inputBytes += s.inputSizeBytes ?? 0;
    totals.pixels += (s.width ?? 0) * (s.height ?? 0);
  }
  return totals;
}

function firstLine(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0];
}
