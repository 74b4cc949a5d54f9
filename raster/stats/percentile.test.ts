/**
 * Selection-based percentiles agree with sorting on awkward inputs (duplicates, sorted, reversed, constant),
 * and with numpy's linear method.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runNumpy } from '../indices/testing/numpy-oracle';
import { seededRandom } from '../indices/testing/random';
import { percentilesInPlace, sortedPercentile } from './percentile';

const PS = [0, 2, 25, 50, 75, 98, 100, 33.3];

describe('percentiles', () => {
  const rand = seededRandom(42);
  const inputs: Float64Array[] = [];
  for (let n = 1; n <= 60; n++) inputs.push(Float64Array.from({ length: n }, () => Math.floor(rand() * 4)));
  for (let n = 1; n <= 60; n++) inputs.push(Float64Array.from({ length: n * 17 }, () => rand() * 2 - 1));
  inputs.push(Float64Array.from({ length: 1000 }, (_, i) => i));
  inputs.push(Float64Array.from({ length: 1000 }, (_, i) => -i));
  inputs.push(new Float64Array(777).fill(3.5));

  it('selection equals sorting on every input', () => {
    for (const a of inputs) {
      const sorted = a.slice().sort();
      const want = PS.map((p) => sortedPercentile(sorted, p));
      assert.deepEqual(percentilesInPlace(a.slice(), PS), want, `n=${a.length}`);
    }
    assert.deepEqual(percentilesInPlace(new Float64Array(0), [2, 98]), [null, null]);
  });

  it('sorting-based values equal numpy.percentile', () => {
    const flat = new Float64Array(inputs.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of inputs) {
      flat.set(a, o);
      o += a.length;
    }
    const lengths = inputs.map((a) => a.length);
    const want = runNumpy(
      `
      out, o = [], 0
      for n in P['lengths']:
          out.append([float(x) for x in np.percentile(A['v'][o:o + n], P['ps'])])
          o += n
      RES = out
      `,
      { v: flat },
      { lengths, ps: PS },
    ).result as number[][];
    inputs.forEach((a, k) => assert.deepEqual(percentilesInPlace(a.slice(), PS), want[k], `n=${a.length}`));
  });
});
