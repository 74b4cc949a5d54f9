/**
 * NDWI, water mask, NDCI, NDVI and the fused HAB kernel against a numpy evaluation of the same definitions,
 * on a pixel-interleaved 31-band tile salted with NaN, nodata, zeros and negatives; and the fused kernel on
 * band-sequential float32 arrays (its WebAssembly path) against the separate kernels, bit for bit.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TypedArray } from '../types';
import { interleavedBand, type BandView } from './band-view';
import { habFused } from './hab-fused';
import { ndci } from './ndci';
import { ndvi } from './ndvi';
import { ndwi } from './ndwi';
import { waterMask } from './water-mask';
import { assertClose, assertSameValues } from './testing/compare';
import { runNumpy } from './testing/numpy-oracle';
import { saltedFloat32, seededRandom } from './testing/random';

const BANDS = 31;
const PIXELS = 96 * 64;
const IDX = { g: 8, n: 29, re: 20, r: 16 }; // 549, 850, 712, 670 nm on a 31-band Dragonette
const NODATA = -9999;

/** The product definitions, written independently in numpy; `scale`/`add` per role as GDAL applies them. */
const ORACLE = `
t = A['tile'].reshape(-1, P['bands'])
nodata = P['nodata']
def band(k):
    raw = t[:, P['idx'][k]]
    bad = np.isnan(raw) if raw.dtype.kind == 'f' else np.zeros(raw.shape, bool)
    if nodata is not None:
        bad = bad | (raw == nodata)
    return raw.astype(np.float64) * P['scale'][k] + P['add'][k], bad
with np.errstate(all='ignore'):
    G, gb = band('g'); N, nb = band('n'); E, eb = band('re'); R, rb = band('r')
    Nc = np.maximum(N, 0.0)
    den = G + Nc
    ndwi = np.where(gb | nb | (den == 0), np.nan, (G - Nc) / den).astype(np.float32)
    water = np.where(np.isnan(ndwi), 255, np.where(ndwi > 0.3, 1, 0)).astype(np.uint8)
    Ec = np.maximum(E, 0.0)
    den = Ec + R
    ndci = np.where((water != 1) | eb | rb | (den == 0), np.nan, (Ec - R) / den).astype(np.float32)
    den = N + R
    ndvi = np.where(nb | rb | (den == 0), np.nan, (N - R) / den).astype(np.float32)
OUT.update(ndwi=ndwi, water=water, ndci=ndci, ndvi=ndvi)
`;

type Role = keyof typeof IDX;
interface Case {
  tile: TypedArray;
  nodata?: number;
  scale: Record<Role, number>;
  add: Record<Role, number>;
}

function views(c: Case): Record<Role, BandView> {
  const v = (k: Role): BandView => ({ ...interleavedBand(c.tile, IDX[k], BANDS), scale: c.scale[k], addOffset: c.add[k] });
  return { g: v('g'), n: v('n'), re: v('re'), r: v('r') };
}

/** Sets one pixel's four role samples, for edge cases random data hits rarely. */
function setPixel(tile: TypedArray, p: number, s: Partial<Record<Role, number>>): void {
  for (const [k, v] of Object.entries(s)) tile[p * BANDS + IDX[k as Role]] = v;
}

function reflectanceCase(): Case {
  const rand = seededRandom(7);
  const tile = saltedFloat32(PIXELS * BANDS, rand, {
    min: 0,
    max: 0.3,
    nanRate: 0.02,
    nodata: NODATA,
    nodataRate: 0.02,
    zeroRate: 0.03,
    negativeRate: 0.05,
  });
  setPixel(tile, 0, { g: 0, n: 0, re: 0.1, r: 0.05 }); // 0/0 NDWI
  setPixel(tile, 1, { g: 0, n: -0.01, re: 0.1, r: 0.05 }); // N clamps to 0: still 0/0
  setPixel(tile, 2, { g: 0.8125, n: 0.4375, re: 0.1, r: 0.05 }); // NDWI rounds to float32(0.3): not water
  setPixel(tile, 3, { g: 0.5, n: 0.1, re: 0, r: 0 }); // water, NDCI 0/0
  setPixel(tile, 4, { g: 0.5, n: 0.1, re: -0.02, r: 0.04 }); // water, RE clamps to 0: NDCI = -1
  setPixel(tile, 5, { g: 0.5, n: -0.02, re: 0.2, r: 0.04 }); // N clamps: NDWI = 1, NDVI uses raw N (-3)
  setPixel(tile, 6, { g: 0.5, n: 0.1, re: NaN, r: 0.04 }); // water, NDCI nodata
  setPixel(tile, 7, { g: 0.5, n: 0.1, re: 0.2, r: NODATA }); // water, NDCI and NDVI nodata
  setPixel(tile, 8, { g: 0.1, n: 0.2, re: 0.2, r: -0.2 }); // NDVI denominator 0
  const one = { g: 1, n: 1, re: 1, r: 1 };
  const zero = { g: 0, n: 0, re: 0, r: 0 };
  return { tile, nodata: NODATA, scale: one, add: zero };
}

