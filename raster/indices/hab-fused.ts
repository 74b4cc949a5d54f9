/**
 * The HAB product's hot loop: NDWI, water mask, NDCI (and optionally NDVI) in one pass over a tile.
 */
import { assertOutput, assertViewCovers, type BandView, type KernelOptions } from './band-view';
import { WATER_NDWI_THRESHOLD } from './hab';
import { habWasm, habWasmAvailable } from './hab-wasm';
import { WATER_MASK_NODATA } from './water-mask';

/** The bands the fused kernel reads; NDVI uses `n` (unclamped) and `r`. */
export interface HabInputs {
  g: BandView;
  n: BandView;
  re: BandView;
  r: BandView;
}

/** Where the fused kernel writes; each array needs room for `count` values. */
export interface HabOutputs {
  ndwi: Float32Array;
  water: Uint8Array;
  ndci: Float32Array;
  /** Written only when given. */
  ndvi?: Float32Array;
}

export interface HabFusedOptions extends KernelOptions {
  /** @default WATER_NDWI_THRESHOLD (0.3) */
  waterThreshold?: number;
}

/**
 * Computes, per pixel, exactly what {@link ndwi}, {@link waterMask}, {@link ndci} and {@link ndvi} compute
 * one after the other (same float64 operations, same single rounding to float32, water decided on the
 * float32 NDWI), but reading each pixel's samples once: on a pixel-interleaved tile the four bands of a
 * pixel share one or two cache lines, so one pass costs little more than a single index.
 *
 * Nodata is per product: NDWI/water look at G and N, NDCI at RE and R (and needs water = 1), NDVI at N and R.
 *
 * @returns `out`.
 */
export function habFused(inputs: HabInputs, count: number, opts: HabFusedOptions, out: HabOutputs): HabOutputs {
  const { g, n, re, r } = inputs;
  assertViewCovers(g, count, 'hab G');
  assertViewCovers(n, count, 'hab N');
  assertViewCovers(re, count, 'hab RE');
  assertViewCovers(r, count, 'hab R');
  assertOutput(out.ndwi, count, 'hab ndwi');
  assertOutput(out.water, count, 'hab water');
  assertOutput(out.ndci, count, 'hab ndci');
  if (out.ndvi) assertOutput(out.ndvi, count, 'hab ndvi');

  const nodata = opts.nodata ?? NaN;
  const threshold = Math.fround(opts.waterThreshold ?? WATER_NDWI_THRESHOLD); // as waterMask: float32 vs float32
  const { ndwi: ndwiOut, water: waterOut, ndci: ndciOut } = out;
  // A one-element scratch array when NDVI is not wanted keeps the loop free of a per-pixel "wanted?" test.
  const ndviOut = out.ndvi ?? new Float32Array(1);
  const ndviMask = out.ndvi ? -1 : 0; // i & ndviMask is i when NDVI is wanted, 0 (the scratch slot) when not

  // Float32 band arrays (what the tile job passes) go through the WebAssembly kernel, pixel pairs at a time;
  // the loop below does the rest: other layouts and types, and an odd last pixel.
  let done = 0;
  if ([g, n, re, r].every(isPlainFloat32) && habWasmAvailable()) {
    const bands = { g: g.data as Float32Array, n: n.data as Float32Array, re: re.data as Float32Array, r: r.data as Float32Array };
    done = habWasm({ ...bands, scale: [1, 1, 1, 1], add: [0, 0, 0, 0] }, count, nodata, threshold, { ndwi: ndwiOut, water: waterOut, ndci: ndciOut, ndvi: out.ndvi });
  }

  const gd = g.data;
  const nd = n.data;
  const ed = re.data;
  const rd = r.data;
  const gs = g.stride;
  const ns = n.stride;
  const es = re.stride;
  const rs = r.stride;
  const gScale = g.scale ?? 1;
  const gAdd = g.addOffset ?? 0;
  const nScale = n.scale ?? 1;
  const nAdd = n.addOffset ?? 0;
  const eScale = re.scale ?? 1;
  const eAdd = re.addOffset ?? 0;
  const rScale = r.scale ?? 1;
  const rAdd = r.addOffset ?? 0;
  // A local, not the imported binding, which compiles to a property load from the module's exports on every pixel.
  const waterNodata = WATER_MASK_NODATA;
  let gi = g.offset + done * gs;
  let ni = n.offset + done * ns;
  let ei = re.offset + done * es;
  let ri = r.offset + done * rs;

  for (let i = done; i < count; i++, gi += gs, ni += ns, ei += es, ri += rs) {
    const gRaw = gd[gi];
    const nRaw = nd[ni];
    const eRaw = ed[ei];
    const rRaw = rd[ri];
    const gBad = gRaw !== gRaw || gRaw === nodata;
    const nBad = nRaw !== nRaw || nRaw === nodata;
    const eBad = eRaw !== eRaw || eRaw === nodata;
    const rBad = rRaw !== rRaw || rRaw === nodata;

    const gv = gRaw * gScale + gAdd;
    const nv = nRaw * nScale + nAdd;
    const nClamped = nv < 0 ? 0 : nv;
    const wDen = gv + nClamped;
    const ndwiValue = Math.fround(gBad || nBad || wDen === 0 ? NaN : (gv - nClamped) / wDen);
    ndwiOut[i] = ndwiValue;
    const water = ndwiValue !== ndwiValue ? waterNodata : ndwiValue > threshold ? 1 : 0;
    waterOut[i] = water;

    let ev = eRaw * eScale + eAdd;
    ev = ev < 0 ? 0 : ev;
    const rv = rRaw * rScale + rAdd;
    const cDen = ev + rv;
    ndciOut[i] = water !== 1 || eBad || rBad || cDen === 0 ? NaN : (ev - rv) / cDen;

    const vDen = nv + rv;
    ndviOut[i & ndviMask] = nBad || rBad || vDen === 0 ? NaN : (nv - rv) / vDen;
  }
  return out;
}

/** A band-sequential float32 array without scale or offset: what the tile job passes (extractBands output). */
function isPlainFloat32(v: BandView): boolean {
  return v.data instanceof Float32Array && v.offset === 0 && v.stride === 1 && (v.scale ?? 1) === 1 && (v.addOffset ?? 0) === 0;
}
