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

/**
 * Nearest neighbour for the target pixels [a, b) of a row: the source pixel containing the position,
 * trunc(x + 1e-10), unless it is nodata or the position is outside the source. Positions come from a linear
 * piece (x0 + dx·(k − lo), …) or, for exactly transformed points, from sx/sy. Returns the pixels set.
 */
function nearestRange(
  w: Win,
  sx: Float64Array,
  sy: Float64Array,
  ok: Uint8Array,
  a: number,
  b: number,
  lin: boolean,
  lo: number,
  x0: number,
  dx: number,
  y0: number,
  dy: number,
  out: Float32Array | Uint8Array,
  o: number,
): number {
  const { src, base, stride, ox, oy, sw, sh, W, H, nd } = w;
  let valid = 0;
  for (let i = a; i < b; i++) {
    let px: number;
    let py: number;
    if (lin) {
      const d = i - lo;
      px = x0 + dx * d;
      py = y0 + dy * d;
    } else {
      if (ok[i] === 0) continue;
      px = sx[i];
      py = sy[i];
    }
    if (px < 0 || py < 0 || px + 1e-10 > W || py + 1e-10 > H) {
      sx[i] = px;
      sy[i] = py;
      ok[i] = 1;
      if (!w.retry(i)) continue;
      px = sx[i];
      py = sy[i];
    }
    // A point on the right or bottom edge (within 1e-10) takes the last column or row.
    let ix = (px + 1e-10) | 0;
    let iy = (py + 1e-10) | 0;
    if (ix === W) ix--;
    if (iy === H) iy--;
    const cx = ix - ox;
    const cy = iy - oy;
    if (cx < 0 || cy < 0 || cx >= sw || cy >= sh) {
      w.outside++;
      continue;
    }
    const v = src[base + cy * stride + cx];
    if (v !== v || v === nd) continue;
    out[o + i] = v;
    valid++;
  }
  return valid;
}

/**
 * Bilinear for the target pixels [a, b) of a row (see {@link bilinear}), gated like nearest on the containing
 * pixel. The 2×2 sum is written out here for the common case of four pixels inside the window, so no double
 * crosses a call.
 */
function bilinearRange(
  w: Win,
  sx: Float64Array,
  sy: Float64Array,
  ok: Uint8Array,
  a: number,
  b: number,
  lin: boolean,
  lo: number,
  x0: number,
  dx: number,
  y0: number,
  dy: number,
  out: Float32Array | Uint8Array,
  o: number,
  isByte: boolean,
): number {
  const { src, base, stride, ox, oy, sw, sh, W, H, nd } = w;
  let valid = 0;
  for (let i = a; i < b; i++) {
    let px: number;
    let py: number;
    if (lin) {
      const d = i - lo;
      px = x0 + dx * d;
      py = y0 + dy * d;
    } else {
      if (ok[i] === 0) continue;
      px = sx[i];
      py = sy[i];
    }
    if (px < 0 || py < 0 || px + 1e-10 > W || py + 1e-10 > H) {
      sx[i] = px;
      sy[i] = py;
      ok[i] = 1;
      if (!w.retry(i)) continue;
      px = sx[i];
      py = sy[i];
    }
    let ix = (px + 1e-10) | 0;
    let iy = (py + 1e-10) | 0;
    if (ix === W) ix--;
    if (iy === H) iy--;
    const cx = ix - ox;
    const cy = iy - oy;
    if (cx < 0 || cy < 0 || cx >= sw || cy >= sh) {
      w.outside++;
      continue;
    }
    const centre = src[base + cy * stride + cx];
    if (centre !== centre || centre === nd) continue;
    const bx = Math.floor(px - 0.5);
    const by = Math.floor(py - 0.5);
    const wx = bx - ox;
    const wy = by - oy;
    let value: number;
    if (wx >= 0 && wy >= 0 && wx + 1 < sw && wy + 1 < sh) {
      const rx = 1.5 - (px - bx);
      const ry = 1.5 - (py - by);
      const k = base + wy * stride + wx;
      const v00 = src[k];
      const v10 = src[k + 1];
      const v01 = src[k + stride];
      const v11 = src[k + stride + 1];
      const m00 = rx * ry;
      const m10 = (1 - rx) * ry;
      const m01 = rx * (1 - ry);
      const m11 = (1 - rx) * (1 - ry);
      let acc: number;
      let div: number;
      const all = v00 + v10 + v01 + v11;
      if (all === all && v00 !== nd && v10 !== nd && v01 !== nd && v11 !== nd) {
        // All four valid (the usual case): GDAL's sums in GDAL's order, without the per-sample branches.
        div = m00 + m10 + m01 + m11;
        acc = v00 * m00 + v10 * m10 + v01 * m01 + v11 * m11;
      } else {
        acc = 0;
        div = 0;
        if (v00 === v00 && v00 !== nd) {
          div += m00;
          acc += v00 * m00;
        }
        if (v10 === v10 && v10 !== nd) {
          div += m10;
          acc += v10 * m10;
        }
        if (v01 === v01 && v01 !== nd) {
          div += m01;
          acc += v01 * m01;
        }
        if (v11 === v11 && v11 !== nd) {
          div += m11;
          acc += v11 * m11;
        }
      }
      if (div === 1) value = acc;
      else if (div < 0.00001) continue;
      else value = acc / div;
    } else {
      value = bilinear(w, px, py);
      if (value !== value) continue;
    }
    if (isByte) value = value < 0 ? 0 : value > 255 ? 255 : Math.floor(value + 0.5);
    out[o + i] = value;
    valid++;
  }
  return valid;
}

