/**
 * Band matching on real band lists: Wyvern's 23- and 31-band Dragonettes, Sentinel-2A, Landsat 7, STAC items.
 * Expected picks were worked out by hand from the published centre wavelengths.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchBand, sensorFromBandInfo, sensorFromStacItem, sensorFromWavelengths, standardRole, type Sensor } from './bands';
import { BandMatchError } from './errors';
import { matchHabBands, matchRgbBands } from './indices/hab';
import type { BandInfo } from './types';

const WYVERN_23 = [503, 510, 519, 535, 549, 570, 584, 600, 614, 635, 649, 660, 669, 679, 690, 699, 711, 722, 734, 750, 764, 782, 799];
const WYVERN_31 = [
  445, 465, 480, 489, 502, 509, 519, 534, 549, 569, 584, 600, 614, 635, 650, 660, 670, 680, 690, 700, 712, 721, 734, 750,
  765, 782, 800, 815, 832, 850, 870,
];
const SENTINEL_2A: Array<[string, number]> = [
  ['B1', 442.7], ['B2', 492.4], ['B3', 559.8], ['B4', 664.6], ['B5', 704.1], ['B6', 740.5], ['B7', 782.8],
  ['B8', 832.8], ['B8A', 864.7], ['B9', 945.1], ['B10', 1373.5], ['B11', 1613.7], ['B12', 2202.4],
];
const LANDSAT_7 = [485, 560, 660, 835, 1650, 2220];

/** Picks as (0-based index, wavelength) pairs. */
function picks(bands: Record<string, { index: number; wavelengthNm: number }>): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(bands).map(([k, b]) => [k, [b.index, b.wavelengthNm]]));
}

function bandMatchError(pattern: RegExp) {
  return (e: unknown) => e instanceof BandMatchError && e.code === 'BAND_NOT_FOUND' && pattern.test(e.message);
}

