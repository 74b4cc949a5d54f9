/**
 * tileStats and bloomFraction against numpy (nanmin/nanmax/nanmean/nanstd/nanpercentile on float64).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose } from '../indices/testing/compare';
import { runNumpy } from '../indices/testing/numpy-oracle';
import { saltedFloat32, seededRandom } from '../indices/testing/random';
import { sortedPercentile } from './percentile';
import { bloomFraction, tileStats, validValues, type TileStats } from './tile-stats';

const W = 64;
const H = 48;
const FIELDS = ['count', 'validCount', 'min', 'max', 'mean', 'std', 'p2', 'p50', 'p98'] as const;

/** numpy's statistics of the valid values in the top-left vw × vh region; nodata None for "NaN only". */
const ORACLE = `
def stats(a, w, h, vw, vh, nodata):
    r = a.reshape(h, w)[:vh, :vw].astype(np.float64)
    if nodata is not None:
        r = np.where(r == nodata, np.nan, r)
    v = r[~np.isnan(r)]
    if v.size == 0:
        return [r.size, 0] + [None] * 7
    return [r.size, v.size, v.min(), v.max(), v.mean(), v.std()] + [float(np.percentile(v, p)) for p in (2, 50, 98)] + [
        float(x) for x in np.nanpercentile(r, [2, 50, 98])]
def bloom(ndci, water, w, h, vw, vh, t):
    n = ndci.reshape(h, w)[:vh, :vw]; wa = water.reshape(h, w)[:vh, :vw]
    ok = (wa == 1) & ~np.isnan(n)
    return None if ok.sum() == 0 else float((n[ok] > t).sum() / ok.sum())
RES = {k: stats(A[c['array']], *c['args']) for k, c in P['cases'].items()}
RES['bloom'] = [bloom(A['ndci'], A['water'], *args) for args in P['bloom']]
`;

function asRow(s: TileStats): Array<number | null> {
  return FIELDS.map((f) => s[f]);
}

describe('tileStats and bloomFraction vs numpy', () => {
  const rand = seededRandom(5);
  const f32 = saltedFloat32(W * H, rand, { min: -1, max: 1, nanRate: 0.1, nodata: -9999, nodataRate: 0.05, zeroRate: 0.02 });
  const mask = new Uint8Array(W * H).map(() => [0, 1, 1, 255][Math.floor(rand() * 4)]);
  const allNaN = new Float32Array(W * H).fill(NaN);
  const ndci = saltedFloat32(W * H, rand, { min: -0.5, max: 0.8, nanRate: 0.2 });
  ndci[5] = Math.fround(0.3); // exactly at the threshold: not bloom
  mask[5] = 1;
  const cases = {
    full: { array: 'f32', values: f32, opts: { nodata: -9999 }, args: [W, H, W, H, -9999] },
    nanOnly: { array: 'f32', values: f32, opts: {}, args: [W, H, W, H, null] },
    edge: { array: 'f32', values: f32, opts: { nodata: -9999, width: W, height: H, validWidth: 37, validHeight: 5 }, args: [W, H, 37, 5, -9999] },
    mask: { array: 'mask', values: mask, opts: { nodata: 255, width: W, validWidth: 10, validHeight: 48 }, args: [W, H, 10, 48, 255] },
    empty: { array: 'nan', values: allNaN, opts: {}, args: [W, H, W, H, null] },
    single: { array: 'f32', values: f32, opts: { nodata: -9999, width: W, validWidth: 1, validHeight: 1 }, args: [W, H, 1, 1, -9999] },
  };
  const bloomArgs: Array<[number, number, number, number, number]> = [
    [W, H, W, H, 0.3],
    [W, H, 20, 7, 0.1],
    [W, H, 0, 0, 0.3],
  ];
  const oracle = runNumpy(
    ORACLE,
    { f32, mask, nan: allNaN, ndci, water: mask },
    { cases: Object.fromEntries(Object.entries(cases).map(([k, c]) => [k, { array: c.array, args: c.args }])), bloom: bloomArgs },
  ).result as Record<string, Array<number | null>>;

  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const got = asRow(tileStats(c.values, c.opts));
      const want = oracle[name];
      assert.deepEqual(got.map((v) => v === null), want.slice(0, 9).map((v) => v === null), 'null fields');
      assert.equal(got[0], want[0], 'count');
      assert.equal(got[1], want[1], 'validCount');
      if (got[1] === 0) return;
      assertClose(got.slice(2) as number[], want.slice(2, 9) as number[], name, { rel: 1e-12, abs: 1e-12 });
      // nanpercentile on the masked region agrees too (same numbers, NaN-aware path).
      assertClose(got.slice(6) as number[], want.slice(9) as number[], `${name} nanpercentile`, { rel: 1e-12, abs: 1e-12 });
    });
  }

  it('bloomFraction', () => {
    const got = bloomArgs.map(([w, h, vw, vh, t]) => bloomFraction(ndci, mask, t, { width: w, height: h, validWidth: vw, validHeight: vh }));
    assert.deepEqual(got, oracle['bloom']);
    assert.ok(got[0] !== null && got[0] > 0 && got[0] < 1);
    assert.equal(bloomFraction(ndci, mask, 0.3), got[0], 'no region = the whole buffer');
  });

  it('rejects a region that does not fit', () => {
    assert.throws(() => tileStats(f32, { width: W, validWidth: W + 1 }), /region 65x48 of a 64x48 buffer/);
    assert.throws(() => tileStats(f32, { validWidth: 3 }), /needs the buffer width/);
  });
});

