/**
 * Predictor 3 on the chosen samples of a chunky float32 block equals undoing it on the whole block and picking
 * the samples out, on random predicted bytes (every byte pattern, NaNs and all), and round-trips the encoder.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { floatingPointPredict } from '../cog/predictor-encode';
import { seededRandom } from '../indices/testing/random';
import { undoFloatingPoint, undoFloatingPointSamples } from './predictor';

/** Sample `s` of every pixel of a whole-block decode, as raw bits. */
function pick(words: Uint32Array, spp: number, s: number): Uint32Array {
  return Uint32Array.from({ length: words.length / spp }, (_, i) => words[i * spp + s]);
}

describe('undoFloatingPointSamples', () => {
  const rand = seededRandom(3);
  const shapes: Array<[width: number, rows: number, spp: number, samples: number[]]> = [
    [512, 4, 31, [2, 5, 9, 14, 19, 27]],
    [512, 2, 31, [0, 30, 30, 1]],
    [7, 5, 3, [2, 0]],
    [1, 3, 2, [1]],
    [33, 9, 4, [3, 2, 1, 0]],
    [16, 1, 23, []],
  ];

  it('equals the whole-block path on random bytes', () => {
    for (const [width, rows, spp, samples] of shapes) {
      const bytes = Uint8Array.from({ length: width * rows * spp * 4 }, () => Math.floor(rand() * 256));
      const whole = bytes.slice();
      undoFloatingPoint(whole, 4, width * spp, rows, spp);
      const words = new Uint32Array(whole.buffer);
      const planes = undoFloatingPointSamples(bytes, width, rows, spp, samples);
      assert.equal(planes.length, samples.length);
      samples.forEach((s, k) => {
        assert.deepEqual(new Uint32Array(planes[k].buffer), pick(words, spp, s), `${width}x${rows}x${spp} sample ${s}`);
      });
    }
  });

  it('undoes the encoder', () => {
    const width = 64;
    const rows = 8;
    const spp = 31;
    const values = Float32Array.from({ length: width * rows * spp }, () => (rand() < 0.1 ? NaN : (rand() - 0.5) * 2 ** Math.floor(rand() * 40 - 20)));
    const predicted = new Uint8Array(values.byteLength);
    floatingPointPredict(new Uint8Array(values.buffer), predicted, 4, width * spp, spp);
    const [a, b] = undoFloatingPointSamples(predicted, width, rows, spp, [4, 22]);
    assert.deepEqual(new Uint32Array(a.buffer), pick(new Uint32Array(values.buffer), spp, 4));
    assert.deepEqual(new Uint32Array(b.buffer), pick(new Uint32Array(values.buffer), spp, 22));
  });

  it('rejects a short block and a sample outside the pixel', () => {
    assert.throws(() => undoFloatingPointSamples(new Uint8Array(10), 4, 1, 1, [0]), /10 bytes hold fewer than 1 rows of 16 bytes/);
    assert.throws(() => undoFloatingPointSamples(new Uint8Array(64), 4, 1, 4, [4]), /sample 4 of 4/);
  });
});
