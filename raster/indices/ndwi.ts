/**
 * NDWI (McFeeters 1996), the water index of the HAB product.
 */
import { assertOutput, assertViewCovers, type BandView, type KernelOptions } from './band-view';

/**
 * NDWI = (G − N) / (G + N), with N clamped to ≥ 0 first: atmospheric over-correction leaves slightly
 * negative NIR reflectance over dark water, and clamping keeps those pixels at NDWI ≤ 1 instead of
 * letting them blow up past it.
 *
 * Computed in float64 and rounded once to float32. Output is NaN where the pixel is nodata (G or N is NaN
 * or equals `opts.nodata`, compared on raw samples) or where G + N is 0.
 *
 * @param count pixels to compute; `out[0..count)` is written.
 * @returns `out`.
 */
export function ndwi(g: BandView, n: BandView, count: number, opts: KernelOptions, out: Float32Array): Float32Array {
  assertViewCovers(g, count, 'ndwi G');
  assertViewCovers(n, count, 'ndwi N');
  assertOutput(out, count, 'ndwi');
  const nodata = opts.nodata ?? NaN; // NaN never compares equal, so "no nodata value" costs no branch
  const gd = g.data;
  const nd = n.data;
  const gs = g.stride;
  const ns = n.stride;
  const gScale = g.scale ?? 1;
  const gAdd = g.addOffset ?? 0;
  const nScale = n.scale ?? 1;
  const nAdd = n.addOffset ?? 0;
  let gi = g.offset;
  let ni = n.offset;
  for (let i = 0; i < count; i++, gi += gs, ni += ns) {
    const gRaw = gd[gi];
    const nRaw = nd[ni];
    const bad = gRaw !== gRaw || nRaw !== nRaw || gRaw === nodata || nRaw === nodata;
    const gv = gRaw * gScale + gAdd;
    let nv = nRaw * nScale + nAdd;
    nv = nv < 0 ? 0 : nv;
    const den = gv + nv;
    out[i] = bad || den === 0 ? NaN : (gv - nv) / den;
  }
  return out;
}
