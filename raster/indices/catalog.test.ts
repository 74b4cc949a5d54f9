/**
 * Every formula of the vendored catalog parses and compiles, and evaluates like numpy evaluating the same text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors';
import { catalogConstant, catalogIndex, catalogIndexNames, compileCatalogIndex } from './catalog';
import { compileFormula } from './expression';
import { parseFormula } from './expression-parser';
import { runNumpy } from './testing/numpy-oracle';
import { seededRandom } from './testing/random';

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

describe('catalog', () => {
  const names = catalogIndexNames();

  it('holds the 280 indices of the vendored commit', () => {
    assert.equal(names.length, 280);
    assert.deepEqual(catalogIndex('NDCI'), {
      shortName: 'NDCI',
      longName: 'Normalized Difference Chlorophyll Index',
      formula: '(RE1 - R)/(RE1 + R)',
      bands: ['RE1', 'R'],
      constants: [],
      applicationDomain: 'water',
    });
    assert.equal(catalogIndex('kndvi').shortName, 'kNDVI');
    assert.deepEqual(catalogIndex('EVI').constants.sort(), ['C1', 'C2', 'L', 'g']);
    assert.throws(() => catalogIndex('NOPE'), (e: unknown) => e instanceof ExpressionError && /NOPE: not an index/.test(e.message));
  });

  it('gives constant defaults', () => {
    assert.equal(catalogConstant('L'), 1);
    assert.equal(catalogConstant('g'), 2.5);
    assert.equal(catalogConstant('C2'), 7.5);
    assert.equal(catalogConstant('PAR'), undefined);
    assert.equal(catalogConstant('nope'), undefined);
  });

  it('parses every formula (none needs a function or an operator outside the grammar)', () => {
    const failures: string[] = [];
    for (const n of names) {
      try {
        parseFormula(n, catalogIndex(n).formula);
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('evaluates every formula like numpy (float64, within 1e-6 relative)', () => {
    const rand = seededRandom(2024);
    const count = 400;
    const compiled = names.map((n) => compileCatalogIndex(n, NO_DEFAULT));
    const bandNames = [...new Set(compiled.flatMap((c) => c.bands))].sort();
    const nb = bandNames.length;
    // One interleaved tile holding every band any formula uses; reflectance-like values, a few nodata pixels.
    const tile = new Float32Array(count * nb);
    for (let i = 0; i < tile.length; i++) tile[i] = 0.02 + 0.6 * rand();
    for (let p = 0; p < count; p += 37) tile[p * nb + (p % nb)] = p % 2 ? NaN : -9999;
    const results = new Float32Array(count * compiled.length);
    compiled.forEach((c, k) => {
      const inputs = Object.fromEntries(c.bands.map((b) => [b, { data: tile, offset: bandNames.indexOf(b), stride: nb }]));
      c.run(inputs, count, results.subarray(k * count, (k + 1) * count), { nodata: -9999 });
    });
    const want = runNumpy(
      `
      t = A['t'].reshape(-1, len(P['bandNames']))
      res = []
      for f in P['formulas']:
          env = dict(f['constants'])
          bad = np.zeros(len(t), bool)
          for b in f['bands']:
              raw = t[:, P['bandNames'].index(b)]
              env[b] = raw.astype(np.float64)
              bad |= np.isnan(raw) | (raw == -9999)
          with np.errstate(all='ignore'):
              v = eval(f['formula'], {'__builtins__': {}}, env) * np.ones(len(t))
          res.append(np.where(bad, np.nan, v).astype(np.float32))
      OUT['r'] = np.concatenate(res)
      `,
      { t: tile },
      { bandNames, formulas: compiled.map((c) => ({ formula: c.formula, bands: c.bands, constants: c.constants })) },
    ).arrays['r'];
    const mismatches: string[] = [];
    compiled.forEach((c, k) => {
      for (let i = 0; i < count; i++) {
        const a = results[k * count + i];
        const e = want[k * count + i];
        const same = a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= 1e-6 * Math.max(1, Math.abs(e));
        if (!same) {
          mismatches.push(`${c.name}[${i}]: ${a} vs numpy ${e}`);
          break;
        }
      }
    });
    assert.deepEqual(mismatches, []);
    const finite = results.filter(Number.isFinite).length;
    assert.ok(finite > results.length * 0.8, `most results must be finite numbers, got ${finite}/${results.length}`);
  });

  it('explains a missing constant', () => {
    const needsPar = catalogIndexNames().find((n) => catalogIndex(n).constants.includes('PAR'));
    assert.ok(needsPar);
    assert.throws(() => compileCatalogIndex(needsPar), new RegExp(`${needsPar}: constant PAR has no catalog default`));
    assert.throws(() => compileFormula('X', 'N * PAR', { bands: ['N'] }), /unknown identifier 'PAR'/);
  });
});
