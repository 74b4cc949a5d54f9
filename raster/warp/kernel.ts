/**
 * The warp kernel for one target tile, as gdalwarp's (GWKRealCaseThread / GWKBilinearResample4Sample,
 * alg/gdalwarpkernel.cpp, GDAL 3.6) on a single band with a nodata value:
 *
 * - each target pixel centre goes to source pixel/line coordinates through the approximate transformer
 *   (approx.ts: gdalwarp's `-et 0.125` over the whole output row);
 * - a point left of or above the source, or past its right or bottom edge, is skipped (stays nodata); one less
 *   than a pixel outside is first transformed again exactly, as the approximation may have pushed it out;
 * - so is a point whose containing source pixel, trunc(x + 1e-10), is nodata: GDAL gates every resampling on
 *   that one pixel ("this currently ignores the multi-pixel input of bilinear");
 * - nearest takes that pixel; bilinear weighs the 2×2 pixels around the point by distance and renormalises the
 *   weights over the valid ones (a weight sum under 1e-5 leaves the pixel nodata). At the top and left edge,
 *   within half a pixel, GDAL uses the first row/column alone; that is kept.
 *
 * GDAL switches bilinear to a wider kernel when the target is coarser than 0.95 of the source resolution; this
 * kernel always uses the 2×2 one (the web-mercator copies keep the resolution, scale ≈ 1). NaN source samples
 * are nodata whatever the nodata value (GDAL would let them through when nodata is a number).
 */
import { approxRow, GDALWARP_ERROR_THRESHOLD_PX } from './approx';
import { WarpInputError } from './errors';
import type { WarpGrid } from './suggested-output';
import { PixelTransformer, type GridInput } from './transformer';

export type WarpMethod = 'nearest' | 'bilinear';

/** A rectangle of pixels: column, row of its top-left pixel, and size. */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A window of the source raster's pixels (one band, row-major). */
export interface SourceWindow extends PixelWindow {
  pixels: Float32Array | Uint8Array;
}

export interface WarpTileInput {
  /** The source pixels the tile needs (planWarpTiles' `source`), or null when the tile misses the source. */
  source: SourceWindow | null;
  srcGrid: GridInput;
  dstGrid: WarpGrid;
  /** The target pixels to compute. */
  tile: PixelWindow;
  method: WarpMethod;
  /** Nodata of source and target (NaN allowed for float). Target pixels with no valid source get it. */
  nodata: number;
  /**
   * The target columns approximated together, as gdalwarp's chunk. @default the whole target row
   * (gdalwarp warps in one chunk whatever fits its 64 MB warp memory)
   */
  rowSpan?: { x0: number; width: number };
  /** gdalwarp `-et`, source pixels; 0 = exact transforms. @default 0.125 */
  maxErrorPx?: number;
}

export interface WarpTileResult {
  /** tile.width × tile.height samples, row-major, of the source's type. */
  pixels: Float32Array | Uint8Array;
  /** Target pixels that got a value. */
  validCount: number;
  /** Source samples needed outside `source` (a planning error: they were taken as nodata). */
  outsideWindow: number;
}

const SUBJECT = 'warp tile';

/**
 * Warps one target tile.
 * @throws WarpInputError for a tile outside the target grid or a source window outside the source grid or of
 *   the wrong length.
 */
