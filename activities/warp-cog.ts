import { performance } from 'node:perf_hooks';
import { CogBuilder, type CogSpec } from '../raster/cog/builder';
import { downsample2x } from '../raster/cog/overview';
import type { WarpSampleType, WarpTileJob, WarpTileOutput } from '../raster/jobs/warp-tile';
import { writeCog } from './write-cog';
import { Tiff } from '../raster/tiff/tiff';
import { WarpInputError } from '../raster/warp/errors';
import { groupTileRows, planWarpTiles, type WarpTilePlan, type WarpTileRowPlan } from '../raster/warp/plan';
import type { OutputFile, RasterProduct, ReprojectPlan, ScenePlan } from '../workflows/types';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import { cogUri, reprojectedCogUri } from './output-keys';
import { productCogSpec, TILE_SIZE_PX } from './product-spec';
import { prefetchInOrder } from './prefetch';
import { TileSpill } from './tile-spill';
import { WarpSource } from './warp-source';

const WARP_SAMPLE_TYPES: readonly string[] = ['float32', 'uint8', 'int16'] satisfies WarpSampleType[];

/**
 * A COG copy of one product in plan.reproject's CRS, on the grid the plan fixed (gdalwarp's default): reads the
 * product's COG from the output store, one band of source rows per row of target tiles, warps each 512-px target
 * tile in the thread pool from its own window (halo included), and streams the tiles in row-major order into a
 * CogBuilder whose overviews, compression and metadata are the original's. Written atomically, hashed as written.
 *
 * Warps in flight are bounded (threads + 1) and encoded tiles wait in a local temporary file (TileSpill), so
 * memory stays at a few windows and tiles, one band of source rows and the compressed overviews, whatever the
 * size of the copy.
 */
