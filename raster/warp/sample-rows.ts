/**
 * The warp kernel's inner loops: nearest and bilinear sampling of one stretch of a target row, from a source
 * window, with GDAL's rules (see kernel.ts). Kept apart from the tile logic so the hot loops stay small and
 * monomorphic for V8.
 */

/** The source window as the samplers read it. */
export interface Win {
  src: Float32Array | Uint8Array;
  /** Window size and position in the source image. */
  sw: number;
  sh: number;
  ox: number;
  oy: number;
  /** Size of the whole source image. */
  W: number;
  H: number;
  /** Nodata (NaN allowed: `v !== v || v === nd` tests both). */
  nd: number;
  /** pixel (ox + c, oy + r) is src[base + r * stride + c]. */
  stride: number;
  base: number;
  /** Samples needed outside the window (counted, taken as nodata). */
  outside: number;
  /** Target row centre (y) being warped. */
  row: number;
  /** Re-transforms point i of the row exactly; true when it is then inside the source. */
  retry: (i: number) => boolean;
}

/**
 * Nearest neighbour for the target pixels [a, b) of a row: the source pixel containing the position,
 * trunc(x + 1e-10), unless it is nodata or the position is outside the source. Positions come from a linear
 * piece (x0 + dx·(k − lo), …) or, for exactly transformed points, from sx/sy. Returns the pixels set.
 */
export function nearestRange(
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
  if (lin && b > a && insideWindow(w, x0 + dx * (a - lo), y0 + dy * (a - lo)) && insideWindow(w, x0 + dx * (b - 1 - lo), y0 + dy * (b - 1 - lo))) {
    return nearestInside(src, base, stride, ox, oy, nd, a, b, lo, x0, dx, y0, dy, out, o);
  }
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
 * Whether a position is inside the source, off its right and bottom edges by more than 1e-10, and its pixel
 * inside the window: then nearest needs no edge rule, no retry and no window check for it.
 */
function insideWindow(w: Win, px: number, py: number): boolean {
  if (!(px >= 0 && py >= 0 && px + 1e-10 < w.W && py + 1e-10 < w.H)) return false;
  const cx = ((px + 1e-10) | 0) - w.ox;
  const cy = ((py + 1e-10) | 0) - w.oy;
  return cx >= 0 && cy >= 0 && cx < w.sw && cy < w.sh;
}

/**
 * Nearest over a linear piece whose two ends pass `insideWindow`. Every test there is monotone along the piece
 * (x0 + dx·d rounds monotonically in d, and so does the truncation), so every point between the ends passes too,
 * and the loop is left with the position, the load and the nodata test (most target rows are such pieces).
 */
function nearestInside(
  src: Float32Array | Uint8Array,
  base: number,
  stride: number,
  ox: number,
  oy: number,
  nd: number,
  a: number,
  b: number,
  lo: number,
  x0: number,
  dx: number,
  y0: number,
  dy: number,
  out: Float32Array | Uint8Array,
  o: number,
): number {
  let valid = 0;
  for (let i = a; i < b; i++) {
    const d = i - lo;
    const cx = ((x0 + dx * d + 1e-10) | 0) - ox;
    const cy = ((y0 + dy * d + 1e-10) | 0) - oy;
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
export function bilinearRange(
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
  if (lin && b > a && quadInsideWindow(w, x0 + dx * (a - lo), y0 + dy * (a - lo)) && quadInsideWindow(w, x0 + dx * (b - 1 - lo), y0 + dy * (b - 1 - lo))) {
    return bilinearInside(src, base, stride, ox, oy, nd, a, b, lo, x0, dx, y0, dy, out, o, isByte);
  }
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

/** `insideWindow`, and the 2×2 pixels around the position inside the window too. */
function quadInsideWindow(w: Win, px: number, py: number): boolean {
  if (!insideWindow(w, px, py)) return false;
  const wx = Math.floor(px - 0.5) - w.ox;
  const wy = Math.floor(py - 0.5) - w.oy;
  return wx >= 0 && wy >= 0 && wx + 1 < w.sw && wy + 1 < w.sh;
}

/**
 * Bilinear over a linear piece whose two ends pass `quadInsideWindow`, so every point between does (the tests
 * are monotone along the piece, as in `nearestInside`): the loop of `bilinearRange` without its edge, retry and
 * window branches, the same arithmetic in the same order.
 */
function bilinearInside(
  src: Float32Array | Uint8Array,
  base: number,
  stride: number,
  ox: number,
  oy: number,
  nd: number,
  a: number,
  b: number,
  lo: number,
  x0: number,
  dx: number,
  y0: number,
  dy: number,
  out: Float32Array | Uint8Array,
  o: number,
  isByte: boolean,
): number {
  let valid = 0;
  for (let i = a; i < b; i++) {
    const d = i - lo;
    const px = x0 + dx * d;
    const py = y0 + dy * d;
    const centre = src[base + (((py + 1e-10) | 0) - oy) * stride + (((px + 1e-10) | 0) - ox)];
    if (centre !== centre || centre === nd) continue;
    const bx = Math.floor(px - 0.5);
    const by = Math.floor(py - 0.5);
    const rx = 1.5 - (px - bx);
    const ry = 1.5 - (py - by);
    const k = base + (by - oy) * stride + (bx - ox);
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
    let value: number;
    if (div === 1) value = acc;
    else if (div < 0.00001) continue;
    else value = acc / div;
    if (isByte) value = value < 0 ? 0 : value > 255 ? 255 : Math.floor(value + 0.5);
    out[o + i] = value;
    valid++;
  }
  return valid;
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
