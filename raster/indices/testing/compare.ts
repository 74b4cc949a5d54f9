/**
 * Test-only comparison of kernel output with an oracle's: NaN positions must match exactly, values within
 * a tolerance. Reports the first offending index so a failure points at one pixel.
 */
import assert from 'node:assert/strict';

export interface Tolerance {
  /** Relative tolerance against |expected|. @default 1e-6 */
  rel?: number;
  /** Absolute floor, for expected values near 0. @default 1e-6 */
  abs?: number;
}

/** Largest |actual − expected| over the non-NaN positions (after the NaN positions were checked). */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  label: string,
  tol: Tolerance = {},
): number {
  const rel = tol.rel ?? 1e-6;
  const abs = tol.abs ?? 1e-6;
  assert.equal(actual.length, expected.length, `${label}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(e), `${label}[${i}]: got ${a}, numpy ${e} (NaN positions differ)`);
      continue;
    }
    if (a === e) continue;
    const diff = Math.abs(a - e);
    assert.ok(diff <= Math.max(abs, rel * Math.abs(e)), `${label}[${i}]: got ${a}, numpy ${e}`);
    if (diff > worst) worst = diff;
  }
  return worst;
}

/** Element-wise identity, NaN equal to NaN (for "fused equals separate" checks). */
export function assertSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    assert.fail(`${label}[${i}]: ${a} !== ${e}`);
  }
}
