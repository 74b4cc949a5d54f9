/**
 * GDAL's approximate transformer (GDALApproxTransform, gdaltransformer.cpp), which gdalwarp puts in front of
 * the exact transformer with `-et 0.125` (pixels) by default: along one row of target pixels it transforms the
 * first, middle and last point exactly, and if the middle is within the error of the straight line between the
 * ends, interpolates every point linearly; otherwise it splits the row in two halves and recurses (a half of
 * five points or fewer is transformed exactly).
 *
 * The source pixel gdalwarp samples depends on this approximation (up to 0.125 px), so matching gdalwarp pixel
 * for pixel means approximating the same rows the same way: gdalwarp's row is its chunk's width (the whole
 * output when it fits the 64 MB warp memory). `approxRow` reproduces the recursion for a full row but computes
 * only the columns [from, to) a tile needs: subtrees outside them are skipped, and every decision inside them
 * is taken on the same three exact points as GDAL's.
 */
import type { Transformer } from './transformer';

/** gdalwarp's default `-et`, in source pixels. */
export const GDALWARP_ERROR_THRESHOLD_PX = 0.125;

/** Scratch buffers for exact transforms of a few points. */
interface Scratch {
  x: Float64Array;
  y: Float64Array;
  ok: Uint8Array;
}

function scratch(n: number): Scratch {
  return { x: new Float64Array(n), y: new Float64Array(n), ok: new Uint8Array(n) };
}

/**
 * Source coordinates of the target pixel centres (rowX0 + i + 0.5, rowY) for i in [from, to), i being the index
 * in the approximated row of `rowWidth` points starting at column rowX0 (gdalwarp: its chunk). Results go to
 * outX/outY/outOk at index i − from.
 *
 * @param maxError @default GDALWARP_ERROR_THRESHOLD_PX; 0 transforms every point exactly.
 */
export function approxRow(
  t: Transformer,
  rowX0: number,
  rowWidth: number,
  rowY: number,
  from: number,
  to: number,
  outX: Float64Array,
  outY: Float64Array,
  outOk: Uint8Array,
  maxError = GDALWARP_ERROR_THRESHOLD_PX,
): void {
  const ctx = new RowContext(t, rowX0 + 0.5, rowY, from, to, outX, outY, outOk);
  const n = rowWidth;
  if (maxError === 0 || n <= 5) {
    ctx.exact(0, n);
    return;
  }
  const mid = (n - 1) >> 1;
  const s = ctx.transform3(0, mid, n - 1);
  if (s === null) {
    ctx.exact(0, n);
    return;
  }
  ctx.internal(0, n, s, maxError);
}

/** Start, middle and end of a segment, transformed: [x0, y0, x1, y1, x2, y2]. */
type Sme = [number, number, number, number, number, number];

class RowContext {
  private readonly s3 = scratch(3);

  constructor(
    private readonly t: Transformer,
    /** x of point 0 (pixel centre). */
    private readonly xBase: number,
    private readonly rowY: number,
    private readonly from: number,
    private readonly to: number,
    private readonly outX: Float64Array,
    private readonly outY: Float64Array,
    private readonly outOk: Uint8Array,
  ) {}

  private x(i: number): number {
    return this.xBase + i;
  }

  /** Exact transform of three points of the row; null when one fails. */
  transform3(a: number, b: number, c: number): Sme | null {
    const { x, y, ok } = this.s3;
    x[0] = this.x(a);
    x[1] = this.x(b);
    x[2] = this.x(c);
    y.fill(this.rowY);
    ok.fill(1);
    this.t.transform(true, x, y, ok, 0, 3);
    if (!ok[0] || !ok[1] || !ok[2]) return null;
    return [x[0], y[0], x[1], y[1], x[2], y[2]];
  }

  /** Exact transform of the points [lo, hi) that fall in the wanted columns. */
  exact(lo: number, hi: number): void {
    const a = Math.max(lo, this.from);
    const b = Math.min(hi, this.to);
    if (a >= b) return;
    const o = a - this.from;
    const n = b - a;
    const { outX, outY, outOk } = this;
    for (let i = 0; i < n; i++) {
      outX[o + i] = this.x(a + i);
      outY[o + i] = this.rowY;
      outOk[o + i] = 1;
    }
    this.t.transform(true, outX, outY, outOk, o, o + n);
  }

  private set(i: number, sx: number, sy: number): void {
    if (i < this.from || i >= this.to) return;
    const o = i - this.from;
    this.outX[o] = sx;
    this.outY[o] = sy;
    this.outOk[o] = 1;
  }

  private overlaps(lo: number, hi: number): boolean {
    return lo < this.to && hi > this.from;
  }

  /** GDALApproxTransformInternal on the points [lo, lo + n). */
  internal(lo: number, n: number, s: Sme, maxError: number): void {
    if (!this.overlaps(lo, lo + n)) return;
    const mid = (n - 1) >> 1;
    // GDAL divides by x[n-1] - x[0] of its double array: n - 1 exactly for pixel centres.
    const span = this.x(lo + n - 1) - this.x(lo);
    const dX = (s[4] - s[0]) / span;
    const dY = (s[5] - s[1]) / span;
    const dm = this.x(lo + mid) - this.x(lo);
    const error = Math.abs(s[0] + dX * dm - s[2]) + Math.abs(s[1] + dY * dm - s[3]);
    if (error > maxError) {
      const i0 = lo + ((mid - 1) >> 1);
      const i1 = lo + mid - 1;
      const i2 = lo + mid + ((n - mid - 1) >> 1);
      const exact1 = mid <= 5;
      const exact2 = n - mid <= 5;
      // GDAL transforms only the middles of the halves it approximates (and gives up if one fails).
      let m: Sme | null = null;
      if (!exact1 && !exact2) m = this.transform3(i0, i1, i2);
      else if (!exact1) {
        const r = this.transform3(i0, i1, i1);
        if (r !== null) m = [r[0], r[1], r[2], r[3], NaN, NaN];
      } else if (!exact2) {
        const r = this.transform3(i2, i2, i2);
        if (r !== null) m = [NaN, NaN, NaN, NaN, r[4], r[5]];
      }
      if (m === null) {
        // A middle point failed (or both halves are short): every point but the three known ones exactly.
        this.exact(lo + 1, lo + mid);
        this.exact(lo + mid + 1, lo + n - 1);
        this.set(lo, s[0], s[1]);
        this.set(lo + mid, s[2], s[3]);
        this.set(lo + n - 1, s[4], s[5]);
        return;
      }
      if (!exact1) {
        this.internal(lo, mid, [s[0], s[1], m[0], m[1], m[2], m[3]], maxError);
      } else {
        this.exact(lo + 1, lo + mid);
        this.set(lo, s[0], s[1]);
      }
      if (!exact2) {
        this.internal(lo + mid, n - mid, [s[2], s[3], m[4], m[5], s[4], s[5]], maxError);
      } else {
        this.exact(lo + mid + 1, lo + n - 1);
        this.set(lo + mid, s[2], s[3]);
        this.set(lo + n - 1, s[4], s[5]);
      }
      return;
    }
    const a = Math.max(lo, this.from);
    const b = Math.min(lo + n, this.to);
    const { outX, outY, outOk } = this;
    const x0 = this.x(lo);
    for (let i = a; i < b; i++) {
      const dist = this.x(i) - x0;
      const o = i - this.from;
      outX[o] = s[0] + dX * dist;
      outY[o] = s[1] + dY * dist;
      outOk[o] = 1;
    }
  }
}
