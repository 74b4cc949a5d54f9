import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SampleType, TypedArray } from '../types';
import { downsample2x } from './overview';
import { makeImage } from './testing/fixtures';
import { numpyReduce, writeRaw } from './testing/gdal-oracle';

const dir = mkdtempSync(join(tmpdir(), 'overview-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sameSamples(a: TypedArray, b: TypedArray): number {
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) bad++;
  return bad + Math.abs(a.length - b.length);
}

describe('downsample2x', () => {
  it('averages a 2x2 group skipping nodata and NaN; all-invalid becomes nodata; nearest takes the top-left', () => {
    const px = new Float32Array([1, 2, -9999, NaN, 3, 5, -9999, -9999, 9, 9, 9, 9]);
    assert.deepEqual(Array.from(downsample2x(px, 4, 3, 1, { nodata: -9999, method: 'average' }).pixels), [2.75, -9999]);
    assert.deepEqual(Array.from(downsample2x(px, 4, 3, 1, { nodata: -9999, method: 'nearest' }).pixels), [1, -9999]);
    const ints = new Int16Array([-3, -2, 0, 0]);
    assert.deepEqual(Array.from(downsample2x(ints, 2, 2, 1, { method: 'average' }).pixels), [-1]); // -1.25 -> -1
  });

  const cases: [SampleType, number | undefined, 'average' | 'nearest'][] = [
    ['float32', -9999, 'average'],
    ['float32', NaN, 'average'],
    ['float64', undefined, 'average'],
    ['uint16', 0, 'average'],
    ['int16', -32768, 'average'],
    ['uint8', 255, 'nearest'],
  ];
  for (const [type, nodata, method] of cases) {
    it(`${type} nodata=${nodata} ${method} equals numpy`, () => {
      const w = 37;
      const h = 22;
      const spp = 3;
      const img = makeImage(w, h, spp, type, { seed: 3, nodata, nan: true });
      const raw = join(dir, `${type}-${method}.raw`);
      const out = `${raw}.out`;
      writeRaw(raw, img);
      const size = numpyReduce(raw, out, { width: w, height: h, spp, sampleType: type, nodata, method });
      const ours = downsample2x(img, w, h, spp, { nodata, method });
      assert.deepEqual([ours.width, ours.height], [size.width, size.height]);
      const bytes = readFileSync(out);
      const ctor = img.constructor as { new (b: ArrayBuffer): TypedArray };
      const expected = new ctor(new Uint8Array(bytes).buffer);
      assert.equal(sameSamples(ours.pixels, expected), 0);
    });
  }
});
