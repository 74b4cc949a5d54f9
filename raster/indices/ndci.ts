/**
 * NDCI (Mishra & Mishra 2012), the chlorophyll index of the HAB product.
 */
import { assertOutput, assertViewCovers, type BandView, type KernelOptions } from './band-view';

/**
 * NDCI = (RE − R) / (RE + R), with RE clamped to ≥ 0 first, computed only on water pixels (`water[i] === 1`)
 * because the index is calibrated for chlorophyll in water and means nothing over land.
 *
 * Computed in float64 and rounded once to float32. Output is NaN where the pixel is not water (0 or the
 * mask's 255), where RE or R is nodata (NaN or equal to `opts.nodata`, raw samples), or where RE + R is 0.
 *
 * @returns `out`.
 */
export function ndci(
  re: BandView,
  r: BandView,
  water: Uint8Array,
  count: number,
  opts: KernelOptions,
  out: Float32Array,
): Float32Array {
  assertViewCovers(re, count, 'ndci RE');
  assertViewCovers(r, count, 'ndci R');
  assertOutput(water, count, 'ndci water mask');
  assertOutput(out, count, 'ndci');
  const nodata = opts.nodata ?? NaN;
  const ed = re.data;
  const rd = r.data;
  const es = re.stride;
  const rs = r.stride;
  const eScale = re.scale ?? 1;
  const eAdd = re.addOffset ?? 0;
  const rScale = r.scale ?? 1;
  const rAdd = r.addOffset ?? 0;
  let ei = re.offset;
  let ri = r.offset;
  for (let i = 0; i < count; i++, ei += es, ri += rs) {
    const eRaw = ed[ei];
    const rRaw = rd[ri];
    const bad = water[i] !== 1 || eRaw !== eRaw || rRaw !== rRaw || eRaw === nodata || rRaw === nodata;
    let ev = eRaw * eScale + eAdd;
    ev = ev < 0 ? 0 : ev;
    const rv = rRaw * rScale + rAdd;
    const den = ev + rv;
    out[i] = bad || den === 0 ? NaN : (ev - rv) / den;
  }
  return out;
}
