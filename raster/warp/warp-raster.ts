/**
 * A whole in-memory raster warped tile by tile (plan → window cut → warpTile → assembled), for tests,
 * benchmarks and small rasters; the pipeline runs the same three steps per tile in worker threads instead.
 */
import type { GridInput } from '../geo/grid';
import { warpTile, type WarpMethod } from './kernel';
import { planWarpTiles } from './plan';
import { suggestedWarpOutput, type WarpGrid } from './suggested-output';

export interface WarpRasterInput {
  /** The source band, row-major, srcGrid.width × srcGrid.height. */
  pixels: Float32Array | Uint8Array;
  srcGrid: GridInput;
  dstEpsg: number;
  method: WarpMethod;
  nodata: number;
  /** @default 512 */
  tileSizePx?: number;
}

/** The warped raster on gdalwarp's default grid for `dstEpsg`. */
export function warpRaster(input: WarpRasterInput): { grid: WarpGrid; pixels: Float32Array | Uint8Array } {
  const grid = suggestedWarpOutput(input.srcGrid, input.dstEpsg);
  const plans = planWarpTiles(input.srcGrid, grid, { method: input.method, tileSizePx: input.tileSizePx });
  const out = input.pixels instanceof Uint8Array ? new Uint8Array(grid.width * grid.height) : new Float32Array(grid.width * grid.height);
  const W = input.srcGrid.width;
  for (const p of plans) {
    // The window is a view into the whole raster: no copy.
    const source = p.source === null ? null : { ...p.source, pixels: input.pixels, stride: W, offset: p.source.y * W + p.source.x };
    const { pixels } = warpTile({ source, srcGrid: input.srcGrid, dstGrid: grid, tile: p.tile, method: input.method, nodata: input.nodata });
    for (let r = 0; r < p.tile.height; r++) out.set(pixels.subarray(r * p.tile.width, (r + 1) * p.tile.width), (p.tile.y + r) * grid.width + p.tile.x);
  }
  return { grid, pixels: out };
}