export function createWarpCog(deps: ActivityDeps) {
  return async function warpCog({ plan, product }: { plan: ScenePlan; product: RasterProduct }): Promise<OutputFile> {
    const reproject = plan.reproject;
    const variant = plan.variants[product] ?? product;
    if (!reproject) throw new WarpInputError(variant, 'the plan asks for no reprojection');
    const log = activityLogger(deps.logger, { scene: plan.sceneId, product, epsg: reproject.epsg });
    const method = reproject.resampling[product] ?? 'bilinear';
    let tilesDone = 0;
    let tiles = 0;
    let bytesWritten = 0;
    return withHeartbeat(
      () => ({ product, tilesDone, tiles, bytesWritten }),
      async (signal) => {
        const started = performance.now();
        if (plan.epsg === null || !plan.geoTransform) throw new WarpInputError(variant, 'the scene has no CRS or geotransform to reproject from');
        const srcGrid = { epsg: plan.epsg, geoTransform: plan.geoTransform, width: plan.width, height: plan.height };
        const dstGrid = { epsg: reproject.epsg, geoTransform: reproject.geoTransform, width: reproject.width, height: reproject.height };
        const spec = reprojectedSpec(productCogSpec(plan, product), plan, reproject, method);
        if (!WARP_SAMPLE_TYPES.includes(spec.sampleType)) throw new WarpInputError(variant, `a ${spec.sampleType} product cannot be warped`);
        const sampleType = spec.sampleType as WarpSampleType;
        const nodata = spec.nodata ?? (sampleType === 'float32' ? NaN : 0);

        const sourceUri = cogUri(plan.outUri, plan.sceneId, variant);
        const source = deps.store.source(sourceUri);
        let spill: TileSpill | undefined;
        try {
          const tiff = await Tiff.open(source);
          const image = tiff.images[0];
          if (image.width !== plan.width || image.height !== plan.height) {
            throw new WarpInputError(sourceUri, `is ${image.width}x${image.height}, the plan's scene ${plan.width}x${plan.height}`);
          }
          const rows = groupTileRows(planWarpTiles(srcGrid, dstGrid, { method, tileSizePx: TILE_SIZE_PX }));
          const plans = rows.flatMap((r) => r.tiles.map((tile) => ({ tile, row: r })));
          tiles = plans.length;
          const rowsOf = new WarpSource(image, signal);
          // Windows are cut in tile order (the source band slides down), so each cut waits for the one before.
          let cutChain: Promise<unknown> = Promise.resolve();
          const warp = async ({ tile: p, row }: { tile: WarpTilePlan; row: WarpTileRowPlan }): Promise<{ p: WarpTilePlan; out: WarpTileOutput }> => {
            const cut = cutChain.then(() => (p.source ? rowsOf.cut(row, p.source) : null));
            cutChain = cut.catch(() => undefined);
            const pixels = await cut;
            const job: WarpTileJob = {
              source: p.source && pixels ? { ...p.source, pixels } : null,
              srcGrid,
              dstGrid,
              tile: p.tile,
              sampleType,
              nodata,
              method,
              tileSizePx: TILE_SIZE_PX,
            };
            const out = (await deps.pool.run({ kind: 'warp-tile', job }, pixels ? [pixels.buffer as ArrayBuffer] : [], signal)) as WarpTileOutput;
            return { p, out };
          };
          const builder = new CogBuilder(spec, {
            encodeTile: async (encoding, px) => (await deps.pool.run({ kind: 'encode-tile', encoding, pixels: px }, [px.buffer as ArrayBuffer], signal)) as Uint8Array,
          });
          const overviews = builder.levels.length > 1;
          spill = await TileSpill.create();
          let validPixels = 0;
          // Row-major order lets the builder encode and free overview rows early.
          for await (const { p, out } of prefetchInOrder(plans, (deps.pool.size ?? 1) + 1, warp)) {
            if (out.outsideWindow > 0) log.warn({ tile: `${p.col}_${p.row}`, outsideWindow: out.outsideWindow }, 'warp needed samples outside the planned window');
            validPixels += out.validCount;
            // Reduced before encoding: the encoder thread takes the pixels' buffer. The padding is nodata already.
            const half = overviews ? downsample2x(out.pixels, TILE_SIZE_PX, TILE_SIZE_PX, 1, { nodata: spec.nodata, method: spec.overviewResampling }).pixels : null;
            const encoded = (await deps.pool.run({ kind: 'encode-tile', encoding: builder.encoding, pixels: out.pixels }, [out.pixels.buffer as ArrayBuffer], signal)) as Uint8Array;
            await builder.addEncodedTile(p.col, p.row, await spill.add(encoded), half);
            tilesDone++;
          }

          const target = reprojectedCogUri(plan.outUri, plan.sceneId, variant, reproject.epsg);
          const info = await writeCog(deps.store, target, builder, signal, (n) => (bytesWritten += n));
          log.info(
            { uri: target, sizeBytes: info.sizeBytes, width: dstGrid.width, height: dstGrid.height, method, tiles, validPixels, blockRowsRead: rowsOf.blockRowsRead, ms: Math.round(performance.now() - started) },
            'reprojected cog written',
          );
          const gt = reproject.geoTransform;
          return {
            uri: target,
            sizeBytes: info.sizeBytes,
            sha256: info.sha256,
            role: 'reprojected',
            product: variant,
            // STAC proj:transform is the affine's first two rows, [a, b, c, d, e, f]: GDAL's [1, 2, 0, 4, 5, 3].
            proj: { epsg: reproject.epsg, shape: [dstGrid.height, dstGrid.width], transform: [gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]] },
          };
        } finally {
          await spill?.close();
          await source.close?.();
        }
      },
    );
  };
}

/** The original's COG profile on the target grid: same samples, nodata, compression, band and metadata. */
function reprojectedSpec(spec: CogSpec, plan: ScenePlan, reproject: ReprojectPlan, method: string): CogSpec {
  return {
    ...spec,
    width: reproject.width,
    height: reproject.height,
    geo: { epsg: reproject.epsg, geoTransform: [...reproject.geoTransform] },
    datasetMetadata: {
      ...spec.datasetMetadata,
      TESSERA_REPROJECTED_FROM: `EPSG:${plan.epsg}`,
      TESSERA_RESAMPLING: method,
    },
  };
}
