/**
 * Test-only deterministic data: a seeded generator and tiles salted with the values kernels must survive.
 */

/** mulberry32: small, fast and seedable, so a failing case can be replayed exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SaltOptions {
  /** Reflectance range of ordinary samples. */
  min: number;
  max: number;
  /** Share of samples replaced by each special value. */
  nanRate?: number;
  nodata?: number;
  nodataRate?: number;
  zeroRate?: number;
  negativeRate?: number;
}

/** Random float32 samples in [min, max) with NaN, nodata, zeros and small negatives injected. */
export function saltedFloat32(length: number, rand: () => number, o: SaltOptions): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const u = rand();
    let v = o.min + (o.max - o.min) * rand();
    let edge = 0;
    if (u < (edge += o.nanRate ?? 0)) v = NaN;
    else if (o.nodata !== undefined && u < (edge += o.nodataRate ?? 0)) v = o.nodata;
    else if (u < (edge += o.zeroRate ?? 0)) v = 0;
    else if (u < (edge += o.negativeRate ?? 0)) v = -0.05 * rand();
    out[i] = v;
  }
  return out;
}
