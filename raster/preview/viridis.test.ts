/**
 * The viridis table and colorize: anchor colours from matplotlib, binning against numpy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runNumpy } from '../indices/testing/numpy-oracle';
import { saltedFloat32, seededRandom } from '../indices/testing/random';
import { colorize, VIRIDIS_RGB } from './viridis';

describe('viridis', () => {
  it('holds matplotlib 8-bit viridis', () => {
    assert.equal(VIRIDIS_RGB.length, 768);
    // matplotlib: viridis([0, 1, 128, 255], bytes=True)
    assert.deepEqual([...VIRIDIS_RGB.subarray(0, 6)], [68, 1, 84, 68, 2, 85]);
    assert.deepEqual([...VIRIDIS_RGB.subarray(384, 387)], [32, 144, 140]);
    assert.deepEqual([...VIRIDIS_RGB.subarray(765, 768)], [253, 231, 36]);
  });

  it('colorize bins like numpy and makes NaN/nodata transparent', () => {
    const rand = seededRandom(3);
    const v = saltedFloat32(5000, rand, { min: -0.6, max: 0.9, nanRate: 0.05, nodata: -2, nodataRate: 0.02 });
    const rgba = colorize(v, -0.5, 0.8, { nodata: -2 });
    const want = runNumpy(
      `
      v = A['v'].astype(np.float64)
      bad = np.isnan(v) | (v == -2)
      x = (np.where(bad, 0, v) + 0.5) * (256 / (0.8 + 0.5))
      idx = np.clip(np.floor(x), 0, 255).astype(int)
      lut = A['lut'].reshape(256, 3)
      rgba = np.concatenate([lut[idx], np.full((len(v), 1), 255, np.uint8)], axis=1)
      rgba[bad] = 0
      OUT['rgba'] = rgba.astype(np.uint8).reshape(-1)
      `,
      { v, lut: VIRIDIS_RGB },
    ).arrays['rgba'];
    assert.deepEqual(rgba, want);
    assert.deepEqual([...colorize(new Float32Array([NaN, 1, 1]), 1, 1)], [0, 0, 0, 0, 68, 1, 84, 255, 68, 1, 84, 255]);
  });
});
