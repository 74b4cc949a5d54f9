import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { featuresToGeoParquet } from '../raster/geoparquet/write';
import { sha256Hex } from '../raster/stac/manifest';
import { MaskVectorizer, type VectorFeature } from '../raster/vector/features';
import { featuresToGeoJson } from '../raster/vector/geojson';
import type { VectorizeResult } from '../workflows/scene-dag';
import type { OutputFile, ScenePlan, VectorFormat, VectorSource } from '../workflows/types';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import { openMaskRows } from './mask-rows';
import { vectorUri } from './output-keys';

const CONTENT_TYPES: Record<VectorFormat, string> = {
  geoparquet: 'application/vnd.apache.parquet',
  geojson: 'application/geo+json',
};

/**
 * Polygons of the plan's masks (plan.vectors): each mask COG is read one tile row at a time into a streaming
 * vectorizer (connectivity and minimum area from the plan), and its features are written in every asked format.
 *
 * The tracing runs on this activity's event loop, not in the thread pool: the sweep carries its open rings and
 * run labels from one row band to the next, so it cannot be cut into independent tasks, and moving that state
 * between threads for every band would cost more than the tracing. The loop yields between bands so heartbeats
 * and other activities keep flowing: a band of an 8192-px-wide scene (4 Mpx) holds the loop for about 5-10 ms
 * of tracing for lake-like masks and about 150 ms for a speckled one with tens of thousands of regions
 * (bench/vector.bench.ts, 2048² masks), well inside the heartbeat interval.
 */
export function createVectorizeMasks(deps: ActivityDeps) {
  return async function vectorizeMasks({ plan }: { plan: ScenePlan }): Promise<VectorizeResult> {
    const log = activityLogger(deps.logger, { scene: plan.sceneId });
    const result: VectorizeResult = { outputs: [], polygons: {} };
    const vectors = plan.vectors;
    if (!vectors) return result;
    const progress = { mask: '', rows: 0 };
    return withHeartbeat(
      () => ({ ...progress }),
      async (signal) => {
        for (const source of vectors.sources) {
          progress.mask = source.name;
          progress.rows = 0;
          const t0 = performance.now();
          const { features, epsg } = await traceMask(deps, plan, source, vectors, signal, (rows) => (progress.rows = rows));
          const traceMs = performance.now() - t0;
          const variant = plan.variants[source.product] ?? source.product;
          for (const format of vectors.formats) {
            result.outputs.push(await writeFormat(deps, plan, source, format, { features, epsg }, variant));
          }
          (result.polygons[variant] ??= {})[source.name] = features.length;
          log.info(
            {
              mask: source.name,
              product: variant,
              polygons: features.length,
              pixels: features.reduce((n, f) => n + f.pixelCount, 0),
              areaM2: features.reduce((a, f) => a + f.areaM2, 0),
              connectivity: vectors.connectivity,
              minAreaM2: vectors.minAreaM2,
              formats: vectors.formats,
              traceMs: Math.round(traceMs),
              totalMs: Math.round(performance.now() - t0),
            },
            'mask vectorised',
          );
        }
        return result;
      },
    );
  };
}

async function traceMask(
  deps: ActivityDeps,
  plan: ScenePlan,
  source: VectorSource,
  opts: NonNullable<ScenePlan['vectors']>,
  signal: AbortSignal | undefined,
  onRows: (rows: number) => void,
): Promise<{ features: VectorFeature[]; epsg: number }> {
  const rows = await openMaskRows(deps.store, plan, source);
  try {
    const vectorizer = new MaskVectorizer({ grid: rows.grid, connectivity: opts.connectivity, minAreaM2: opts.minAreaM2 });
    for await (const band of rows.bands(signal)) {
      signal?.throwIfAborted();
      vectorizer.pushRows(band.mask, band.rows, band.values);
      onRows(band.y + band.rows);
      await nextTurn();
    }
    return { features: vectorizer.finish(), epsg: rows.grid.epsg };
  } finally {
    await rows.close();
  }
}

async function writeFormat(
  deps: ActivityDeps,
  plan: ScenePlan,
  source: VectorSource,
  format: VectorFormat,
  traced: { features: VectorFeature[]; epsg: number },
  variant: string,
): Promise<OutputFile> {
  const { features, epsg } = traced;
  // An input without an acquisition time is dated by processing time, as its STAC item is (publishScene).
  const datetime = plan.datetime ?? new Date().toISOString();
  const input = { features, epsg, sceneId: plan.sceneId, datetime, class: source.name };
  const bytes = format === 'geoparquet' ? featuresToGeoParquet(input) : new TextEncoder().encode(featuresToGeoJson(input));
  const uri = vectorUri(plan.outUri, plan.sceneId, source.name, format);
  const info = await deps.store.put(uri, bytes, { contentType: CONTENT_TYPES[format] });
  return { uri, sizeBytes: info.sizeBytes, sha256: sha256Hex(bytes), role: 'vector', product: variant, vector: { name: source.name, format, polygons: features.length } };
}
