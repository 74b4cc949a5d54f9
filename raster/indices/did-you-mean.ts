/**
 * "Did you mean" for index names: the known names closest to a mistyped one by edit distance.
 */

/**
 * Levenshtein distance with adjacent transpositions (the "optimal string alignment" variant): insert, delete,
 * substitute or swap two neighbouring characters, each costs 1, so the common typo `FHL` for `FLH` is 1 away, not 2.
 * Case-sensitive.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev2 = new Uint16Array(b.length + 1);
  let prev = new Uint16Array(b.length + 1);
  let cur = new Uint16Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const same = a.charCodeAt(i - 1) === b.charCodeAt(j - 1);
      let d = Math.min(prev[j - 1] + (same ? 0 : 1), prev[j] + 1, cur[j - 1] + 1);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        d = Math.min(d, prev2[j - 2] + 1);
      }
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length];
}

/**
 * The names closest to `wanted`, compared case-insensitively: every name at the smallest distance, at most
 * `limit`, in the order of `names`. Nothing is suggested when even the closest needs more than a third of the
 * longer name changed (at least 1 edit is always allowed), since a far-off guess misleads more than it helps.
 */
export function closestNames(wanted: string, names: readonly string[], limit = 3): string[] {
  const w = wanted.toLowerCase();
  let best = Infinity;
  let out: string[] = [];
  for (const name of names) {
    const d = editDistance(w, name.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(w.length, name.length) / 3));
    if (d > allowed || d > best) continue;
    if (d < best) {
      best = d;
      out = [];
    }
    out.push(name);
  }
  return out.slice(0, limit);
}
