import { CogBuilder } from '../raster/cog/builder';
import { halfBlockFromBytes } from '../raster/jobs/tile-part';
import type { OutputFile, RasterProduct, ScenePlan } from '../workflows/types';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import { cogUri, tilePartUri } from './output-keys';
import { productCogSpec } from './product-spec';
import { PREFETCH_DEPTH, readTilePartHead, readTilePartRange } from './tile-parts';
import { prefetchInOrder } from './prefetch';
import { tiles } from './scene-geometry';
import { writeCog } from './write-cog';

/**
 * Splices the compressed tiles of one product into a COG without decompressing them: reads each tile part's
 * reduced block for the overviews (encoded in the thread pool), then streams header, overviews and full-resolution
 * tiles into an atomic writer (write-cog.ts), hashing as it goes.
 */
export function createAssembleCog(deps: ActivityDeps) {
  return async function assembleCog({ plan, product }: { plan: ScenePlan; product: RasterProduct }): Promise<OutputFile> {
    const log = activityLogger(deps.logger, { scene: plan.sceneId, product });
    let tilesRead = 0;
    let bytesWritten = 0;
    return withHeartbeat(
      () => ({ product, tilesRead, bytesWritten }),
      async (signal) => {
        const spec = productCogSpec(plan, product);
        const builder = new CogBuilder(spec, {
          encodeTile: async (encoding, pixels) => (await deps.pool.run({ kind: 'encode-tile', encoding, pixels }, [], signal)) as Uint8Array,
        });
        const parts = prefetchInOrder([...tiles(plan)], PREFETCH_DEPTH, async ({ col, row }) => {
          const uri = tilePartUri(plan.workUri, product, col, row);
          const { layout, head } = await readTilePartHead(deps.store, uri, signal);
          const halfBytes = layout.header.half
            ? await readTilePartRange(deps.store, uri, head, layout.halfOffset, layout.header.half.byteLength, signal)
            : null;
          return { col, row, uri, layout, head, halfBytes };
        });
        // Tiles are added in row-major order, which lets the builder encode and free overview rows early.
        for await (const { col, row, uri, layout, head, halfBytes } of parts) {
          const tileRef = {
            byteLength: layout.header.tileByteLength,
            load: () => readTilePartRange(deps.store, uri, head, layout.tileOffset, layout.header.tileByteLength, signal),
          };
          await builder.addEncodedTile(col, row, tileRef, halfBytes ? halfBlockFromBytes(layout, halfBytes) : null);
          tilesRead++;
        }
        const target = cogUri(plan.outUri, plan.sceneId, plan.variants[product] ?? product);
        const info = await writeCog(deps.store, target, builder, signal, (n) => (bytesWritten += n));
        log.info({ uri: target, sizeBytes: info.sizeBytes }, 'cog written');
        return { uri: target, sizeBytes: info.sizeBytes, sha256: info.sha256, role: 'cog', product: plan.variants[product] ?? product };
      },
    );
  };
}
