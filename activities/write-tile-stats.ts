import { DEFAULT_HISTOGRAM_RANGE } from '../raster/jobs/products/definition';
import { hiveKey, statsTableToParquet, type TileStatsRow } from '../raster/parquet/stats-table';
import { sha256Hex } from '../raster/stac/manifest';
import { productDefinition } from '../workflows/products';
import { rasterProducts, type OutputFile, type PartitionSummary, type ScenePlan } from '../workflows/types';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import { tileStatsTableRoot, tilePartUri } from './output-keys';
import { tiles, windowBbox } from './scene-geometry';
import { PREFETCH_DEPTH, readTilePartHead } from './tile-parts';
import { prefetchInOrder } from './prefetch';

export interface WriteTileStatsResult {
  outputs: OutputFile[];
  /** Per computed product variant: its scene-level numbers. */
  partitions: Record<string, PartitionSummary>;
}

/**
 * Collects the statistics every tile job stored in its tile parts into one Parquet file per product variant,
 * under hive partitions `scene=<id>/product=<variant>`, and sums each product's scene-level numbers: pixel and
 * area counters, min/max/mean, and p50/p98 from the merged tile histograms.
 */
export function createWriteTileStats(deps: ActivityDeps) {
  return async function writeTileStats({ plan }: { plan: ScenePlan }): Promise<WriteTileStatsResult> {
    const log = activityLogger(deps.logger, { scene: plan.sceneId });
    let done = 0;
    return withHeartbeat(
      () => ({ done }),
      async (signal) => {
        const products = rasterProducts(plan);
        const outputs: OutputFile[] = [];
        const partitions: Record<string, PartitionSummary> = {};
        for (const product of products) {
          const def = productDefinition(product, plan.definitions);
          const counters = def.statistics.counters;
          const variant = plan.variants[product] ?? product;
          const rows: TileStatsRow[] = [];
          const acc = { sum: 0, valid: 0, count: 0, min: Infinity, max: -Infinity, validPixels: 0, validAreaM2: 0, ownAreaM2: 0, waterPixels: 0, waterAreaM2: 0, bloomPixels: 0, bloomAreaM2: 0, ndciWater: 0 };
          let hist: number[] | undefined;
          const heads = prefetchInOrder([...tiles(plan)], PREFETCH_DEPTH, async (t) => ({
            t,
            layout: (await readTilePartHead(deps.store, tilePartUri(plan.workUri, product, t.col, t.row), signal)).layout,
          }));
          for await (const { t, layout } of heads) {
            const s = layout.header.stats;
            const bbox = plan.geoTransform ? windowBbox(plan.geoTransform, t.x, t.y, t.width, t.height) : [NaN, NaN, NaN, NaN];
            rows.push({
              scene: plan.sceneId,
              product: variant,
              tileCol: t.col,
              tileRow: t.row,
              x: t.x,
              y: t.y,
              width: t.width,
              height: t.height,
              bboxMinX: bbox[0],
              bboxMinY: bbox[1],
              bboxMaxX: bbox[2],
              bboxMaxY: bbox[3],
              count: s.count ?? 0,
              validCount: s.validCount ?? 0,
              min: s.min ?? null,
              max: s.max ?? null,
              mean: s.mean ?? null,
              std: s.std ?? null,
              p2: s.p2 ?? null,
              p50: s.p50 ?? null,
              p98: s.p98 ?? null,
              bloomFraction: counters === 'bloom' ? (s.bloomFraction ?? null) : null,
            });
            acc.count += s.count ?? 0;
            acc.valid += s.validCount ?? 0;
            if (s.mean !== null && s.mean !== undefined) acc.sum += s.mean * (s.validCount ?? 0);
            if (s.min !== null && s.min !== undefined) acc.min = Math.min(acc.min, s.min);
            if (s.max !== null && s.max !== undefined) acc.max = Math.max(acc.max, s.max);
            acc.validPixels += s.validPixels ?? 0;
            acc.validAreaM2 += s.validInputAreaM2 ?? 0;
            acc.ownAreaM2 += s.validAreaM2 ?? 0;
            acc.waterPixels += s.waterPixels ?? 0;
            acc.waterAreaM2 += s.waterAreaM2 ?? 0;
            acc.bloomPixels += s.bloomPixels ?? 0;
            acc.bloomAreaM2 += s.bloomAreaM2 ?? 0;
            acc.ndciWater += s.ndciWaterPixels ?? 0;
            const h = layout.header.histogram;
            if (h) {
              hist ??= new Array<number>(h.length).fill(0);
              for (let i = 0; i < h.length; i++) hist[i] += h[i];
            }
            done++;
          }
          const hasWater = counters !== undefined;
          const [p50, p98] = hist ? histogramPercentiles(hist, [50, 98], def.statistics.histogramRange) : [null, null];
          partitions[variant] = {
            validPixels: acc.validPixels,
            inputAreaM2: acc.validAreaM2,
            validAreaM2: acc.ownAreaM2,
            waterPixels: hasWater ? acc.waterPixels : null,
            waterAreaM2: hasWater ? acc.waterAreaM2 : null,
            bloomPixels: counters === 'bloom' ? acc.bloomPixels : null,
            bloomAreaM2: counters === 'bloom' ? acc.bloomAreaM2 : null,
            minimum: acc.valid ? acc.min : null,
            maximum: acc.valid ? acc.max : null,
            mean: acc.valid ? acc.sum / acc.valid : null,
            p50,
            p98,
            validPercent: acc.count ? (100 * acc.valid) / acc.count : 0,
          };
          if (counters === 'bloom') partitions[variant].bloomFraction = acc.ndciWater > 0 ? acc.bloomPixels / acc.ndciWater : null;
          const bytes = statsTableToParquet(rows);
          const uri = hiveKey(tileStatsTableRoot(plan.outUri), plan.sceneId, variant);
          const info = await deps.store.put(uri, bytes, { contentType: 'application/vnd.apache.parquet' });
          outputs.push({ uri, sizeBytes: info.sizeBytes, sha256: sha256Hex(bytes), role: 'table', product: variant });
        }
        log.info({ partitions }, 'tile statistics written');
        return { outputs, partitions };
      },
    );
  };
}

/**
 * Percentiles from merged bin counts over `range` (the product's histogram range), interpolating linearly inside
 * the bin (numpy's "linear" rank rule applied to the bin's uniform spread): exact to one bin width, 2 / 1024 ≈
 * 0.002 over [-1, 1]. Values outside the range were counted in the end bins.
 */
export function histogramPercentiles(counts: readonly number[], qs: readonly number[], range: readonly [number, number] = DEFAULT_HISTOGRAM_RANGE): Array<number | null> {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return qs.map(() => null);
  const [lo, hi] = range;
  const width = (hi - lo) / counts.length;
  return qs.map((q) => {
    const rank = (q / 100) * (total - 1);
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] === 0) continue;
      if (rank < seen + counts[i]) return lo + (i + (rank - seen + 0.5) / counts[i]) * width;
      seen += counts[i];
    }
    return hi;
  });
}
