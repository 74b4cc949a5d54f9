/**
 * Wavelength-named bands and the line-height indices (MCI, FLH, CI_cyano): band resolution and its tolerance,
 * the documented errors, and the indices against an independent numpy implementation on the 23- and 31-band
 * Wyvern-like sensors (raster/synthetic band sets).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandMatchError } from '../errors';
import type { Sensor } from '../sensor';
import { bandSet } from '../synthetic/band-sets';
import { interleavedBand } from './band-view';
import { compileFormula } from './expression';
import { compileFormulaReference } from './expression-reference';
import { WavelengthCollisionError, WavelengthMatchError } from './formula-errors';
import { assertClose } from './testing/compare';
import { runNumpy } from './testing/numpy-oracle';
import { saltedFloat32, seededRandom } from './testing/random';
import { parseWavelengthName, resolveWavelengthBand } from './wavelength-bands';
import { compileWavelengthIndex, wavelengthIndex, wavelengthIndexNames } from './wavelength-indices';

function wyvern(count: 23 | 31): Sensor {
  const bs = bandSet(count);
  return { name: `wyvern-${count}`, bands: bs.wavelengthsNm.map((w, index) => ({ index, wavelengthNm: w, fwhmNm: bs.fwhmNm[index] })) };
}

const SENTINEL_2A: Sensor = {
  name: 'sentinel-2a',
  bands: [
    ['B1', 442.7, 21],
    ['B2', 492.4, 66],
    ['B3', 559.8, 36],
    ['B4', 664.6, 31],
    ['B5', 704.1, 15],
    ['B6', 740.5, 15],
    ['B7', 782.8, 20],
    ['B8', 832.8, 106],
  ].map(([name, wl, fwhm], index) => ({ index, name: name as string, wavelengthNm: wl as number, fwhmNm: fwhm as number })),
};

const NODATA = -9999;

describe('wavelength names', () => {
  it('parse R<nm> and W<nm> with optional decimals', () => {
    assert.deepEqual(parseWavelengthName('R709'), { kind: 'R', wavelengthNm: 709 });
    assert.deepEqual(parseWavelengthName('W681.25'), { kind: 'W', wavelengthNm: 681.25 });
    assert.equal(parseWavelengthName('RE1'), undefined);
    assert.equal(parseWavelengthName('R0'), undefined);
    assert.equal(parseWavelengthName('N709'), undefined);
  });

  it('resolve to the nearest band within half its FWHM', () => {
    const s = wyvern(31);
    assert.equal(resolveWavelengthBand(s, 709, 'x').wavelengthNm, 711);
    assert.equal(resolveWavelengthBand(s, 709.5, 'x').wavelengthNm, 711);
    assert.equal(resolveWavelengthBand(s, 741, 'x').wavelengthNm, 734); // 7 nm away, half FWHM 7.7
    assert.equal(resolveWavelengthBand(SENTINEL_2A, 709, 'x').name, 'B5'); // 4.9 nm, half FWHM 7.5
  });

  it('between two bands beyond tolerance: the documented error names the wavelength and the nearest band', () => {
    assert.throws(
      () => resolveWavelengthBand(SENTINEL_2A, 722, 'MCI'),
      (e: unknown) =>
        e instanceof WavelengthMatchError &&
        e instanceof BandMatchError &&
        e.code === 'BAND_NOT_FOUND' &&
        e.message === 'MCI: no band within 7.5 nm of 722 nm (nearest: band 5 (B5) at 704.1 nm)' &&
        e.wantedNm === 722 &&
        e.toleranceNm === 7.5 &&
        e.nearest?.index === 4,
    );
    assert.throws(() => resolveWavelengthBand(wyvern(31), 900, 'X'), { message: 'X: no band within 12 nm of 900 nm (nearest: band 31 at 880 nm)' });
  });

  it('default to 10 nm when the FWHM is unknown', () => {
    const wl = [400, 410, 420, 430, 440, 450, 460, 470, 480, 490, 500, 510, 520, 530, 540, 690, 721.3];
    const noFwhm: Sensor = { name: 'lab', bands: wl.map((w, index) => ({ index, wavelengthNm: w })) };
    assert.throws(
      () => compileFormula('MCI', 'R709 - R681', { bands: [], sensor: noFwhm }),
      (e: unknown) => e instanceof WavelengthMatchError && e.message === 'MCI: no band within 10 nm of 709 nm (nearest: band 17 at 721.3 nm)',
    );
    assert.equal(resolveWavelengthBand(noFwhm, 700, 'x').wavelengthNm, 690);
    assert.equal(resolveWavelengthBand(noFwhm, 709, 'x', { toleranceNm: 15 }).wavelengthNm, 721.3);
  });

  it('two wavelengths on one band are an error', () => {
    const coarse: Sensor = { name: 'coarse', bands: [{ index: 0, wavelengthNm: 665, fwhmNm: 10 }, { index: 1, wavelengthNm: 684, fwhmNm: 20 }, { index: 2, wavelengthNm: 709, fwhmNm: 10 }] };
    const wide: Sensor = { name: 'wide', bands: [{ index: 0, wavelengthNm: 675, fwhmNm: 40 }, { index: 1, wavelengthNm: 709, fwhmNm: 10 }] };
    assert.throws(
      () => compileWavelengthIndex('FLH', wide),
      (e: unknown) => e instanceof WavelengthCollisionError && e.message === 'FLH: R681 and R665 both resolve to band 1 at 675 nm',
    );
    assert.throws(() => compileFormula('X', 'R681 - R688', { bands: [], sensor: coarse }), { message: 'X: R681 and R688 both resolve to band 2 at 684 nm' });
    // The same wavelength as band and as centre is not a collision.
    assert.doesNotThrow(() => compileFormula('X', 'R681 * W681 + R681.0', { bands: [], sensor: coarse }));
  });
});

describe('built-in line-height indices', () => {
  it('are data with a reference', () => {
    assert.deepEqual(wavelengthIndexNames(), ['CI_cyano', 'FLH', 'MCI']);
    for (const n of wavelengthIndexNames()) assert.match(wavelengthIndex(n).reference, /\(\d{4}\)\..*doi:/);
    assert.throws(() => wavelengthIndex('MCII'), /did you mean MCI\?/);
  });

  it('use the matched band centres in the baseline (MERIS centres give the published coefficients)', () => {
    const meris: Sensor = { name: 'meris', bands: [665, 681, 709, 753].map((w, index) => ({ index, wavelengthNm: w, fwhmNm: 10 })) };
    const mci = compileWavelengthIndex('MCI', meris);
    const px = [0.05, 0.04, 0.09, 0.03]; // reflectance at 665, 681, 709, 753
    const tile = new Float32Array(px);
    const v = (i: number) => interleavedBand(tile, i, 4);
    const out = mci.run({ R709: v(2), R681: v(1), R753: v(3) }, 1, new Float32Array(1));
    const [, l681, l709, l753] = [...tile];
    assert.ok(Math.abs(out[0] - (l709 - l681 - (28 / 72) * (l753 - l681))) < 1e-7);
    const w31 = compileWavelengthIndex('mci', wyvern(31));
    assert.deepEqual(w31.constants, { W709: 711, W681: 679, W753: 750 });
    assert.deepEqual(
      Object.fromEntries(Object.entries(w31.wavelengthBands).map(([k, b]) => [k, b.wavelengthNm])),
      { R709: 711, R681: 679, R753: 750, W709: 711, W681: 679, W753: 750 },
    );
  });

  for (const count of [23, 31] as const) {
    it(`MCI, FLH and CI_cyano equal numpy on the ${count}-band sensor`, () => {
      const sensor = wyvern(count);
      const pixels = 600;
      const tile = saltedFloat32(pixels * count, seededRandom(count), { min: 0, max: 0.2, nanRate: 0.01, nodata: NODATA, nodataRate: 0.01, zeroRate: 0.01, negativeRate: 0.02 });
      const got: Record<string, Float32Array> = {};
      for (const name of wavelengthIndexNames()) {
        const index = compileWavelengthIndex(name, sensor);
        const views = Object.fromEntries(index.bands.map((b) => [b, interleavedBand(tile, index.wavelengthBands[b].index, count)]));
        got[name] = index.run(views, pixels, new Float32Array(pixels), { nodata: NODATA });
        // And the fused path equals the reference evaluator exactly.
        const ref = compileFormulaReference(name, wavelengthIndex(name).formula, { bands: [], sensor }).run(views, pixels, new Float32Array(pixels), { nodata: NODATA });
        for (let i = 0; i < pixels; i++) assert.ok(Object.is(got[name][i], ref[i]) || (Number.isNaN(got[name][i]) && Number.isNaN(ref[i])), `${name}[${i}]`);
      }
      // Written from the papers' definitions, not from our formula strings: nearest band by centre, line height
      // over the straight line through the two baseline bands at their own centres.
      const want = runNumpy(
        `
        t = A['t'].reshape(-1, P['nb'])
        wl = np.array(P['wl'])
        def band(nm):
            k = int(np.argmin(np.abs(wl - nm)))
            raw = t[:, k]
            return raw.astype(np.float64), wl[k], np.isnan(raw) | (raw == P['nodata'])
        def height(peak, lo, hi):
            (rp, wp, bp), (rl, wl_, bl), (rh, wh, bh) = band(peak), band(lo), band(hi)
            h = rp - rl - (rh - rl) * (wp - wl_) / (wh - wl_)
            return np.where(bp | bl | bh, np.nan, h)
        with np.errstate(all='ignore'):
            OUT['MCI'] = height(709, 681, 753).astype(np.float32)
            OUT['FLH'] = height(681, 665, 709).astype(np.float32)
            OUT['CI_cyano'] = (-height(681, 665, 709)).astype(np.float32)
        `,
        { t: tile },
        { nb: count, wl: sensor.bands.map((b) => b.wavelengthNm), nodata: NODATA },
      ).arrays;
      for (const name of wavelengthIndexNames()) {
        assertClose(got[name], want[name] as Float32Array, `${name} on ${count} bands`, { rel: 1e-5, abs: 1e-7 });
        assert.ok(got[name].filter(Number.isFinite).length > pixels * 0.8, name);
      }
    });
  }
});
