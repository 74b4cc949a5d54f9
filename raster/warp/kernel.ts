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
import { GDALWARP_ERROR_THRESHOLD_PX, RowApproximator, RowSegments } from './approx';
import { WarpInputError } from './errors';
import { bilinearRange, nearestRange, type Win } from './sample-rows';
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

/**
 * A window of the source raster's pixels (one band, row-major). The samples may sit in a larger buffer (a band
 * of rows, the whole raster): pixel (x + c, y + r) is `pixels[offset + r * stride + c]`.
 */
export interface SourceWindow extends PixelWindow {
  pixels: Float32Array | Uint8Array;
  /** Samples from one window row to the next. @default width */
  stride?: number;
  /** Index of the window's first pixel in `pixels`. @default 0 */
  offset?: number;
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
  const stride = source.stride ?? source.width;
  const base = source.offset ?? 0;
  if (stride < source.width || base < 0 || source.pixels.length < base + (source.height - 1) * stride + source.width) {
    throw new WarpInputError(SUBJECT, `source window has ${source.pixels.length} samples for ${source.width}x${source.height} (stride ${stride}, offset ${base})`);
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
  // NaN never equals itself, so `v !== v || v === nd` tests nodata for a NaN and for a numeric nodata alike.
  const nd = isByte ? nodata : Math.fround(nodata);
  const win: Win = {
    src,
    sw,
    sh,
    ox,
    oy,
    W,
    H,
    nd,
    stride,
    base,
    outside: 0,
    // A double from the start (row centres are x.5), so the field never changes representation.
    row: 0.5,
    // GDAL (GWKCheckAndComputeSrcOffsets) retries a point less than a pixel outside the source with the exact
    // transformer, since the approximation may have pushed it out; the row loops call this for such points.
    retry: (i: number): boolean => {
      const px = sx[i];
      const py = sy[i];
      if (ok[i] === 0 || !(px > -1 && py > -1 && px < W + 1 && py < H + 1)) return false;
      one.x[0] = tile.x + i + 0.5;
      one.y[0] = win.row;
      one.ok[0] = 1;
      t.transform(true, one.x, one.y, one.ok, 0, 1);
      const qx = one.x[0];
      const qy = one.y[0];
      if (one.ok[0] === 0 || qx < 0 || qy < 0 || qx + 1e-10 > W || qy + 1e-10 > H) return false;
      sx[i] = qx;
      sy[i] = qy;
      return true;
    },
  };
  let validCount = 0;
  const approx = new RowApproximator(t, span.x0, span.width, maxError);
  const segs = new RowSegments();
  for (let row = 0; row < tile.height; row++) {
    approx.segments(tile.y + row + 0.5, tile.x - span.x0, tile.x - span.x0 + tile.width, sx, sy, ok, segs);
    win.row = tile.y + row + 0.5;
    const o = row * tile.width;
    for (let k = 0; k < segs.count; k++) {
      const lin = segs.linear[k] === 1;
      validCount +=
        method === 'bilinear'
          ? bilinearRange(win, sx, sy, ok, segs.a[k], segs.b[k], lin, segs.lo[k], segs.x0[k], segs.dx[k], segs.y0[k], segs.dy[k], out, o, isByte)
          : nearestRange(win, sx, sy, ok, segs.a[k], segs.b[k], lin, segs.lo[k], segs.x0[k], segs.dx[k], segs.y0[k], segs.dy[k], out, o);
    }
  }
  const outsideWindow = win.outside;
  return { pixels: out, validCount, outsideWindow };
}
