/**
 * Stand-ins for every scene activity (workflows/scene-dag.ts SceneActivities, processSceneInline included) that
 * plan a scene of a given tile grid and record each call, so a test of the real `processScene` workflow can check
 * which stages ran, how often and in what order.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { SceneActivities } from '../../workflows/scene-dag';
import type { OutputFile, PartitionOutcome, ProcessSceneInput, RasterProduct, ScenePlan, SceneResult, SceneSummary, TileInput, TileResult } from '../../workflows/types';

export interface SceneStubOptions {
  tilesAcross: number;
  tilesDown: number;
  /** Every asked partition is recorded unchanged in the manifest: the plan computes nothing. */
  allSkipped?: boolean;
  /** This tile fails with a non-retryable ApplicationFailure (FAILING_TILE_TYPE, failingTileMessage). */
  failTile?: { col: number; row: number };
  /** How long a tile takes. @default 30 */
  tileMs?: number;
}

export type SceneActivityName = keyof Required<SceneActivities> | 'processTiles';

export interface SceneCall {
  name: SceneActivityName;
  /** `col,row` for a tile, the tiles of a batch (space-separated), the product for a COG. */
  detail?: string;
}

export interface SceneStubLog {
  calls: SceneCall[];
  /** `col,row` of every tile processed, by either activity, in the order they started. */
  tiles: string[];
  tilesInFlight: number;
  maxTilesInFlight: number;
}

export const FAILING_TILE_TYPE = 'RasterError';

export function failingTileMessage(col: number, row: number): string {
  return `tile ${col},${row}: strip 3 ends at byte 81920, past the end of the file (65536 bytes)`;
}

const SUMMARY: SceneSummary = {
  validPixels: 100,
  waterPixels: 40,
  bloomPixels: 4,
  validAreaKm2: 0.0025,
  waterAreaKm2: 0.001,
  bloomAreaKm2: 0.0001,
  bloomFraction: 0.1,
  products: {},
};

function output(plan: ScenePlan, role: OutputFile['role'], name: string, product?: string): OutputFile {
  return { uri: `${plan.outUri}/scenes/${plan.sceneId}/${name}`, sizeBytes: 1, sha256: '0'.repeat(64), role, ...(product ? { product } : {}) };
}

/** The plan the stub planScene returns for `input`. */
export function stubPlan(input: ProcessSceneInput, opts: SceneStubOptions): ScenePlan {
  const sceneId = input.sceneId ?? 'stub-scene';
  const partitions: PartitionOutcome[] = input.products.map((product) => ({
    variant: product,
    product,
    key: `${sceneId}/${product}/k1`,
    action: opts.allSkipped ? 'skipped' : 'computed',
    inputIdentity: `${input.input}#1`,
    definitionHash: 'd1',
    codeVersion: 'pipeline.v1',
    reason: opts.allSkipped ? 'unchanged' : 'new',
  }));
  const plan = {
    sceneId,
    inputUri: input.input,
    inputSizeBytes: 65536,
    sensorName: 'Dragonette (stub)',
    datetime: null,
    width: opts.tilesAcross * 512 - 100,
    height: opts.tilesDown * 512 - 100,
    bandCount: 23,
    tileSizePx: 512,
    tilesAcross: opts.tilesAcross,
    tilesDown: opts.tilesDown,
    products: opts.allSkipped ? [] : [...input.products],
    variants: Object.fromEntries(input.products.map((p) => [p, p])),
    params: {},
    // No definitions of their own: the DAG falls back to the built-in registry (workflows/products.ts).
    definitions: {},
    inputVersion: { sizeBytes: 65536 },
    nodata: -9999,
    epsg: 4326,
    geoTransform: [-83.3, 6e-5, 0, 41.8, 0, -4.5e-5],
    bands: {},
    previewFactor: 4,
    workUri: `${input.out}/_work/${sceneId}/`,
    outUri: input.out,
    paramsHash: 'abcdef012345',
    // Map outputs as planScene resolves them (activities/plan-scene.ts planMaps), for the products computed.
    ...(input.vectors && !opts.allSkipped
      ? {
          vectors: {
            sources: input.vectors.products.map((name) => (name === 'bloom' ? { name, product: 'ndci', bloomThreshold: 0.3, valuesProduct: 'ndci' } : { name, product: name })),
            connectivity: input.vectors.connectivity,
            minAreaM2: input.vectors.minAreaM2,
            formats: input.vectors.formats,
          },
        }
      : {}),
    ...(input.reproject && !opts.allSkipped
      ? {
          reproject: {
            epsg: input.reproject.epsg,
            width: 100,
            height: 100,
            geoTransform: [0, 1, 0, 0, 0, -1],
            resampling: Object.fromEntries(input.products.filter((p) => p !== 'rgb').map((p) => [p, p === 'water' ? 'nearest' : 'bilinear'])),
          },
        }
      : {}),
    partitions,
  };
  // Asserted rather than annotated: ScenePlan grows fields the DAG does not read, and the stub sets the ones it does.
  return plan as ScenePlan;
}

