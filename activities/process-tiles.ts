import { asyncLocalStorage, type Context } from '@temporalio/activity';
import type { TileBatchInput } from '../workflows/scene-dag';
import type { TileInput, TileResult } from '../workflows/types';
import { activityContext, activityLogger } from './context';
import type { ActivityDeps } from './deps';

/** What a batch heartbeats: the results of its finished tiles, and the details of the tile that beat last. */
export interface TileBatchProgress {
  finished: TileResult[];
  tile?: unknown;
}

/**
 * Tiles of one batch in flight at once. Two: while one tile computes in a pool thread the next one reads its
 * blocks, and a worker running several batches (one per activity slot) still has every thread fed.
 */
export const TILE_LANES = 2;

/**
 * Several tiles in one activity: `processTile` for each, TILE_LANES at a time, with the same outputs and keys as
 * one activity per tile. Each tile runs in a child of this activity's context whose heartbeats carry the batch's
 * finished results, so whichever heartbeat the server recorded last says which tiles are done; a retry skips them
 * and returns their recorded results with the rest. Cancellation reaches every tile through the shared signal.
 */
export function createProcessTiles(deps: ActivityDeps, processTile: (input: TileInput) => Promise<TileResult>) {
  return async function processTiles({ plan, tiles }: TileBatchInput): Promise<TileResult[]> {
    const ctx = activityContext();
    const key = (t: { col: number; row: number }) => `${t.col},${t.row}`;
    const finished = new Map<string, TileResult>();
    const wanted = new Set(tiles.map(key));
    for (const r of recordedResults(ctx?.info.heartbeatDetails)) if (wanted.has(key(r))) finished.set(key(r), r);
    const resumed = finished.size;

    let lastTile: unknown;
    const progress = (): TileBatchProgress => ({ finished: [...finished.values()], tile: lastTile });
    // Inherits info, cancellation and the logger from the activity's context; only heartbeat differs.
    const tileContext: Context | undefined = ctx
      ? Object.create(ctx, {
          heartbeat: {
            value: (details?: unknown) => {
              lastTile = details;
              ctx.heartbeat(progress());
            },
          },
        })
      : undefined;
    const runTile = (tile: TileInput) => (tileContext ? asyncLocalStorage.run(tileContext, () => processTile(tile)) : processTile(tile));

    const todo = tiles.filter((t) => !finished.has(key(t)));
    let next = 0;
    let failure: { err: unknown } | undefined;
    // As forEachLimited: after a failure nothing new starts, and the batch fails once the running tiles settled.
    const lane = async () => {
      while (next < todo.length && !failure) {
        const { col, row } = todo[next++];
        try {
          const result = await runTile({ plan, col, row });
          finished.set(key(result), result);
          ctx?.heartbeat(progress());
        } catch (err) {
          failure ??= { err };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(TILE_LANES, todo.length)) }, lane));
    // A cancelled batch ends as cancelled, whatever its tiles threw on the way out (the pool rejects a cancelled
    // task with TaskCancelledError): the SDK reports a cancellation only for the signal's CancelledFailure, and
    // the workflow would otherwise see a failed tile and end FAILED instead of CANCELLED.
    if (failure && ctx?.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    if (failure) throw failure.err;
    if (resumed > 0) activityLogger(deps.logger, { scene: plan.sceneId }).info({ resumed, tiles: tiles.length }, 'tile batch resumed');
    return tiles.map((t) => finished.get(key(t))!);
  };
}

/** Tile results from a previous attempt's heartbeat details; anything else (no details, another shape) is none. */
function recordedResults(details: unknown): TileResult[] {
  const list = (details as Partial<TileBatchProgress> | undefined)?.finished;
  if (!Array.isArray(list)) return [];
  return list.filter((r): r is TileResult => typeof r === 'object' && r !== null && Number.isInteger((r as TileResult).col) && Number.isInteger((r as TileResult).row));
}
