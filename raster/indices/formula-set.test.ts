/**
 * The fused engines (WebAssembly and generated JavaScript) against the reference evaluator, bit for bit, on every
 * catalog formula at once and on edge-case formulas; sharing of subexpressions; baked constants; the cache.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors';
import type { TypedArray } from '../types';
import type { BandView } from './band-view';
import { catalogIndexNames, compileCatalogIndex } from './catalog';
import { compileFormulaReference } from './expression-reference';
import { compileFormulas, type FormulaSpec } from './formula-set';
import { CHUNK_PX } from './formula-wasm-run';
import { saltedFloat32, seededRandom } from './testing/random';

/** Values for the constants the catalog gives no default (PAR, lambda*): plausible, not special. */
const NO_DEFAULT: Record<string, number> = {
  PAR: 1500,
  lambdaG: 560,
  lambdaN: 842,
  lambdaN2: 865,
  lambdaR: 665,
  lambdaS1: 1610,
  lambdaS2: 2190,
};
const NODATA = -9999;

/** Same value, NaN equal to NaN (any payload), +0 distinct from −0. */
function sameBits(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

function assertIdentical(got: Float32Array, want: Float32Array, label: string): void {
  for (let i = 0; i < want.length; i++) {
    if (!sameBits(got[i], want[i])) assert.fail(`${label}[${i}]: ${got[i]} vs reference ${want[i]}`);
  }
}

interface Layout {
  name: string;
  /** Views of every band over `count` pixels. */
  views: (bands: string[], count: number) => Record<string, BandView>;
}

/** Interleaved tile (one array, stride = band count), band-sequential arrays, and scaled int16 samples. */
function layouts(seed: number): Layout[] {
  const salt = { min: 0.02, max: 0.6, nanRate: 0.01, nodata: NODATA, nodataRate: 0.01, zeroRate: 0.02, negativeRate: 0.03 };
  return [
    {
      name: 'interleaved float32',
      views(bands, count) {
        const tile = saltedFloat32(count * bands.length, seededRandom(seed), salt);
        tile[3] = -0; // a negative zero must stay what the reference makes of it
        return Object.fromEntries(bands.map((b, k) => [b, { data: tile, offset: k, stride: bands.length }]));
      },
    },
    {
      name: 'band-sequential float32',
      views(bands, count) {
        const rand = seededRandom(seed + 1);
        return Object.fromEntries(bands.map((b) => [b, { data: saltedFloat32(count, rand, salt), offset: 0, stride: 1 }]));
      },
    },
    {
      name: 'interleaved int16 with scale and offset',
      views(bands, count) {
        const rand = seededRandom(seed + 2);
        const tile = new Int16Array(count * bands.length);
        for (let i = 0; i < tile.length; i++) tile[i] = rand() < 0.02 ? NODATA : Math.floor(-200 + 6200 * rand());
        return Object.fromEntries(bands.map((b, k) => [b, { data: tile as TypedArray, offset: k, stride: bands.length, scale: 1e-4, addOffset: 0.001 * (k % 3) }]));
      },
    },
  ];
}

/** Runs `specs` through both engines and the reference on every layout; asserts identical outputs. */
function checkAgainstReference(specs: FormulaSpec[], bands: string[], count: number, constants: Record<string, number> = {}): void {
  for (const layout of layouts(count)) {
    const views = layout.views(bands, count);
    const want = specs.map((s) => {
      const ref = compileFormulaReference(s.name, s.formula, { bands, constants: { ...constants, ...s.constants } });
      return ref.run(views, count, new Float32Array(count), { nodata: NODATA });
    });
    for (const engine of ['wasm', 'js'] as const) {
      const set = compileFormulas(specs, { bands, constants, engine });
      const got = specs.map(() => new Float32Array(count));
      set.run(views, count, got, { nodata: NODATA });
      specs.forEach((s, j) => assertIdentical(got[j], want[j], `${engine} ${layout.name} ${s.name}`));
    }
  }
}

describe('fused engines equal the reference evaluator bit for bit', () => {
  it('all 280 catalog formulas in one set, on three input layouts, odd pixel count', () => {
    const compiled = catalogIndexNames().map((n) => compileCatalogIndex(n, NO_DEFAULT));
    const bands = [...new Set(compiled.flatMap((c) => c.bands))].sort();
    const specs = compiled.map((c) => ({ name: c.name, formula: c.formula, constants: c.constants }));
    const set = compileFormulas(specs, { bands });
    assert.ok(set.stats.kernels >= 2, `the full catalog is split into several kernels, got ${set.stats.kernels}`);
    checkAgainstReference(specs, bands, 401);
  });

  it('across chunk boundaries of the WebAssembly driver (2 chunks and 3 pixels)', () => {
    const names = ['NDVI', 'EVI', 'MSAVI', 'GEMI', 'MTVI2', 'IRECI', 'NDCI', 'TCARI'];
    const compiled = names.map((n) => compileCatalogIndex(n));
    const bands = [...new Set(compiled.flatMap((c) => c.bands))].sort();
    checkAgainstReference(compiled.map((c) => ({ name: c.name, formula: c.formula, constants: c.constants })), bands, 2 * CHUNK_PX + 3);
  });

  it('edge cases: pow with NaN-absorbing exponents, constants only, a bare band, signs, sqrt of negatives', () => {
    const formulas = [
      'N ** 0',
      'N ** (R - 0.3)',
      '1 ** N',
      '2 ** N',
      '(-1) ** (N * 0 + 1e308 * 10)',
      'N ** 3 - R ** 1.16',
      '-N ** 0.5',
      '(N - 0.3) ** 0.5',
      '(N - R) ** 2',
      '-(N - R)',
      '+N',
      'N',
      '2 * 3 + 1',
      '(2 - 3) ** 0.5',
      'N / R',
      '(N - R) / (N + R)',
      '0 - N',
      'N - 0',
    ];
    checkAgainstReference(formulas.map((formula, j) => ({ name: `F${j}`, formula })), ['N', 'R'], 257);
  });

  it('every input nodata or NaN gives NaN; 0/0 NaN; x/0 ±Infinity (IEEE, as numpy)', () => {
    const data = new Float32Array([NODATA, 0.5, NaN, NODATA, 0.5, 0, 0, 0, -0.5, 0]); // pixels of (N, R)
    const n = { data, offset: 0, stride: 2 };
    const r = { data, offset: 1, stride: 2 };
    for (const engine of ['wasm', 'js'] as const) {
      const set = compileFormulas([{ name: 'Q', formula: 'N / R' }, { name: 'K', formula: 'R * 0 + 7' }], { bands: ['N', 'R'], engine });
      const q = new Float32Array(5);
      const k = new Float32Array(5);
      set.run({ N: n, R: r }, 5, { Q: q, K: k }, { nodata: NODATA });
      assert.deepEqual([...q], [NaN, NaN, Infinity, NaN, -Infinity], engine);
      assert.deepEqual([...k], [7, NaN, 7, 7, 7], engine);
    }
  });
});

describe('one pass with shared subexpressions and baked constants', () => {
  it('computes a shared subexpression once', () => {
    const set = compileFormulas(
      [
        { name: 'A', formula: '(N - R)/(N + R)' },
        { name: 'B', formula: '(N - R)/(R + N + L)' },
        { name: 'C', formula: '(R + N) * 2' },
      ],
      { bands: ['N', 'R'], constants: { L: 0.5 }, engine: 'js' },
    );
    // N - R, N + R, A's division, (N + R) + 0.5, B's division, (N + R) * 2.
    assert.deepEqual(set.stats, { sharedOps: 6, unsharedOps: 9, kernels: 1, engine: 'js' });
    const [src] = set.source();
    assert.equal(src.match(/ - /g)?.length, 1, src);
    assert.ok(src.includes('+ 0.5;'), 'L is baked in as a literal');
    assert.equal(src.match(/for \(/g)?.length, 1, 'one loop');
  });

  it('never puts formula identifiers into the generated source', () => {
    const set = compileFormulas([{ name: 'constructor', formula: 'constructor - __proto__ * toString' }], {
      bands: ['constructor', '__proto__'],
      constants: { toString: 2 },
      engine: 'js',
    });
    const [src] = set.source();
    assert.ok(!/constructor|__proto__|toString/.test(src), src);
    const out = new Float32Array(1);
    set.run({ constructor: { data: new Float32Array([5]), offset: 0, stride: 1 }, ['__proto__']: { data: new Float32Array([1]), offset: 0, stride: 1 } }, 1, [out]);
    assert.equal(out[0], 3);
  });

  it('is cached per formula set and options', () => {
    const specs = [{ name: 'S', formula: '(1 + L) * (N - R) / (N + R + L)' }];
    const a = compileFormulas(specs, { bands: ['N', 'R'], constants: { L: 1 } });
    assert.equal(compileFormulas(specs.map((s) => ({ ...s })), { bands: ['N', 'R'], constants: { L: 1 } }), a);
    assert.notEqual(compileFormulas(specs, { bands: ['N', 'R'], constants: { L: 0.5 } }), a);
  });

  it('takes per-formula constants over the shared ones, and outputs by name', () => {
    const set = compileFormulas(
      [
        { name: 'SAVI', formula: '(1 + L) * (N - R) / (N + R + L)' },
        { name: 'SAVI05', formula: '(1 + L) * (N - R) / (N + R + L)', constants: { L: 0.5 } },
      ],
      { bands: ['N', 'R'], constants: { L: 1 } },
    );
    assert.deepEqual(set.formulas.map((f) => f.constants), [{ L: 1 }, { L: 0.5 }]);
    const v = (x: number) => ({ data: new Float32Array([x]), offset: 0, stride: 1 });
    const outs = { SAVI: new Float32Array(1), SAVI05: new Float32Array(1) };
    set.run({ N: v(0.5), R: v(0.1) }, 1, outs);
    assert.equal(outs.SAVI[0], Math.fround((2 * 0.4000000059604645) / (0.5 + 0.10000000149011612 + 1)));
    assert.equal(outs.SAVI05[0], Math.fround((1.5 * 0.4000000059604645) / (0.5 + 0.10000000149011612 + 0.5)));
  });

  it('rejects duplicate names, missing inputs and missing outputs', () => {
    assert.throws(() => compileFormulas([{ name: 'A', formula: 'N' }, { name: 'A', formula: 'R' }], { bands: ['N', 'R'] }), /A: appears twice/);
    const set = compileFormulas([{ name: 'A', formula: 'N - R' }], { bands: ['N', 'R'] });
    const v = { data: new Float32Array(4), offset: 0, stride: 1 };
    assert.throws(() => set.run({ N: v }, 4, [new Float32Array(4)]), (e: unknown) => e instanceof ExpressionError && /A: no input supplied for band 'R'/.test(e.message));
    assert.throws(() => set.run({ N: v, R: v }, 4, {}), /A: no output array supplied/);
    assert.throws(() => set.run({ N: v, R: v }, 5, [new Float32Array(5)]), /A N: view .* cannot hold 5 pixels/);
  });
});
