/**
 * Selection-based percentiles agree with sorting on awkward inputs (duplicates, sorted, reversed, constant),
 * and with numpy's linear method.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runNumpy } from '../indices/testing/numpy-oracle';
import { seededRandom } from '../indices/testing/random';
import { percentilesInPlace, percentilesOfFloat32InPlace, sortedPercentile } from './percentile';

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

/** The oracle: sort the float64 widening of the values (-0 before +0, as typed-array sort orders them). */
function sortedPercentiles(values: Float32Array, ps: number[]): Array<number | null> {
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => sortedPercentile(sorted, p));
}

describe('percentiles of float32 values by histogram', () => {
  const rand = seededRandom(7);
  const f32 = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
  const cases: Record<string, Float32Array> = {
    one: f32(1, () => -2.5),
    two: f32(2, (i) => i - 0.25),
    small: f32(37, () => rand() * 2 - 1),
    ties: f32(5000, () => Math.floor(rand() * 7) - 3),
    zeros: f32(4001, (i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : rand() - 0.5)),
    // The smallest (largest) value is a zero and `<` meets +0 (-0) first: the range names the other zero.
    zerosAtBottom: f32(3000, (i) => [0, -0, 1, 2, -0][i % 5]),
    zerosAtTop: f32(3000, (i) => [-0, 0, -1, -2, 0][i % 5]),
    wide: f32(20000, () => (rand() - 0.5) * 2 ** Math.floor(rand() * 80 - 40)),
    infinities: f32(3000, (i) => (i % 100 === 0 ? -Infinity : i % 101 === 0 ? Infinity : rand())),
    narrow: f32(262144, () => 0.1 + rand() * 1e-4),
    tile: f32(262144, () => Math.tanh((rand() - 0.5) * 0.6)),
    constant: new Float32Array(262144).fill(0.3),
    // One 16-bit bin of 70 000 values with a few distinct low bits: found by the second histogram.
    nearConstant: f32(70000, () => 1 + Math.floor(rand() * 5) * 2 ** -23),
    mask: f32(100000, () => [0, 1, 1, 2][Math.floor(rand() * 4)]),
    sortedUp: f32(1000, (i) => i / 7),
    sortedDown: f32(1000, (i) => -i / 7),
  };

  it('equals sorting, to the bit, on every input', () => {
    for (const [name, values] of Object.entries(cases)) {
      const want = sortedPercentiles(values, PS);
      assert.deepEqual(percentilesOfFloat32InPlace(values.slice(), PS), want, name);
      assert.deepEqual(percentilesOfFloat32InPlace(values.slice(), [2, 50, 98]), sortedPercentiles(values, [2, 50, 98]), name);
      // With the range given (min and max by \`<\`, as tileStats finds them): same numbers.
      let min = Infinity;
      let max = -Infinity;
      for (const v of values) {
        min = v < min ? v : min;
        max = v > max ? v : max;
      }
      assert.deepEqual(percentilesOfFloat32InPlace(values.slice(), PS, { min, max }), want, `${name} with range`);
    }
    assert.deepEqual(percentilesOfFloat32InPlace(new Float32Array(0), [2, 98]), [null, null]);
  });

  it('equals selection on the float64 copy (no signed zeros)', () => {
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(rand() * 3000);
      const levels = 1 + Math.floor(rand() * 50);
      const values = f32(n, () => (Math.floor(rand() * levels) + 1) * (rand() < 0.5 ? -0.37 : 1.9));
      assert.deepEqual(percentilesOfFloat32InPlace(values.slice(), PS), percentilesInPlace(Float64Array.from(values), PS), `trial ${trial}`);
    }
  });
});
