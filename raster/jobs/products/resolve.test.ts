/**
 * Resolving product requests into definitions (names, formulas, masks, references, constants, calibrations) and
 * binding them to a sensor; the tile program's passes on small arrays.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandMatchError, ExpressionError } from '../../errors';
import { ConstantDivisionError, FormulaSyntaxError } from '../../indices/formula-errors';
import type { Sensor } from '../../sensor';
import { bandSet } from '../../synthetic/band-sets';
import type { ProductDefinition } from './definition';
import { calibratedFormula, polynomialRange, splitComparison } from './formula-text';
import { tileProgram } from './program';
import { requestEntry, ProductRequestError } from './request';
import { bindProducts, collectProducts, constantParams, UnknownProductError, type ProductRegistry } from './resolve';

/** A registry of the shape the built-ins have: a water mask and an index inside it. */
const REGISTRY: ProductRegistry = {
  water: {
    name: 'water',
    description: 'water',
    source: 'builtin',
    roles: ['g', 'n'],
    dependsOn: [],
    kernel: { kind: 'hab', output: 'water' },
    params: { threshold: 0.3 },
    version: 1,
    output: 'cog',
    dtype: 'uint8',
    nodata: 255,
    overviewResampling: 'nearest',
    statistics: { histogramRange: [-1, 1], counters: 'water' },
  },
  ndci: {
    name: 'ndci',
    description: 'ndci',
    source: 'builtin',
    roles: ['g', 'n', 're', 'r'],
    dependsOn: ['water'],
    kernel: { kind: 'hab', output: 'ndci' },
    params: { threshold: 0.3 },
    version: 1,
    output: 'cog',
    dtype: 'float32',
    nodata: 'nan',
    where: 'water',
    overviewResampling: 'average',
    statistics: { histogramRange: [-1, 1], counters: 'bloom' },
  },
  ndvi: {
    name: 'ndvi',
    description: 'ndvi',
    source: 'builtin',
    roles: ['n', 'r'],
    dependsOn: [],
    kernel: { kind: 'hab', output: 'ndvi' },
    params: {},
    version: 1,
    output: 'cog',
    dtype: 'float32',
    nodata: 'nan',
    overviewResampling: 'average',
    statistics: { histogramRange: [-1, 1] },
  },
};

const WYVERN: Sensor = (() => {
  const bs = bandSet(31);
  return { name: 'wyvern-31', bands: bs.wavelengthsNm.map((w, index) => ({ index, wavelengthNm: w, fwhmNm: bs.fwhmNm[index] })) };
})();

const custom = (name: string, formula: string, extra: object = {}) => requestEntry({ name, formula, ...extra });

describe('collectProducts', () => {
  it('finds built-ins, catalog and wavelength indices case-insensitively, dependencies first', () => {
    const run = collectProducts(['NDCI', 'ndti', 'mci', 'savi', 'ndci'], REGISTRY);
    assert.deepEqual(run.asked, ['ndci', 'NDTI', 'MCI', 'SAVI']);
    assert.deepEqual(Object.keys(run.definitions), ['water', 'ndci', 'NDTI', 'MCI', 'SAVI']);
    assert.deepEqual(run.definitions.SAVI.params, { L: 1 });
    assert.deepEqual(run.definitions.MCI.roles, ['R709', 'R681', 'R753']);
    assert.equal(run.definitions.NDTI.source, 'catalog');
  });

  it('classifies a custom formula’s identifiers: bands, wavelengths, constants, products', () => {
    const run = collectProducts([custom('x', 'k * (RE1 - R709) / W709 + NDTI - ndci + L', { constants: { k: 2 } })], REGISTRY);
    const x = run.definitions.x;
    assert.deepEqual(x.roles, ['RE1', 'R709']);
    assert.deepEqual(x.params, { k: 2, L: 1 });
    assert.deepEqual(x.refs, { NDTI: 'NDTI', ndci: 'ndci' });
    assert.deepEqual(x.dependsOn, ['NDTI', 'ndci']);
    assert.deepEqual(Object.keys(run.definitions), ['NDTI', 'water', 'ndci', 'x']);
  });

  it('makes a comparison a uint8 mask, applies where, calibrates values', () => {
    const run = collectProducts([custom('bloom', 'NDCI > 0.3', { where: 'water' }), custom('chla', 'ndci', { calibration: { coefficients: [1, 2, 3], units: 'mg m-3' } })], REGISTRY);
    const bloom = run.definitions.bloom;
    assert.deepEqual(bloom.kernel, { kind: 'mask', formula: 'NDCI > 0.3', left: 'NDCI', op: '>', right: '0.3' });
    assert.deepEqual([bloom.dtype, bloom.nodata, bloom.overviewResampling, bloom.where], ['uint8', 255, 'nearest', 'water']);
    const chla = run.definitions.chla;
    assert.deepEqual(chla.calibration, { kind: 'polynomial', coefficients: [1, 2, 3], units: 'mg m-3' });
    assert.deepEqual(chla.statistics.histogramRange, polynomialRange([1, 2, 3], -1, 1));
  });

  it('refuses what cannot be meant', () => {
    assert.throws(() => collectProducts(['NDVJ'], REGISTRY), (e: unknown) => e instanceof UnknownProductError && e.suggestions[0] === 'ndvi');
    assert.throws(() => collectProducts([custom('NDVI', 'N')], REGISTRY), /NDVI: clashes with the built-in product ndvi/);
    assert.throws(() => collectProducts([custom('x', 'N'), custom('X', 'R')], REGISTRY), /X: defined twice/);
    assert.throws(() => collectProducts([custom('RE1', 'N')], REGISTRY), /band key, wavelength name or constant/);
    assert.throws(() => collectProducts([custom('x', 'ndvi', { where: 'ndvi' })], REGISTRY), /x: --where ndvi: ndvi is not a mask/);
    assert.throws(() => collectProducts([custom('x', 'N > 1 > 2')], REGISTRY), (e: unknown) => e instanceof FormulaSyntaxError && e.column === 7);
    assert.throws(() => collectProducts([custom('x', 'N > (R - R) / (R - R)')], REGISTRY), (e: unknown) => e instanceof ConstantDivisionError && e.position === 12);
    assert.throws(() => collectProducts([custom('x', 'N > 0', { calibration: { coefficients: [0, 1] } })], REGISTRY), /cannot be calibrated/);
    assert.throws(() => collectProducts([custom('a', 'b'), custom('b', 'a + 1')], REGISTRY), /a: refers to itself \(a → b → a\)/);
    assert.throws(() => collectProducts([custom('x', 'N', { constants: { q: 1 } })], REGISTRY), /constant q is not used/);
    assert.throws(() => collectProducts([custom('x', 'Nx + 1')], REGISTRY), (e: unknown) => e instanceof ProductRequestError && /unknown identifier 'Nx' at column 1/.test(e.message));
  });

  it('spreads --const over every product with that constant', () => {
    const run = collectProducts(['savi', 'EVI', custom('x', '(N - R) / (N + R + L)')], REGISTRY);
    assert.deepEqual(constantParams(run, { L: 0.25 }), { 'SAVI.L': 0.25, 'EVI.L': 0.25, 'x.L': 0.25 });
    assert.throws(() => constantParams(run, { Z: 1 }), /--const Z: no product of this run has a constant Z/);
  });
});

