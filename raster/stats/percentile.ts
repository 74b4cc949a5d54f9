/**
 * Percentiles as numpy computes them by default (`method='linear'`).
 */
import { selectKeysInPlace, selectRanks } from './select';

/**
 * The `p`-th percentile (0..100) of ascending `sorted` values (no NaN), or null when there are none.
 * Only the two ranks around (n − 1)·p/100 are read, so an array where just those are in place will do.
 *
 * Same arithmetic as numpy's linear method, so results agree to the last bit on float64 input: virtual
 * index h = (n − 1)·(p / 100), and the lerp between a[⌊h⌋] and a[⌊h⌋ + 1] is taken from the nearer end
 * (numpy's `_lerp`), which keeps it monotonic.
 */
export function sortedPercentile(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const h = (n - 1) * (p / 100);
  const lo = Math.min(Math.max(Math.floor(h), 0), n - 1);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  return lerp(sorted[lo], sorted[hi], t);
}

/** numpy's `_lerp` from a (rank ⌊h⌋) to b (the next rank) at fraction t = h − ⌊h⌋, taken from the nearer end. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The two ranks numpy's linear method reads for percentile `p` of `n` values. */
function ranksOf(n: number, p: number): [number, number] {
  const lo = Math.min(Math.max(Math.floor((n - 1) * (p / 100)), 0), n - 1);
  return [lo, Math.min(lo + 1, n - 1)];
}

/**
 * Percentiles (0..100) of `values` (no NaN), null for each when empty. Reorders `values`: only the ranks the
 * percentiles read are put in place (selection, O(n) per rank), then {@link sortedPercentile} reads them.
 */
export function percentilesInPlace(values: Float64Array, ps: number[]): Array<number | null> {
  if (values.length === 0) return ps.map(() => null);
  selectRanks(values, ps.flatMap((p) => ranksOf(values.length, p)));
  return ps.map((p) => sortedPercentile(values, p));
}

/** Bins of the histogram pass (2^16: 256 KB of counts, reused from call to call). */
const BINS = 1 << 16;
let binCounts: Int32Array | undefined;
let binSlots: Uint8Array | undefined;
const keyBits = new Int32Array(1);
const keyFloat = new Float32Array(keyBits.buffer);

/**
 * Percentiles (0..100) of float32 `values` (no NaN), null for each when empty; the same numbers as
 * {@link percentilesInPlace} on the values widened to float64, found with far less work. Overwrites `values`.
 * `range`, when the caller has it, must be the values' min and max (by `<`; either zero will do); it saves a pass.
 *
 * Each float's bits become an int32 key that orders as the floats do (negative floats get their low 31 bits
 * flipped; -0 sorts just before +0, as in a sort). The keys from the smallest to the largest are cut into at most
 * 2^16 equal bins of 2^shift keys; one pass counts the keys per bin, and the counts tell which bins hold the
 * wanted ranks and at what rank each bin starts. A second pass copies out only the keys of those bins (a few
 * hundred to a few thousand of a tile's 262 144 values), and each rank is found among them, by selection or, in
 * a crowded bin (near-constant values), by counting the keys' low `shift` bits. Exact: a rank's value lies in its
 * bin, and the bins below hold exactly the smaller keys.
 */