/** Scaled integers (reflectance × 10⁴ with a small offset), nodata -32768: exercises scale/addOffset. */
function scaledCase(): Case {
  const rand = seededRandom(11);
  const tile = new Int16Array(PIXELS * BANDS);
  for (let i = 0; i < tile.length; i++) {
    const u = rand();
    tile[i] = u < 0.03 ? -32768 : u < 0.06 ? 0 : Math.floor(-300 + 3300 * rand());
  }
  const s = 1e-4;
  return {
    tile,
    nodata: -32768,
    scale: { g: s, n: s, re: s, r: s },
    add: { g: 0.001, n: -0.01, re: -0.005, r: 0.002 },
  };
}

function oracle(c: Case): Record<string, TypedArray> {
  return runNumpy(ORACLE, { tile: c.tile }, { bands: BANDS, idx: IDX, nodata: c.nodata ?? null, scale: c.scale, add: c.add })
    .arrays;
}

interface Separate {
  ndwi: Float32Array;
  water: Uint8Array;
  ndci: Float32Array;
  ndvi: Float32Array;
}

function separate(c: Case): Separate {
  const v = views(c);
  const opts = { nodata: c.nodata };
  const out = {
    ndwi: ndwi(v.g, v.n, PIXELS, opts, new Float32Array(PIXELS)),
    water: new Uint8Array(PIXELS),
    ndci: new Float32Array(PIXELS),
    ndvi: ndvi(v.n, v.r, PIXELS, opts, new Float32Array(PIXELS)),
  };
  waterMask(out.ndwi, PIXELS, out.water);
  ndci(v.re, v.r, out.water, PIXELS, opts, out.ndci);
  return out;
}

for (const [name, make] of [
  ['float32 reflectance with NaN and nodata', reflectanceCase],
  ['int16 with scale and offset', scaledCase],
] as const) {
  describe(`HAB kernels vs numpy: ${name}`, () => {
    const c = make();
    let want: Record<string, TypedArray>;
    let got: Separate;
    before(() => {
      want = oracle(c);
      got = separate(c);
    });

    it('NDWI', () => {
      assertClose(got.ndwi, want['ndwi'], 'ndwi');
      const nan = got.ndwi.filter(Number.isNaN).length;
      assert.ok(nan > PIXELS * 0.05 && nan < PIXELS * 0.3, `expected a share of nodata pixels, got ${nan}`);
    });

    it('water mask', () => {
      assert.deepEqual(got.water, want['water']);
      const counts = [0, 1, 255].map((k) => got.water.filter((w) => w === k).length);
      assert.ok(counts.every((n) => n > 50), `every class must occur, got ${counts.join('/')}`);
    });

    it('NDCI (water only)', () => {
      assertClose(got.ndci, want['ndci'], 'ndci');
      assert.ok(got.ndci.some((v) => !Number.isNaN(v)));
    });

    it('NDVI', () => {
      assertClose(got.ndvi, want['ndvi'], 'ndvi');
    });

    it('fused kernel equals the separate kernels exactly (and so numpy)', () => {
      const out = {
        ndwi: new Float32Array(PIXELS),
        water: new Uint8Array(PIXELS),
        ndci: new Float32Array(PIXELS),
        ndvi: new Float32Array(PIXELS),
      };
      habFused(views(c), PIXELS, { nodata: c.nodata }, out);
      assertSameValues(out.ndwi, got.ndwi, 'fused ndwi');
      assertSameValues(out.water, got.water, 'fused water');
      assertSameValues(out.ndci, got.ndci, 'fused ndci');
      assertSameValues(out.ndvi, got.ndvi, 'fused ndvi');
      assertClose(out.ndci, want['ndci'], 'fused ndci vs numpy');
    });

    it('fused kernel without NDVI output writes the same three products', () => {
      const out = { ndwi: new Float32Array(PIXELS), water: new Uint8Array(PIXELS), ndci: new Float32Array(PIXELS) };
      habFused(views(c), PIXELS, { nodata: c.nodata }, out);
      assertSameValues(out.ndwi, got.ndwi, 'fused ndwi');
      assertSameValues(out.water, got.water, 'fused water');
      assertSameValues(out.ndci, got.ndci, 'fused ndci');
    });
  });
}

