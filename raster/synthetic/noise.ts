/**
 * Coordinate-hashed noise: every value depends only on (seed, x, y[, band]), never on generation order, so tiles can
 * be rendered in any order (or in parallel) and a seed always gives the same bytes.
 */

/** 32-bit integer hash of two coordinates and a seed (murmur3-style finaliser). */
export function hash3(a: number, b: number, seed: number): number {
  let h = Math.imul(a, 0x27d4eb2d) ^ Math.imul(b, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Value noise in [0, 1) on a unit lattice, smoothly interpolated. */
export function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = smooth(x - ix);
  const fy = smooth(y - iy);
  const s = 1 / 4294967296;
  const a = hash3(ix, iy, seed) * s;
  const b = hash3(ix + 1, iy, seed) * s;
  const c = hash3(ix, iy + 1, seed) * s;
  const d = hash3(ix + 1, iy + 1, seed) * s;
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/** Two octaves of value noise, in [0, 1). */
export function fbm(x: number, y: number, seed: number): number {
  return (2 * valueNoise(x, y, seed) + valueNoise(2 * x + 17.3, 2 * y + 5.1, seed ^ 0x5bd1e995)) / 3;
}

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}