describe('bindProducts', () => {
  it('matches custom catalog roles as the catalog indices do, values lambdas and wavelengths from the bands', () => {
    const run = collectProducts(['NDTI', custom('x', '(R - G) / (R + G) * lambdaN / W709 + R709')], REGISTRY);
    const { definitions, bands } = bindProducts(run, WYVERN, { NDTI: {}, x: {} });
    assert.deepEqual(bands.R, { role: 'R', index: 15, wavelengthNm: 660 });
    assert.deepEqual(bands.G, { role: 'G', index: 8, wavelengthNm: 549 });
    assert.deepEqual(bands.R709, { role: 'R709', index: 20, wavelengthNm: 711 });
    assert.deepEqual((definitions.x.kernel as { constants: object }).constants, { lambdaN: 832, W709: 711 });
  });

  it('names the product and the missing band or constant', () => {
    const nir = { name: 'vnir', bands: [{ index: 0, wavelengthNm: 550 }, { index: 1, wavelengthNm: 660 }] };
    assert.throws(() => bindProducts(collectProducts(['ndci'], REGISTRY), nir, { water: {}, ndci: {} }), (e: unknown) => e instanceof BandMatchError && /^ndci: needs N \(760–900 nm\) but vnir has no band there/.test(e.message));
    assert.throws(() => bindProducts(collectProducts(['NIRvP'], REGISTRY), WYVERN, { NIRvP: {} }), (e: unknown) => e instanceof ExpressionError && /NIRvP: constant PAR has no catalog default.*--const PAR=VALUE/.test(e.message));
    assert.throws(() => bindProducts(collectProducts([custom('x', 'N * PAR')], REGISTRY), WYVERN, { x: {} }), /x: constant PAR has no default; pass a value for it \(--const PAR=VALUE\)/);
    const withPar = bindProducts(collectProducts([custom('x', 'N * PAR')], REGISTRY), WYVERN, { x: { PAR: 2 } });
    assert.deepEqual((withPar.definitions.x.kernel as { constants: object }).constants, { PAR: 2 });
  });
});

describe('formula text', () => {
  it('splits one comparison outside parentheses', () => {
    assert.deepEqual(splitComparison('m', 'a >= (b)'), { kind: 'mask', left: { text: 'a ', offset: 0 }, op: '>=', right: { text: ' (b)', offset: 4 } });
    assert.equal(splitComparison('m', 'a - b').kind, 'formula');
  });
  it('calibrates in Horner form', () => {
    assert.equal(calibratedFormula('x', [14.039, 86.115, 194.325]), '14.039 + (x) * (86.115 + (x) * (194.325))');
    assert.equal(calibratedFormula('N - R', [-1, 2]), '(-1) + (N - R) * (2)');
    assert.deepEqual(polynomialRange([0, 0, 1], -1, 1), [0, 1]);
  });
});

describe('tileProgram', () => {
  it('runs formula levels over bands and products: a value, a mask of it inside another mask', () => {
    const run = collectProducts([custom('v', 'N - R'), custom('m', 'v > 0.25', { where: 'w' }), custom('w', 'N > 0.5')], REGISTRY);
    const defs: ProductDefinition[] = Object.values(bindProducts(run, WYVERN, { v: {}, m: {}, w: {} }).definitions);
    const program = tileProgram('test-program', defs, ['N', 'R']);
    assert.deepEqual([...program.roles].sort(), ['N', 'R']);
    const N = Float32Array.from([0.9, 0.9, 0.4, NaN, 0.6]);
    const R = Float32Array.from([0.1, 0.8, 0.1, 0.1, 0.5]);
    const out = program.run({ N, R }, 5, {});
    assert.deepEqual([...out.masks.w], [1, 1, 0, 255, 1]);
    assert.deepEqual([...out.masks.m], [1, 0, 255, 255, 0]);
    assert.ok(Math.abs(out.f32.v[0] - 0.8) < 1e-6 && Number.isNaN(out.f32.v[3]));
    assert.equal(tileProgram('test-program', [], []), program, 'compiled once per key');
  });
});