describe('fused kernel on band arrays (the tile job layout, WebAssembly path)', () => {
  const c = reflectanceCase();
  setPixel(c.tile, 9, { g: -0, n: -0, re: -0, r: 0.05 }); // negative zeros: clamps keep them, ratios see them
  setPixel(c.tile, 10, { g: 0.2, n: -0, re: 0.1, r: -0 });
  const want = separate(c);
  // Band-sequential copies of the four roles, as extractBands hands them over.
  const band = (k: Role) => Float32Array.from({ length: PIXELS }, (_, p) => c.tile[p * BANDS + IDX[k]]);
  const plain = (a: Float32Array): BandView => ({ data: a, offset: 0, stride: 1 });
  const inputs = { g: plain(band('g')), n: plain(band('n')), re: plain(band('re')), r: plain(band('r')) };
  for (const count of [PIXELS, PIXELS - 1, 1]) {
    it(`equals the separate kernels exactly (${count} pixels)`, () => {
      const out = { ndwi: new Float32Array(count), water: new Uint8Array(count), ndci: new Float32Array(count), ndvi: new Float32Array(count) };
      habFused(inputs, count, { nodata: c.nodata }, out);
      assertSameValues(out.ndwi, want.ndwi.subarray(0, count), 'ndwi');
      assertSameValues(out.water, want.water.subarray(0, count), 'water');
      assertSameValues(out.ndci, want.ndci.subarray(0, count), 'ndci');
      assertSameValues(out.ndvi, want.ndvi.subarray(0, count), 'ndvi');
      for (let i = 0; i < count; i++) assert.ok(Object.is(out.ndwi[i], want.ndwi[i]) || Number.isNaN(want.ndwi[i]), `sign of zero at ${i}`);
    });
  }
  it('across chunk boundaries (3 tiles of pixels, odd count)', () => {
    const count = 3 * PIXELS - 1;
    const rep = (a: BandView) => {
      const x = new Float32Array(3 * PIXELS);
      for (let k = 0; k < 3; k++) x.set(a.data as Float32Array, k * PIXELS);
      return plain(x);
    };
    const big = { g: rep(inputs.g), n: rep(inputs.n), re: rep(inputs.re), r: rep(inputs.r) };
    const out = { ndwi: new Float32Array(count), water: new Uint8Array(count), ndci: new Float32Array(count), ndvi: new Float32Array(count) };
    habFused(big, count, { nodata: c.nodata }, out);
    for (let k = 0; k < 3; k++) {
      const n = Math.min(PIXELS, count - k * PIXELS);
      const part = (a: Float32Array | Uint8Array) => a.subarray(k * PIXELS, k * PIXELS + n);
      assertSameValues(part(out.ndwi), want.ndwi.subarray(0, n), `ndwi ${k}`);
      assertSameValues(part(out.water), want.water.subarray(0, n), `water ${k}`);
      assertSameValues(part(out.ndci), want.ndci.subarray(0, n), `ndci ${k}`);
      assertSameValues(part(out.ndvi), want.ndvi.subarray(0, n), `ndvi ${k}`);
    }
  });
  it('without NDVI', () => {
    const out = { ndwi: new Float32Array(PIXELS), water: new Uint8Array(PIXELS), ndci: new Float32Array(PIXELS) };
    habFused(inputs, PIXELS, { nodata: c.nodata, waterThreshold: 0.2 }, out);
    const ref = { ndwi: new Float32Array(PIXELS), water: new Uint8Array(PIXELS), ndci: new Float32Array(PIXELS) };
    habFused(views(c), PIXELS, { nodata: c.nodata, waterThreshold: 0.2 }, ref);
    assertSameValues(out.ndwi, ref.ndwi, 'ndwi');
    assertSameValues(out.water, ref.water, 'water');
    assertSameValues(out.ndci, ref.ndci, 'ndci');
  });
});

describe('HAB kernel edge cases', () => {
  const c = reflectanceCase();
  const got = separate(c);
  it('NDWI and water at the hand-set pixels', () => {
    assert.ok(Number.isNaN(got.ndwi[0]) && got.water[0] === 255, '0/0 is nodata');
    assert.ok(Number.isNaN(got.ndwi[1]) && got.water[1] === 255, 'clamped 0/0 is nodata');
    assert.equal(got.ndwi[2], Math.fround(0.3));
    assert.equal(got.water[2], 0, 'NDWI of exactly float32(0.3) is not above the threshold');
    assert.equal(got.ndwi[5], 1);
  });
  it('NDCI at the hand-set pixels', () => {
    assert.ok(Number.isNaN(got.ndci[3]), 'RE + R = 0');
    assert.equal(got.ndci[4], -1, 'negative RE clamps to 0');
    assert.ok(Number.isNaN(got.ndci[6]) && got.water[6] === 1, 'NaN RE');
    assert.ok(Number.isNaN(got.ndci[7]) && got.water[7] === 1, 'nodata R');
  });
  it('NDVI uses unclamped N and is NaN on a zero denominator', () => {
    const n = Math.fround(-0.02);
    const r = Math.fround(0.04);
    assert.equal(got.ndvi[5], Math.fround((n - r) / (n + r)));
    assert.ok(got.ndvi[5] < -2.9, 'unclamped N gives NDVI below -1');
    assert.ok(Number.isNaN(got.ndvi[8]));
  });
  it('rejects a view too short for the pixel count', () => {
    const tiny: BandView = { data: new Float32Array(10), offset: 0, stride: 1 };
    assert.throws(() => ndwi(tiny, tiny, 11, {}, new Float32Array(11)), /ndwi G: view .* cannot hold 11 pixels/);
  });
});