export function percentilesOfFloat32InPlace(values: Float32Array, ps: number[], range?: { min: number; max: number }): Array<number | null> {
  const n = values.length;
  if (n === 0) return ps.map(() => null);
  const keys = new Int32Array(values.buffer, values.byteOffset, n);
  let minKey: number;
  let maxKey: number;
  if (range) {
    // A 0 found by `<` may be either zero; take the one that bounds both.
    minKey = keyOf(range.min === 0 ? -0 : range.min);
    maxKey = keyOf(range.max === 0 ? 0 : range.max);
  } else {
    minKey = 0x7fffffff;
    maxKey = -0x80000000;
    for (let i = 0; i < n; i++) {
      const k = keyOf(values[i]);
      minKey = k < minKey ? k : minKey;
      maxKey = k > maxKey ? k : maxKey;
    }
  }
  // Keys minKey + (bin << shift) ... + 2^shift - 1 fall in `bin`; key - minKey < 2^32 is exact as a uint32.
  let shift = 0;
  while ((maxKey - minKey) / 2 ** shift >= BINS) shift++;
  const counts = (binCounts ??= new Int32Array(BINS));
  keyHistogram(keys, minKey, shift, counts);

  const ranks = [...new Set(ps.flatMap((p) => ranksOf(n, p)))].sort((x, y) => x - y);
  // The bins holding the ranks, ascending, with how many keys lie in lower bins and how many in the bin.
  const bins: number[] = [];
  const below: number[] = [];
  const sizes: number[] = [];
  for (let bin = 0, cum = 0, j = 0; j < ranks.length; bin++) {
    // Keys outside the bins were not counted (typed-array stores out of bounds are dropped): a wrong range.
    if (bin === BINS) throw new RangeError(`range ${range?.min}..${range?.max} does not hold all ${n} values`);
    const c = counts[bin];
    if (ranks[j] < cum + c) {
      bins.push(bin);
      below.push(cum);
      sizes.push(c);
      while (j < ranks.length && ranks[j] < cum + c) j++;
    }
    cum += c;
  }

  // Copy the keys of those bins out, bin after bin (segment s starts at start[s]).
  const slots = (binSlots ??= new Uint8Array(BINS));
  const start = new Int32Array(bins.length + 1);
  for (let s = 0; s < bins.length; s++) {
    slots[bins[s]] = s + 1;
    start[s + 1] = start[s] + sizes[s];
  }
  const picked = new Int32Array(start[bins.length]);
  pickKeys(keys, minKey, shift, slots, picked, start.slice(0, bins.length));
  for (const bin of bins) slots[bin] = 0;

  const valueAt = new Map<number, number>();
  const lowMask = 2 ** shift - 1;
  for (let s = 0, j = 0; s < bins.length; s++) {
    const first = start[s];
    const last = start[s + 1] - 1;
    // A crowded bin: count its keys' low bits once (in `counts`, no longer needed) instead of selecting.
    const byLowBits = sizes[s] > 2 ** shift;
    if (byLowBits) {
      counts.fill(0, 0, lowMask + 1);
      for (let i = first; i <= last; i++) counts[(picked[i] - minKey) & lowMask]++;
    }
    let left = first;
    let low = 0;
    let cum = counts[0];
    for (; j < ranks.length && ranks[j] < below[s] + sizes[s]; j++) {
      const at = first + ranks[j] - below[s];
      let key: number;
      if (byLowBits) {
        while (cum <= at - first) cum += counts[++low];
        key = (minKey + bins[s] * 2 ** shift + low) | 0;
      } else {
        selectKeysInPlace(picked, at, left, last);
        key = picked[at];
        left = at;
      }
      keyBits[0] = key ^ ((key >> 31) & 0x7fffffff);
      valueAt.set(ranks[j], keyFloat[0]);
    }
  }
  return ps.map((p) => {
    const [lo, hi] = ranksOf(n, p);
    return lerp(valueAt.get(lo)!, valueAt.get(hi)!, (n - 1) * (p / 100) - lo);
  });
}

// The two passes over all values are functions of their own: small, so V8 optimises them after a call or two.

/** Turns float32 bits into keys in place and counts them by bin. */
function keyHistogram(keys: Int32Array, minKey: number, shift: number, counts: Int32Array): void {
  counts.fill(0);
  for (let i = 0; i < keys.length; i++) {
    const b = keys[i];
    const k = b ^ ((b >> 31) & 0x7fffffff);
    keys[i] = k;
    counts[(k - minKey) >>> shift]++;
  }
}

/** Copies the keys whose bin has a slot (1-based in `slots`) to `picked`, slot s's at next[s - 1] onwards. */
function pickKeys(keys: Int32Array, minKey: number, shift: number, slots: Uint8Array, picked: Int32Array, next: Int32Array): void {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const s = slots[(k - minKey) >>> shift];
    if (s !== 0) picked[next[s - 1]++] = k;
  }
}

/** The order-preserving int32 key of a float32 value (see `percentilesOfFloat32InPlace`). */
function keyOf(v: number): number {
  keyFloat[0] = v;
  const b = keyBits[0];
  return b ^ ((b >> 31) & 0x7fffffff);
}

/**
 * Percentiles (0..100) of small integer values given by their counts (`counts[v]` values equal v; byte masks),
 * null for each when there are none: the same numbers as {@link sortedPercentile} on the sorted values, read off
 * the running counts.
 */
export function percentilesOfCounts(counts: ArrayLike<number>, ps: number[]): Array<number | null> {
  let n = 0;
  for (let v = 0; v < counts.length; v++) n += counts[v];
  if (n === 0) return ps.map(() => null);
  const valueOfRank = (rank: number): number => {
    let v = 0;
    for (let cum = counts[0]; cum <= rank; cum += counts[++v]);
    return v;
  };
  return ps.map((p) => {
    const [lo, hi] = ranksOf(n, p);
    return lerp(valueOfRank(lo), valueOfRank(hi), (n - 1) * (p / 100) - lo);
  });
}