/**
 * Every scene activity. Tiles may arrive one per `processTile` call or in batches (`processTiles`, one call per
 * batch, its tiles in turn); each tile is recorded once in `tiles` either way.
 */
export function createSceneStubs(opts: SceneStubOptions): { activities: SceneActivities; log: SceneStubLog } {
  const log: SceneStubLog = { calls: [], tiles: [], tilesInFlight: 0, maxTilesInFlight: 0 };
  const tileMs = opts.tileMs ?? 30;
  const tile = async (col: number, row: number): Promise<TileResult> => {
    log.tiles.push(`${col},${row}`);
    log.tilesInFlight++;
    log.maxTilesInFlight = Math.max(log.maxTilesInFlight, log.tilesInFlight);
    try {
      await new Promise((r) => setTimeout(r, tileMs));
      if (opts.failTile && opts.failTile.col === col && opts.failTile.row === row) {
        throw ApplicationFailure.nonRetryable(failingTileMessage(col, row), FAILING_TILE_TYPE);
      }
      return { col, row, validPixels: 10, waterPixels: 4, bloomPixels: 1 };
    } finally {
      log.tilesInFlight--;
    }
  };
  const activities = {
    async planScene(input: ProcessSceneInput) {
      log.calls.push({ name: 'planScene' });
      return stubPlan(input, opts);
    },
    async processTile({ col, row }: TileInput) {
      log.calls.push({ name: 'processTile', detail: `${col},${row}` });
      return tile(col, row);
    },
    async processTiles({ tiles }: { plan: ScenePlan; tiles: Array<{ col: number; row: number }> }) {
      log.calls.push({ name: 'processTiles', detail: tiles.map((t) => `${t.col},${t.row}`).join(' ') });
      const results: TileResult[] = [];
      for (const t of tiles) results.push(await tile(t.col, t.row));
      return results;
    },
    async assembleCog({ plan, product }: { plan: ScenePlan; product: RasterProduct }) {
      log.calls.push({ name: 'assembleCog', detail: product });
      return output(plan, 'cog', `${product}.tif`, product);
    },
    async writeTileStats({ plan }: { plan: ScenePlan }) {
      log.calls.push({ name: 'writeTileStats' });
      return { outputs: [output(plan, 'table', 'tile_stats.parquet')], partitions: {} };
    },
    async renderPreviews({ plan }: { plan: ScenePlan }) {
      log.calls.push({ name: 'renderPreviews' });
      return [output(plan, 'preview', 'rgb.png', 'rgb'), output(plan, 'preview', 'ndci.png', 'ndci')];
    },
    async publishScene({ plan, outputs }: { plan: ScenePlan; outputs: OutputFile[] }) {
      log.calls.push({ name: 'publishScene' });
      // With nothing computed, what the manifest recorded stands in for this run's outputs.
      const recorded = outputs.length > 0 ? outputs : plan.partitions.filter((p) => p.product !== 'rgb').map((p) => output(plan, 'cog', `${p.variant}.tif`, p.product));
      return { outputs: [...recorded, output(plan, 'stac', 'item.json'), output(plan, 'manifest', 'manifest.json')], summary: SUMMARY };
    },
    async vectorizeMasks({ plan }: { plan: ScenePlan }) {
      log.calls.push({ name: 'vectorizeMasks' });
      const sources = plan.vectors?.sources ?? [];
      return {
        outputs: sources.map((v) => output(plan, 'vector', `vectors/${v.name}.parquet`, v.product)),
        polygons: Object.fromEntries(sources.map((v) => [v.product, { [v.name]: 1 }])),
      };
    },
    async warpCog({ plan, product }: { plan: ScenePlan; product: string }) {
      log.calls.push({ name: 'warpCog' });
      return output(plan, 'reprojected', `${product}.${plan.reproject?.epsg}.tif`, product);
    },
    async cleanupWork() {
      log.calls.push({ name: 'cleanupWork' });
    },
    async processSceneInline({ plan }: { plan: ScenePlan }): Promise<SceneResult> {
      log.calls.push({ name: 'processSceneInline' });
      const cog = output(plan, 'cog', 'ndwi.tif', 'ndwi');
      return {
        sceneId: plan.sceneId,
        status: 'completed',
        partitions: plan.partitions,
        summary: SUMMARY,
        cogs: { ndwi: cog.uri },
        parquet: [],
        previews: {},
        stac: output(plan, 'stac', 'item.json').uri,
        manifest: output(plan, 'manifest', 'manifest.json').uri,
        outputs: [cog],
      };
    },
  };
  // Every activity of the interface, processSceneInline included.
  const checked: Required<SceneActivities> = activities;
  return { activities: checked, log };
}
