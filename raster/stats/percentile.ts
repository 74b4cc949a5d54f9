/**
 * Percentiles as numpy computes them by default (`method='linear'`).
 */
import { selectRanks } from './select';

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
  const a = sorted[lo];
  const b = sorted[hi];
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