/** tileStats as plain float64 code: the valid values widened, summed in pixel order, sorted for percentiles. */
function referenceStats(values: Float32Array | Uint8Array, opts: Parameters<typeof tileStats>[1] = {}): Array<number | null> {
  const v = validValues(values, opts ?? {}, 'reference');
  const n = v.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i] - mean) * (v[i] - mean);
  const sorted = v.slice().sort();
  const count = values.length;
  if (n === 0) return [count, 0, null, null, null, null, null, null, null];
  return [count, n, sorted[0], sorted[n - 1], mean, Math.sqrt(ss / n), ...[2, 50, 98].map((p) => sortedPercentile(sorted, p))];
}

describe('tileStats equals float64 reference code to the bit on full tiles', () => {
  const rand = seededRandom(11);
  const T = 512 * 512;
  const tiles: Record<string, Float32Array | Uint8Array> = {
    salted: saltedFloat32(T, rand, { min: -1, max: 1, nanRate: 0.1, nodata: -9999, nodataRate: 0.05, zeroRate: 0.02 }),
    smooth: Float32Array.from({ length: T }, (_, i) => (rand() < 0.05 ? NaN : Math.tanh(Math.sin(i / 3000) + (rand() - 0.5) * 0.1))),
    ties: Float32Array.from({ length: T }, () => (rand() < 0.3 ? NaN : Math.floor(rand() * 9) / 8)),
    constant: new Float32Array(T).fill(0.25),
    signedZeros: Float32Array.from({ length: T }, () => [-0, 0, 0, -0.5, 2 ** -140, NaN][Math.floor(rand() * 6)]),
    positive: Float32Array.from({ length: T }, () => (rand() < 0.5 ? 0 : 1 + rand())),
    mask: Uint8Array.from({ length: T }, () => [0, 1, 1, 255][Math.floor(rand() * 4)]),
  };
  for (const [name, values] of Object.entries(tiles)) {
    it(name, () => {
      const opts = { nodata: values instanceof Uint8Array ? 255 : -9999 };
      assert.deepEqual(asRow(tileStats(values, opts)), referenceStats(values, opts));
      const edge = { ...opts, width: 512, validWidth: 301, validHeight: 77 };
      const got = asRow(tileStats(values, edge));
      const want = referenceStats(values, edge);
      assert.deepEqual(got.slice(1), want.slice(1), `${name} edge`);
    });
  }
});