/** The source window as the bilinear sampler reads it. */
interface Win {
  src: Float32Array | Uint8Array;
  sw: number;
  sh: number;
  ox: number;
  oy: number;
  /** Size of the whole source image. */
  W: number;
  H: number;
  nd: number;
  stride: number;
  base: number;
  /** Samples needed outside the window (counted, taken as nodata). */
  outside: number;
  /** Target row centre (y) being warped. */
  row: number;
  /** Re-transforms point i of the row exactly; true when it is then inside the source. */
  retry: (i: number) => boolean;
}

/** One sample, or NaN for nodata or a pixel outside the window. */
function at(w: Win, c: number, r: number): number {
  const wc = c - w.ox;
  const wr = r - w.oy;
  if (wc < 0 || wr < 0 || wc >= w.sw || wr >= w.sh) {
    w.outside++;
    return NaN;
  }
  const v = w.src[w.base + wr * w.stride + wc];
  return v === w.nd ? NaN : v;
}

/**
 * GWKBilinearResample4Sample in image coordinates (GDAL's source window starts at the image edge wherever it
 * matters): the 2×2 pixels around (px, py), weights renormalised over the valid ones; NaN when their weight
 * sums to under 1e-5.
 */
function bilinear(w: Win, px: number, py: number): number {
  const { W, H } = w;
  let ix = Math.floor(px - 0.5);
  let iy = Math.floor(py - 0.5);
  let rx = 1.5 - (px - ix);
  let ry = 1.5 - (py - iy);
  const cx = ix - w.ox;
  const cy = iy - w.oy;
  if (cx >= 0 && cy >= 0 && cx + 1 < w.sw && cy + 1 < w.sh) {
    // All four pixels in the window (and so in the image): the common case, without per-sample checks.
    const src = w.src;
    const nd = w.nd;
    const i = w.base + cy * w.stride + cx;
    const v00 = src[i];
    const v10 = src[i + 1];
    const v01 = src[i + w.stride];
    const v11 = src[i + w.stride + 1];
    let acc = 0;
    let div = 0;
    if (v00 === v00 && v00 !== nd) {
      const m = rx * ry;
      div += m;
      acc += v00 * m;
    }
    if (v10 === v10 && v10 !== nd) {
      const m = (1 - rx) * ry;
      div += m;
      acc += v10 * m;
    }
    if (v01 === v01 && v01 !== nd) {
      const m = rx * (1 - ry);
      div += m;
      acc += v01 * m;
    }
    if (v11 === v11 && v11 !== nd) {
      const m = (1 - rx) * (1 - ry);
      div += m;
      acc += v11 * m;
    }
    if (div === 1) return acc;
    if (div < 0.00001) return NaN;
    return acc / div;
  }
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
  const left = ix >= 0 && ix < W;
  const right = ix + 1 >= 0 && ix + 1 < W;
  if (iy >= 0 && iy < H) {
    if (left) {
      const v = at(w, ix, iy);
      if (v === v) {
        const m = rx * ry;
        div += m;
        acc += v * m;
      }
    }
    if (right) {
      const v = at(w, ix + 1, iy);
      if (v === v) {
        const m = (1 - rx) * ry;
        div += m;
        acc += v * m;
      }
    }
  }
  if (iy + 1 >= 0 && iy + 1 < H) {
    if (left) {
      const v = at(w, ix, iy + 1);
      if (v === v) {
        const m = rx * (1 - ry);
        div += m;
        acc += v * m;
      }
    }
    if (right) {
      const v = at(w, ix + 1, iy + 1);
      if (v === v) {
        const m = (1 - rx) * (1 - ry);
        div += m;
        acc += v * m;
      }
    }
  }
  if (div === 1) return acc;
  if (div < 0.00001) return NaN;
  return acc / div;
}
