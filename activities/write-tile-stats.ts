import { hiveKey, statsTableToParquet, type TileStatsRow } from '../raster/parquet/stats-table';
import { sha256Hex } from '../raster/stac/manifest';
import { RASTER_PRODUCTS, type OutputFile, type ScenePlan, type SceneSummary } from '../workflows/types';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import { tileStatsTableRoot, tilePartUri } from './output-keys';
import { tiles, windowBbox } from './scene-geometry';
import { PREFETCH_DEPTH, readTilePartHead } from './tile-parts';
import { prefetchInOrder } from './prefetch';

/**
 * Collects the statistics every tile job stored in its tile parts into one Parquet file per product, under
 * hive partitions `scene=<id>/product=<p>`, and sums the scene's bloom counters.
 */
export function createWriteTileStats(deps: ActivityDeps) {
  return async function writeTileStats({ plan }: { plan: ScenePlan }): Promise<{ outputs: OutputFile[]; summary: SceneSummary }> {
    const log = activityLogger(deps.logger, { scene: plan.sceneId });
    let done = 0;
    return withHeartbeat(
      () => ({ done }),
      async (signal) => {
        const products = RASTER_PRODUCTS.filter((p) => plan.products.includes(p));
        const summary: SceneSummary = { validPixels: 0, waterPixels: 0, bloomPixels: 0, bloomFraction: null, products: {} };
        const outputs: OutputFile[] = [];
        // Water pixels with a valid NDCI: the denominator of the bloom fraction.
        let ndciWaterPixels = 0;
        for (const product of products) {
          const rows: TileStatsRow[] = [];
          let sum = 0;
          let valid = 0;
          let count = 0;
          let min = Infinity;
          let max = -Infinity;
          const heads = prefetchInOrder([...tiles(plan)], PREFETCH_DEPTH, async (t) => ({
            t,
            layout: (await readTilePartHead(deps.store, tilePartUri(plan.workUri, product, t.col, t.row), signal)).layout,
          }));
          for await (const { t, layout } of heads) {
            const s = layout.header.stats;
            const bbox = plan.geoTransform ? windowBbox(plan.geoTransform, t.x, t.y, t.width, t.height) : [NaN, NaN, NaN, NaN];
            rows.push({
              scene: plan.sceneId,
              product,
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
              bloomFraction: product === 'ndci' ? (s.bloomFraction ?? null) : null,
            });
            count += s.count ?? 0;
            valid += s.validCount ?? 0;
            if (s.mean !== null && s.mean !== undefined) sum += s.mean * (s.validCount ?? 0);
            if (s.min !== null && s.min !== undefined) min = Math.min(min, s.min);
            if (s.max !== null && s.max !== undefined) max = Math.max(max, s.max);
            if (product === 'water') {
              summary.validPixels += s.validCount ?? 0;
              summary.waterPixels += Math.round((s.mean ?? 0) * (s.validCount ?? 0));
            }
            if (product === 'ndci') {
              summary.bloomPixels += s.bloomPixels ?? 0;
              ndciWaterPixels += s.waterPixels ?? 0;
            }
            done++;
          }
          summary.products[product] = {
            minimum: valid ? min : null,
            maximum: valid ? max : null,
            mean: valid ? sum / valid : null,
            validPercent: count ? (100 * valid) / count : 0,
          };
          const bytes = statsTableToParquet(rows);
          const uri = hiveKey(tileStatsTableRoot(plan.outUri), plan.sceneId, product);
          const info = await deps.store.put(uri, bytes, { contentType: 'application/vnd.apache.parquet' });
          outputs.push({ uri, sizeBytes: info.sizeBytes, sha256: sha256Hex(bytes), role: 'table', product });
        }
        if (!plan.products.includes('water')) summary.waterPixels = ndciWaterPixels;
        if (plan.products.includes('ndci') && ndciWaterPixels > 0) summary.bloomFraction = summary.bloomPixels / ndciWaterPixels;
        log.info({ summary }, 'tile statistics written');
        return { outputs, summary };
      },
    );
  };
}
