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
  new RowApproximator(t, rowX0, rowWidth, maxError).row(rowY, from, to, outX, outY, outOk);
}

/**
 * A row's source positions as pieces: a linear piece gives point k (output index) at
 * (x0 + dx·(k − lo), y0 + dy·(k − lo)), the very values approxRow would write; an array piece's points are in
 * the output arrays. Pieces are disjoint and cover [0, to − from).
 */
export class RowSegments {
  count = 0;
  a = new Int32Array(64);
  b = new Int32Array(64);
  linear = new Uint8Array(64);
  lo = new Int32Array(64);
  x0 = new Float64Array(64);
  dx = new Float64Array(64);
  y0 = new Float64Array(64);
  dy = new Float64Array(64);

  push(a: number, b: number, linear: boolean, lo: number, x0: number, dx: number, y0: number, dy: number): void {
    if (this.count === this.a.length) this.grow();
    const k = this.count++;
    this.a[k] = a;
    this.b[k] = b;
    this.linear[k] = linear ? 1 : 0;
    this.lo[k] = lo;
    this.x0[k] = x0;
    this.dx[k] = dx;
    this.y0[k] = y0;
    this.dy[k] = dy;
  }

  private grow(): void {
    const n = this.a.length * 2;
    const g = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const x = make(n);
      x.set(old);
      return x;
    };
    this.a = g(this.a, (m) => new Int32Array(m));
    this.b = g(this.b, (m) => new Int32Array(m));
    this.linear = g(this.linear, (m) => new Uint8Array(m));
    this.lo = g(this.lo, (m) => new Int32Array(m));
    this.x0 = g(this.x0, (m) => new Float64Array(m));
    this.dx = g(this.dx, (m) => new Float64Array(m));
    this.y0 = g(this.y0, (m) => new Float64Array(m));
    this.dy = g(this.dy, (m) => new Float64Array(m));
  }
}

/** approxRow for many rows of one span, reusing its scratch buffers (the warp kernel's per-row call). */
export class RowApproximator {
  private readonly ctx: RowContext;

  constructor(
    t: Transformer,
    private readonly rowX0: number,
    private readonly rowWidth: number,
    private readonly maxError = GDALWARP_ERROR_THRESHOLD_PX,
  ) {
    this.ctx = new RowContext(t, rowX0 + 0.5);
  }

  /** See {@link approxRow}. */
  row(rowY: number, from: number, to: number, outX: Float64Array, outY: Float64Array, outOk: Uint8Array): void {
    this.run(rowY, from, to, outX, outY, outOk, null);
  }

  /**
   * The same positions as pieces (RowSegments): linear stretches are not written out, so the kernel computes
   * them as it samples; exactly transformed points go to the output arrays.
   */
  segments(rowY: number, from: number, to: number, outX: Float64Array, outY: Float64Array, outOk: Uint8Array, segs: RowSegments): RowSegments {
    segs.count = 0;
    this.run(rowY, from, to, outX, outY, outOk, segs);
    return segs;
  }

  private run(rowY: number, from: number, to: number, outX: Float64Array, outY: Float64Array, outOk: Uint8Array, segs: RowSegments | null): void {
    const ctx = this.ctx;
    ctx.reset(rowY, from, to, outX, outY, outOk, segs);
    const n = this.rowWidth;
    if (this.maxError === 0 || n <= 5) {
      ctx.exact(0, n);
      return;
    }
    const mid = (n - 1) >> 1;
    const s = ctx.transform3(0, mid, n - 1);
    if (s === null) {
      ctx.exact(0, n);
      return;
    }
    ctx.internal(0, n, s, this.maxError);
  }
}

/** Start, middle and end of a segment, transformed: [x0, y0, x1, y1, x2, y2]. */
type Sme = [number, number, number, number, number, number];

class RowContext {
  private readonly s3 = scratch(3);
  private rowY = 0;
  private from = 0;
  private to = 0;
  private outX: Float64Array = new Float64Array(0);
  private outY: Float64Array = new Float64Array(0);
  private outOk: Uint8Array = new Uint8Array(0);
  private segs: RowSegments | null = null;

  constructor(
    private readonly t: Transformer,
    /** x of point 0 (pixel centre). */
    private readonly xBase: number,
  ) {}

  reset(rowY: number, from: number, to: number, outX: Float64Array, outY: Float64Array, outOk: Uint8Array, segs: RowSegments | null): void {
    this.segs = segs;
    this.rowY = rowY;
    this.from = from;
    this.to = to;
    this.outX = outX;
    this.outY = outY;
    this.outOk = outOk;
  }

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
    this.segs?.push(o, o + n, false, 0, 0, 0, 0, 0);
  }

  private set(i: number, sx: number, sy: number): void {
    if (i < this.from || i >= this.to) return;
    const o = i - this.from;
    this.outX[o] = sx;
    this.outY[o] = sy;
    this.outOk[o] = 1;
    this.segs?.push(o, o + 1, false, 0, 0, 0, 0, 0);
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
    if (this.segs !== null) {
      // x(i) − x(lo) is i − lo exactly (pixel centres are whole numbers plus 0.5), so the kernel's
      // x0 + dX·(k − (lo − from)) is the value written below.
      this.segs.push(a - this.from, b - this.from, true, lo - this.from, s[0], dX, s[1], dY);
      return;
    }
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
