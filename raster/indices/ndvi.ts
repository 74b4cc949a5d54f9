/**
 * NDVI (Rouse et al. 1974).
 */
import { assertOutput, assertViewCovers, type BandView, type KernelOptions } from './band-view';

/**
 * NDVI = (N − R) / (N + R), with no clamping.
 *
 * Computed in float64 and rounded once to float32. Output is NaN where N or R is nodata (NaN or equal to
 * `opts.nodata`, raw samples) or where N + R is 0.
 *
 * @returns `out`.
 */
export function ndvi(n: BandView, r: BandView, count: number, opts: KernelOptions, out: Float32Array): Float32Array {
  assertViewCovers(n, count, 'ndvi N');
  assertViewCovers(r, count, 'ndvi R');
  assertOutput(out, count, 'ndvi');
  const nodata = opts.nodata ?? NaN;
  const nd = n.data;
  const rd = r.data;
  const ns = n.stride;
  const rs = r.stride;
  const nScale = n.scale ?? 1;
  const nAdd = n.addOffset ?? 0;
  const rScale = r.scale ?? 1;
  const rAdd = r.addOffset ?? 0;
  let ni = n.offset;
  let ri = r.offset;
  for (let i = 0; i < count; i++, ni += ns, ri += rs) {
    const nRaw = nd[ni];
    const rRaw = rd[ri];
    const bad = nRaw !== nRaw || rRaw !== rRaw || nRaw === nodata || rRaw === nodata;
    const nv = nRaw * nScale + nAdd;
    const rv = rRaw * rScale + rAdd;
    const den = nv + rv;
    out[i] = bad || den === 0 ? NaN : (nv - rv) / den;
  }
  return out;
}