export function warpTile(input: WarpTileInput): WarpTileResult {
  const { source, srcGrid, dstGrid, tile, method, nodata } = input;
  if (tile.x < 0 || tile.y < 0 || tile.width < 1 || tile.height < 1 || tile.x + tile.width > dstGrid.width || tile.y + tile.height > dstGrid.height) {
    throw new WarpInputError(SUBJECT, `tile ${tile.x},${tile.y} ${tile.width}x${tile.height} is outside the ${dstGrid.width}x${dstGrid.height} target`);
  }
  const n = tile.width * tile.height;
  const isByte = source ? source.pixels instanceof Uint8Array : Number.isInteger(nodata) && nodata >= 0 && nodata <= 255;
  const out = isByte ? new Uint8Array(n) : new Float32Array(n);
  out.fill(nodata);
  if (source === null) return { pixels: out, validCount: 0, outsideWindow: 0 };
  if (source.x < 0 || source.y < 0 || source.x + source.width > srcGrid.width || source.y + source.height > srcGrid.height) {
    throw new WarpInputError(SUBJECT, `source window ${source.x},${source.y} ${source.width}x${source.height} is outside the ${srcGrid.width}x${srcGrid.height} source`);
  }
  if (source.pixels.length !== source.width * source.height) {
    throw new WarpInputError(SUBJECT, `source window has ${source.pixels.length} samples for ${source.width}x${source.height}`);
  }
  const t = new PixelTransformer(srcGrid, dstGrid);
  const span = input.rowSpan ?? { x0: 0, width: dstGrid.width };
  const maxError = input.maxErrorPx ?? GDALWARP_ERROR_THRESHOLD_PX;
  const sx = new Float64Array(tile.width);
  const sy = new Float64Array(tile.width);
  const ok = new Uint8Array(tile.width);
  const one = { x: new Float64Array(1), y: new Float64Array(1), ok: new Uint8Array(1) };
  const src = source.pixels;
  const sw = source.width;
  const sh = source.height;
  const ox = source.x;
  const oy = source.y;
  const W = srcGrid.width;
  const H = srcGrid.height;
  const ndF = isByte ? nodata : Math.fround(nodata);
  const ndNaN = Number.isNaN(nodata);
  let validCount = 0;
  let outsideWindow = 0;
  // Source sample at image column c, row r (inside the image) or NaN when nodata or outside the window.
  const sample = (c: number, r: number): number => {
    const wc = c - ox;
    const wr = r - oy;
    if (wc < 0 || wr < 0 || wc >= sw || wr >= sh) {
      outsideWindow++;
      return NaN;
    }
    const v = src[wr * sw + wc];
    return v !== v || (!ndNaN && v === ndF) ? NaN : v;
  };
  for (let row = 0; row < tile.height; row++) {
    approxRow(t, span.x0, span.width, tile.y + row + 0.5, tile.x - span.x0, tile.x - span.x0 + tile.width, sx, sy, ok, maxError);
    const o = row * tile.width;
    for (let i = 0; i < tile.width; i++) {
      let px = sx[i];
      let py = sy[i];
      if (!ok[i] || px < 0 || py < 0 || px + 1e-10 > W || py + 1e-10 > H) {
        // GDAL (GWKCheckAndComputeSrcOffsets) retries a point within a pixel outside the source with the exact
        // transformer, since the approximation may have pushed it out.
        if (!ok[i] || !(px > -1 && py > -1 && px < W + 1 && py < H + 1)) continue;
        one.x[0] = tile.x + i + 0.5;
        one.y[0] = tile.y + row + 0.5;
        one.ok[0] = 1;
        t.transform(true, one.x, one.y, one.ok, 0, 1);
        px = one.x[0];
        py = one.y[0];
        if (!one.ok[0] || px < 0 || py < 0 || px + 1e-10 > W || py + 1e-10 > H) continue;
      }
      // A point on the right or bottom edge (within 1e-10) takes the last column or row.
      const ix = Math.min(Math.trunc(px + 1e-10), W - 1);
      const iy = Math.min(Math.trunc(py + 1e-10), H - 1);
      const centre = sample(ix, iy);
      if (centre !== centre) continue;
      let value: number;
      if (method === 'nearest') {
        value = centre;
      } else {
        value = bilinear(sample, px, py, W, H);
        if (value !== value) continue;
        if (isByte) value = value < 0 ? 0 : value > 255 ? 255 : Math.floor(value + 0.5);
      }
      out[o + i] = value;
      validCount++;
    }
  }
  return { pixels: out, validCount, outsideWindow };
}

/** GWKBilinearResample4Sample on the whole image (GDAL's window starts at the image edge wherever it matters). */
function bilinear(sample: (c: number, r: number) => number, px: number, py: number, W: number, H: number): number {
  let ix = Math.floor(px - 0.5);
  let iy = Math.floor(py - 0.5);
  let rx = 1.5 - (px - ix);
  let ry = 1.5 - (py - iy);
  if (ix === -1) {
    ix = 0;
    rx = 1;
  }
  if (iy === -1) {
    iy = 0;
    ry = 1;
  }
  let acc = 0;
  let div = 0;
  if (iy >= 0 && iy < H) {
    const m1 = rx * ry;
    const m2 = (1 - rx) * ry;
    if (ix >= 0 && ix < W) {
      const v = sample(ix, iy);
      if (v === v) {
        div += m1;
        acc += v * m1;
      }
    }
    if (ix + 1 >= 0 && ix + 1 < W) {
      const v = sample(ix + 1, iy);
      if (v === v) {
        div += m2;
        acc += v * m2;
      }
    }
  }
  if (iy + 1 >= 0 && iy + 1 < H) {
    const m1 = rx * (1 - ry);
    const m2 = (1 - rx) * (1 - ry);
    if (ix >= 0 && ix < W) {
      const v = sample(ix, iy + 1);
      if (v === v) {
        div += m1;
        acc += v * m1;
      }
    }
    if (ix + 1 >= 0 && ix + 1 < W) {
      const v = sample(ix + 1, iy + 1);
      if (v === v) {
        div += m2;
        acc += v * m2;
      }
    }
  }
  if (div === 1) return acc;
  if (div < 0.00001) return NaN;
  return acc / div;
}
