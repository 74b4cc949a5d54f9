/**
 * Order statistics without sorting: a few percentiles of a 512×512 tile need a few O(n) selections,
 * not an O(n log n) sort (~4x faster on a tile).
 */

/**
 * Rearranges `a[left..right]` so that `a[k]` holds the value it would have if the range were sorted, with
 * smaller-or-equal values before it and greater-or-equal after (Hoare's FIND, median-of-three pivot).
 * `a` must not contain NaN.
 */
export function selectInPlace(a: Float64Array, k: number, left = 0, right = a.length - 1): void {
  while (right > left) {
    const mid = (left + right) >>> 1;
    const x0 = a[left];
    const x1 = a[mid];
    const x2 = a[right];
    // Median of three as pivot: sorted or constant runs then split evenly instead of degrading to O(n²).
    const pivot = x0 < x1 ? (x1 < x2 ? x1 : x0 < x2 ? x2 : x0) : x0 < x2 ? x0 : x1 < x2 ? x2 : x1;
    let i = left;
    let j = right;
    do {
      while (a[i] < pivot) i++;
      while (pivot < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) left = i;
    if (k < i) right = j;
  }
}

/**
 * Selects every rank in `ranks` (each in 0..n-1): afterwards `a[r]` is the r-th smallest value for each.
 * Ranks are taken in ascending order and each selection only searches right of the previous rank, whose
 * left side is already all smaller.
 */
export function selectRanks(a: Float64Array, ranks: number[]): void {
  let left = 0;
  for (const r of [...new Set(ranks)].sort((x, y) => x - y)) {
    selectInPlace(a, r, left, a.length - 1);
    left = r;
  }
}

/**
 * {@link selectInPlace} on integer keys (see `percentilesOfFloat32InPlace`): the same Hoare FIND, on an Int32Array
 * so the loop runs on 32-bit integers.
 */
export function selectKeysInPlace(a: Int32Array, k: number, left = 0, right = a.length - 1): void {
  while (right > left) {
    const mid = (left + right) >>> 1;
    const x0 = a[left];
    const x1 = a[mid];
    const x2 = a[right];
    const pivot = x0 < x1 ? (x1 < x2 ? x1 : x0 < x2 ? x2 : x0) : x0 < x2 ? x0 : x1 < x2 ? x2 : x1;
    let i = left;
    let j = right;
    do {
      while (a[i] < pivot) i++;
      while (pivot < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) left = i;
    if (k < i) right = j;
  }
}