describe('standard roles', () => {
  it('take the catalog range, target at its centre unless given', () => {
    assert.deepEqual(standardRole('RE1'), { name: 'RE1', targetNm: 705, minNm: 695, maxNm: 715 });
    assert.deepEqual(standardRole('N', 849), { name: 'N', targetNm: 849, minNm: 760, maxNm: 900 });
    assert.throws(() => standardRole('X'), bandMatchError(/^X: not a standard band .*known: A, B, G/));
    assert.throws(() => standardRole('R', 700), bandMatchError(/target 700 nm is outside the band's range 620–690 nm/));
  });
});

describe('HAB and RGB bands', () => {
  it('Wyvern Dragonette-001 (23 bands, 503–799 nm)', () => {
    const s = sensorFromWavelengths('dragonette-001.tiff', WYVERN_23);
    assert.deepEqual(picks({ ...matchHabBands(s) }), { g: [4, 549], n: [22, 799], re: [16, 711], r: [12, 669] });
    assert.deepEqual(picks({ ...matchRgbBands(s) }), { red: [10, 649], green: [4, 549], blue: [0, 503] });
  });

  it('Wyvern Dragonette-003 (31 bands, 445–870 nm)', () => {
    const s = sensorFromWavelengths('dragonette-003.tiff', WYVERN_31);
    assert.deepEqual(picks({ ...matchHabBands(s) }), { g: [8, 549], n: [29, 850], re: [20, 712], r: [16, 670] });
    assert.deepEqual(picks({ ...matchRgbBands(s) }), { red: [14, 650], green: [8, 549], blue: [1, 465] });
  });

  it('Sentinel-2A from GDAL band metadata (B8A is nearer 849 nm than B8)', () => {
    const info: BandInfo[] = SENTINEL_2A.map(([name, wl]) => ({ description: name, wavelengthNm: wl, metadata: {} }));
    info.splice(10, 0, { description: 'cloud probability', metadata: {} }); // no wavelength: skipped
    const s = sensorFromBandInfo('S2A_MSIL2A.tif', info);
    assert.equal(s.bands.length, 13);
    assert.deepEqual(picks({ ...matchHabBands(s) }), { g: [2, 559.8], n: [8, 864.7], re: [4, 704.1], r: [3, 664.6] });
    assert.equal(matchHabBands(s).n.name, 'B8A');
    assert.deepEqual(picks({ ...matchRgbBands(s) }), { red: [3, 664.6], green: [2, 559.8], blue: [1, 492.4] });
    // Index skips the band without wavelength: B11 is the 12th band of the file.
    assert.deepEqual(picks({ s1: matchBand(s, standardRole('S1'), 'ndmi') }), { s1: [12, 1613.7] });
  });

  it('Landsat 7 has no red-edge band: NDCI fails naming the nearest band', () => {
    const s = sensorFromWavelengths('landsat7', LANDSAT_7);
    assert.deepEqual(picks({ g: matchBand(s, standardRole('G', 550), 'ndwi') }), { g: [1, 560] });
    assert.throws(
      () => matchHabBands(s),
      bandMatchError(/^ndci: needs RE1 \(695–715 nm\) but landsat7 has no band there; nearest is band 3 at 660 nm$/),
    );
    assert.throws(
      () => matchBand(s, standardRole('RE3'), 'ndre'),
      bandMatchError(/^ndre: needs RE3 \(765–795 nm\) but landsat7 has no band there; nearest is band 4 at 835 nm$/),
    );
    const empty: Sensor = { name: 'blank.tif', bands: [] };
    assert.throws(() => matchBand(empty, standardRole('G'), 'ndwi'), bandMatchError(/blank.tif has no band there; it has no band with a known wavelength/));
  });

  it('rejects impossible user wavelengths', () => {
    assert.throws(() => sensorFromWavelengths('x', [560, NaN]), bandMatchError(/^x: wavelength #2 \(NaN\)/));
  });
});

describe('STAC items', () => {
  const eoBand = (wl: number) => ({ name: `Band_${wl}`, center_wavelength: wl / 1000, full_width_half_max: 0.0125 });

  it('reads eo:bands (µm) from the data asset, not from a mask asset', () => {
    const item = {
      type: 'Feature',
      stac_version: '1.0.0',
      properties: { datetime: '2024-08-23T17:21:27Z' },
      assets: {
        mask: { href: 'mask.tiff', roles: ['data-mask'], 'eo:bands': [{ name: 'cloud', center_wavelength: 0.5 }] },
        'Cloud optimized GeoTiff': { href: 'scene.tiff', roles: ['data'], 'eo:bands': WYVERN_23.map(eoBand) },
      },
    };
    const s = sensorFromStacItem('scene.tiff', item);
    assert.equal(s.bands.length, 23);
    assert.deepEqual(s.bands[4], { index: 4, wavelengthNm: 549, fwhmNm: 12.5, name: 'Band_549' });
    assert.deepEqual(picks({ ...matchHabBands(s) }), { g: [4, 549], n: [22, 799], re: [16, 711], r: [12, 669] });
  });

  it('reads STAC 1.1 bands with eo:center_wavelength from the item properties', () => {
    const bands = WYVERN_31.map((wl, i) => (i === 3 ? { name: 'no wavelength' } : { name: `b${i}`, 'eo:center_wavelength': wl / 1000 }));
    const s = sensorFromStacItem('item.json', { properties: { bands }, assets: { data: { href: 'x.tif' } } });
    assert.equal(s.bands.length, 30);
    assert.deepEqual(picks({ ...matchHabBands(s) }), { g: [8, 549], n: [29, 850], re: [20, 712], r: [16, 670] });
  });

  it('fails clearly without band metadata', () => {
    assert.throws(() => sensorFromStacItem('item.json', { properties: {} }), bandMatchError(/^item.json: STAC item has no eo:bands/));
    assert.throws(() => sensorFromStacItem('item.json', 'not json'), bandMatchError(/no eo:bands/));
  });
});
