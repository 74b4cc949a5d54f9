/**
 * Percentiles and the RGB byte stretch against numpy, on three bands of a salted tile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose } from '../indices/testing/compare';
import { runNumpy } from '../indices/testing/numpy-oracle';
import { saltedFloat32, seededRandom } from '../indices/testing/random';
import { percentiles, stretchToByte } from './stretch';

const N = 128 * 96;

describe('RGB stretch vs numpy', () => {
  const rand = seededRandom(99);
  const bands = [0, 1, 2].map(() => saltedFloat32(N, rand, { min: 0, max: 0.4, nanRate: 0.05, nodata: -1, nodataRate: 0.03, negativeRate: 0.02 }));
  const want = runNumpy(
    `
    res = {}
    for k in ('r', 'g', 'b'):
        raw = A[k].astype(np.float64)
        v = np.where(raw == -1, np.nan, raw)
        lo, hi = np.nanpercentile(v, [2, 98])
        x = np.clip(1 + (v - lo) * (254 / (hi - lo)), 1, 255)
        OUT[k] = np.where(np.isnan(v), 0, np.floor(x + 0.5)).astype(np.uint8)
        res[k] = [float(lo), float(hi)]
    RES = res
    `,
    { r: bands[0], g: bands[1], b: bands[2] },
  );
  const range = want.result as Record<string, [number, number]>;

  (['r', 'g', 'b'] as const).forEach((k, i) => {
    it(`band ${k}`, () => {
      const [lo, hi] = percentiles(bands[i], [2, 98], { nodata: -1 });
      assert.ok(lo !== null && hi !== null);
      assertClose([lo, hi], range[k], `${k} p2/p98`, { rel: 1e-12, abs: 1e-12 });
      const bytes = stretchToByte(bands[i], lo, hi, { nodata: -1 });
      assert.deepEqual(bytes, want.arrays[k]);
      assert.ok(bytes.includes(1) && bytes.includes(255) && bytes.includes(0));
    });
  });

  it('rounds half up, clamps, and maps NaN/nodata to 0', () => {
    // lo 0, hi 254: one unit per byte step, so x.5 values sit exactly on the rounding boundary.
    const v = new Float32Array([0, 0.5, 254, 300, -1, NaN, 7, 127.5, 126.49]);
    assert.deepEqual([...stretchToByte(v, 0, 254, { nodata: 7 })], [1, 2, 255, 255, 1, 0, 0, 129, 127]);
    assert.deepEqual([...stretchToByte(new Float32Array([1, 2, 0, NaN]), 1, 1)], [1, 255, 1, 0]);
    assert.throws(() => stretchToByte(v, 1, 0), /bad range 1\.\.0/);
    assert.deepEqual(percentiles(new Float32Array([NaN]), [2, 98]), [null, null]);
  });
});
