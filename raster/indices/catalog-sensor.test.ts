/**
 * Which indices a 31-band Wyvern-like sensor can compute (raster/synthetic band set, 445–880 nm), and every one it
 * can, compiled into one pass, against numpy evaluating the catalog's own formula strings with the same band picks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandMatchError, ExpressionError } from '../errors';
import type { Sensor } from '../sensor';
import { bandSet } from '../synthetic/band-sets';
import { interleavedBand } from './band-view';
import { catalogIndex, catalogIndexNames } from './catalog';
import { compileIndicesForSensor, computableIndices, indexAvailability, resolveIndexName, type ComputableIndex } from './catalog-sensor';
import { UnknownIndexError } from './formula-errors';
import { assertClose } from './testing/compare';
import { runNumpy } from './testing/numpy-oracle';
import { saltedFloat32, seededRandom } from './testing/random';

function sensorOf(count: 23 | 31): Sensor {
  const bs = bandSet(count);
  return { name: `wyvern-${count}`, bands: bs.wavelengthsNm.map((w, index) => ({ index, wavelengthNm: w, fwhmNm: bs.fwhmNm[index] })) };
}

const WYVERN_31 = sensorOf(31);
const NODATA = -9999;

describe('computableIndices on a 31-band sensor', () => {
  const all = computableIndices(WYVERN_31);
  const byName = (n: string) => {
    const a = all.find((x) => x.shortName === n);
    assert.ok(a, n);
    return a;
  };

  it('covers every catalog index and the built-in wavelength indices', () => {
    assert.equal(all.length, catalogIndexNames().length + 3);
    assert.deepEqual(all.slice(-3).map((a) => [a.shortName, a.source]), [['CI_cyano', 'wavelength'], ['FLH', 'wavelength'], ['MCI', 'wavelength']]);
    assert.ok(all.filter((a) => a.computable).length > 100);
  });

  it('gives the bands each role uses: the band inside the catalog range nearest its centre', () => {
    const ndvi = byName('NDVI');
    assert.ok(ndvi.computable);
    // N: 760–900, centre 830 → 832 nm (band 29); R: 620–690, centre 655 → 660 nm (band 16).
    assert.deepEqual(ndvi.bands, { N: { index: 28, wavelengthNm: 832 }, R: { index: 15, wavelengthNm: 660 } });
    const ndci = byName('NDCI');
    assert.ok(ndci.computable);
    assert.deepEqual(ndci.bands.RE1, { index: 19, wavelengthNm: 699 }); // 695–715, centre 705: 699 and 711 tie at 6; first wins
  });

  it('explains what is missing: a role with its range and the nearest band, a radar or kernel term, a constant', () => {
    const ndmi = byName('NDMI');
    assert.equal(ndmi.computable, false);
    assert.ok(!ndmi.computable);
    assert.equal(ndmi.reason, 'needs S1 (1550–1750 nm); nearest is band 31 at 880 nm');
    assert.deepEqual(ndmi.missing, { kind: 'band', role: 'S1', minNm: 1550, maxNm: 1750, nearest: { index: 30, wavelengthNm: 880 } });
    const knd = byName('kNDVI');
    assert.ok(!knd.computable && knd.missing.kind === 'not-optical' && /kNN, a kernel term/.test(knd.reason));
    const radar = all.find((a) => !a.computable && a.missing.kind === 'not-optical' && a.missing.role === 'VV');
    assert.ok(radar && !radar.computable && /VV, a radar backscatter term/.test(radar.reason));
    const par = byName('NIRvP');
    assert.ok(!par.computable && par.reason === 'constant PAR has no catalog default; pass a value for it');
  });

  it('takes constant overrides, and fills lambda* from the bands it picked', () => {
    const savi = indexAvailability('savi', WYVERN_31, { constants: { L: 0.5 } });
    assert.ok(savi.computable);
    assert.deepEqual(savi.constants, { L: 0.5 });
    const par = indexAvailability('NIRvP', WYVERN_31, { constants: { PAR: 1800 } });
    assert.ok(par.computable && par.constants.PAR === 1800);
    const dvi = byName('DVIplus');
    assert.ok(dvi.computable);
    assert.deepEqual(dvi.constants, { lambdaN: 832, lambdaR: 660, lambdaG: 549 });
    assert.equal(dvi.bands.G.wavelengthNm, 549);
  });

  it('takes preferred targets per role', () => {
    const ndvi = indexAvailability('NDVI', WYVERN_31, { targetsNm: { N: 865, R: 665 } });
    assert.ok(ndvi.computable);
    assert.deepEqual([ndvi.bands.N.wavelengthNm, ndvi.bands.R.wavelengthNm], [856, 669]);
  });

  it('reports wavelength indices with the matched bands', () => {
    const mci = byName('MCI');
    assert.ok(mci.computable);
    assert.deepEqual(mci.bands, { R709: { index: 20, wavelengthNm: 711 }, R681: { index: 17, wavelengthNm: 679 }, R753: { index: 23, wavelengthNm: 750 } });
    assert.deepEqual(mci.constants, { W709: 711, W681: 679, W753: 750 });
  });
});

describe('index names', () => {
  it('resolve case-insensitively, catalog and wavelength indices alike', () => {
    assert.deepEqual(resolveIndexName('ndvi'), { shortName: 'NDVI', source: 'catalog' });
    assert.deepEqual(resolveIndexName('KNDVI'), { shortName: 'kNDVI', source: 'catalog' });
    assert.deepEqual(resolveIndexName('mci'), { shortName: 'MCI', source: 'wavelength' });
    assert.deepEqual(resolveIndexName('ci_CYANO'), { shortName: 'CI_cyano', source: 'wavelength' });
  });
  it('suggest the closest names when unknown', () => {
    assert.throws(
      () => resolveIndexName('NDVJ'),
      (e: unknown) =>
        e instanceof UnknownIndexError && e instanceof ExpressionError && e.suggestions.includes('NDVI') && /^NDVJ: not an index of the spectral-index catalog \(did you mean .*NDVI.*\?\)$/.test(e.message),
    );
    assert.throws(() => catalogIndex('SAVII'), { message: 'SAVII: not an index of the spectral-index catalog (did you mean SAVI or SAVI2 or SAVIT?)' });
    assert.throws(() => resolveIndexName('FHL'), (e: unknown) => e instanceof UnknownIndexError && e.suggestions.includes('FLH'));
    assert.throws(() => resolveIndexName('ZZZZZZZZZZZZ'), (e: unknown) => e instanceof UnknownIndexError && e.suggestions.length === 0 && !/did you mean/.test(e.message));
  });
});

describe('every computable catalog index vs numpy evaluating the catalog formula', () => {
  it('within 1e-5 relative, at exactly the same NaN pixels, in one compiled pass over an interleaved tile', () => {
    const computable = computableIndices(WYVERN_31).filter((a): a is ComputableIndex => a.computable && a.source === 'catalog');
    const names = computable.map((a) => a.shortName);
    const { set, views } = compileIndicesForSensor(names, WYVERN_31);
    const count = 503;
    const nb = WYVERN_31.bands.length;
    const tile = saltedFloat32(count * nb, seededRandom(31), { min: 0.01, max: 0.6, nanRate: 0.005, nodata: NODATA, nodataRate: 0.005, zeroRate: 0.005, negativeRate: 0.01 });
    const outs = names.map(() => new Float32Array(count));
    set.run(views((b) => interleavedBand(tile, b.index, nb)), count, outs, { nodata: NODATA });

    const want = runNumpy(
      `
      t = A['t'].reshape(-1, P['nb'])
      res = []
      for f in P['indices']:
          env = dict(f['constants'])
          bad = np.zeros(len(t), bool)
          for role, band in f['bands'].items():
              raw = t[:, band]
              env[role] = raw.astype(np.float64)
              bad |= np.isnan(raw) | (raw == P['nodata'])
          with np.errstate(all='ignore'):
              v = eval(f['formula'], {'__builtins__': {}}, env) * np.ones(len(t))
          res.append(np.where(bad, np.nan, v).astype(np.float32))
      OUT['r'] = np.concatenate(res)
      `,
      { t: tile },
      {
        nb,
        nodata: NODATA,
        indices: computable.map((a) => ({ formula: a.formula, constants: a.constants, bands: Object.fromEntries(Object.entries(a.bands).map(([r, b]) => [r, b.index])) })),
      },
    ).arrays['r'];
    names.forEach((n, k) => assertClose(outs[k], want.subarray(k * count, (k + 1) * count), n, { rel: 1e-5, abs: 1e-9 }));
    const finite = outs.reduce((s, o) => s + o.filter(Number.isFinite).length, 0);
    assert.ok(finite > 0.9 * count * names.length, `most values are numbers: ${finite}`);
  });
});

describe('compileIndicesForSensor', () => {
  it('compiles catalog and wavelength indices into one set with the views they need', () => {
    const s = compileIndicesForSensor(['ndvi', 'MCI', 'savi'], WYVERN_31, { constants: { L: 0.5 } });
    assert.deepEqual(s.set.formulas.map((f) => f.name), ['NDVI', 'MCI', 'SAVI']);
    assert.deepEqual(s.set.formulas[2].constants, { L: 0.5 });
    assert.deepEqual(Object.keys(s.inputs).sort(), ['N', 'R', 'R681', 'R709', 'R753']);
    const nb = 31;
    const tile = new Float32Array(2 * nb).map((_, i) => 0.1 + (i % nb) / 100);
    const outs = { NDVI: new Float32Array(2), MCI: new Float32Array(2), SAVI: new Float32Array(2) };
    s.set.run(s.views((b) => interleavedBand(tile, b.index, nb)), 2, outs);
    const n = Math.fround(0.1 + 28 / 100);
    const r = Math.fround(0.1 + 15 / 100);
    assert.equal(outs.NDVI[1], Math.fround((n - r) / (n + r)));
  });
  it('refuses an index the sensor cannot compute, with the reason', () => {
    assert.throws(() => compileIndicesForSensor(['NDVI', 'NDMI'], WYVERN_31), (e: unknown) => e instanceof BandMatchError && /^NDMI: needs S1 \(1550–1750 nm\); nearest is band 31 at 880 nm \(sensor wyvern-31\)$/.test(e.message));
    assert.throws(() => compileIndicesForSensor(['NIRvP'], WYVERN_31), /NIRvP: constant PAR has no catalog default/);
    assert.throws(() => compileIndicesForSensor(['NDVJ'], WYVERN_31), UnknownIndexError);
  });
});
