import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GeoInputError, UnknownCrsError } from './errors';
import { areaKm2, pixelAreasM2, zoneAreaM2 } from './pixel-area';
import { oracle, type CrsInfo } from './testing/geo-oracle';

/** The python reference: Gauss–Legendre quadrature of M·N·cos φ between consecutive latitudes. */
function referenceRowAreas(gt: number[], rows: number): number[] {
  return (oracle([{ op: 'row_areas', lat0_deg: gt[3], dlat_deg: gt[5], rows, dlon_deg: gt[1] }])[0] as { areas_m2: number[] }).areas_m2;
}

function assertRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]);
    assert.ok(err <= rel, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (relative ${err})`);
  }
}

test('projected CRS: |a·e − b·d| in every row, exactly', () => {
  const utm = pixelAreasM2({ epsg: 32633, geoTransform: [400000, 30, 0, 5100000, 0, -30], width: 7, height: 5 });
  assert.ok(utm instanceof Float64Array);
  assert.deepEqual([...utm], [900, 900, 900, 900, 900]);
  // A rotated and sheared grid: x = 10·col + 2·row, y = 3·col − 20·row → |10·(−20) − 2·3| = 206.
  assert.deepEqual([...pixelAreasM2({ epsg: 3035, geoTransform: [4321000, 10, 2, 3210000, 3, -20], width: 3, height: 2 })], [206, 206]);
  // South-up grids have the same area.
  assert.deepEqual([...pixelAreasM2({ epsg: 3413, geoTransform: [0, 100, 0, 0, 0, 100], width: 1, height: 1 })], [10000]);
});

test('a CRS in US survey feet: pixel area converted with the unit GDAL reports', () => {
  const [info] = oracle([{ op: 'crs_info', epsg: 2263 }]) as CrsInfo[];
  const [area] = pixelAreasM2({ epsg: 2263, geoTransform: [980000, 10, 0, 200000, 0, -10], width: 4, height: 1 });
  const expected = 100 * info.linear_units_m! ** 2;
  assert.ok(Math.abs(area - expected) / expected < 1e-12, `${area} vs ${expected}`);
  assert.ok(Math.abs(area - 9.290341161327487) < 1e-12, 'a 10 ftUS pixel is 9.2903 m²');
});

test('EPSG:4326 rows: closed form agrees with numeric integration within 1e-9 relative', () => {
  const grids: Array<[string, number[], number, number]> = [
    // [name, geoTransform, width, height]
    ['0.01° rows from 60°N', [10, 0.01, 0, 60, 0, -0.01], 50, 100],
    ['0.5° rows pole to pole', [-180, 0.5, 0, 90, 0, -0.5], 720, 360],
    ['1e-6° rows at 45°S', [0, 1e-6, 0, -45, 0, -1e-6], 1, 20],
    ['EMIT-like 60 m rows near the equator', [-60, 0.000542232520256367, 0, 2.5, 0, -0.000542232520256367], 1242, 200],
    ['south-up 0.1° rows from 89°S', [0, 0.1, 0, -89, 0, 0.1], 10, 10],
  ];
  for (const [name, gt, width, height] of grids) {
    const ours = pixelAreasM2({ epsg: 4326, geoTransform: gt, width, height });
    assertRelClose(ours, referenceRowAreas(gt, height), 1e-9, name);
  }
});

test('EPSG:4326: a 1° x 1° cell at the equator is 12,308.46 km²; sums and symmetry hold', () => {
  const [cell] = pixelAreasM2({ epsg: 4326, geoTransform: [0, 1, 0, 1, 0, -1], width: 1, height: 1 });
  const [reference] = referenceRowAreas([0, 1, 0, 1, 0, -1], 1);
  assert.ok(Math.abs(cell - reference) / reference < 1e-12, `${cell} vs ${reference}`);
  assert.ok(Math.abs(cell / 1e6 - 12308.464) < 1e-3, `${cell / 1e6} km²`);
  // 100 rows of 0.01° add up to the 1° row; the same band in the south has the same area.
  const rows = pixelAreasM2({ epsg: 4326, geoTransform: [0, 1, 0, 1, 0, -0.01], width: 1, height: 100 });
  assert.ok(Math.abs(areaKm2(new Array(100).fill(1), rows) - cell / 1e6) < 1e-6);
  const [south] = pixelAreasM2({ epsg: 4326, geoTransform: [0, 1, 0, 0, 0, -1], width: 1, height: 1 });
  assert.ok(Math.abs(south - cell) / cell < 1e-14);
  // Shearing along parallels keeps the area; so does a negative pixel width.
  assert.equal(pixelAreasM2({ epsg: 4326, geoTransform: [0, 1, 0.3, 1, 0, -1], width: 1, height: 1 })[0], cell);
  assert.equal(pixelAreasM2({ epsg: 4326, geoTransform: [1, -1, 0, 1, 0, -1], width: 1, height: 1 })[0], cell);
  // The whole ellipsoid: 4π R_q², R_q = 6371007.1809 m (WGS 84 authalic radius) → 510,065,622 km².
  const globe = areaKm2([1], [zoneAreaM2(6378137, 0.0066943799901413165, -Math.PI / 2, Math.PI) * 2 * Math.PI]);
  assert.ok(Math.abs(globe - 4 * Math.PI * 6371007.1809 ** 2 / 1e6) < 1, `${globe} km²`);
});

test('areaKm2 weights counts by row area; errors are typed', () => {
  assert.equal(areaKm2([2, 0, 1], [1e6, 5e6, 3e6]), 5);
  assert.throws(() => areaKm2([1], [1, 2]), (e: unknown) => e instanceof GeoInputError && /1 row counts for 2 row areas/.test(e.message));
  assert.throws(() => pixelAreasM2({ epsg: 4326, geoTransform: [0, 1, 0, 1, 0.1, -1], width: 1, height: 1 }), (e: unknown) => e instanceof GeoInputError && /geoTransform\[4\] = 0.1: latitude changes along a row/.test(e.message));
  assert.throws(() => pixelAreasM2({ epsg: 4326, geoTransform: [0, 1, 0, 89, 0, 1], width: 1, height: 2 }), (e: unknown) => e instanceof GeoInputError && /rows span latitudes 89 to 91, beyond ±90°/.test(e.message));
  assert.throws(() => pixelAreasM2({ epsg: 4326, geoTransform: [0, 1, 0, 1, 0, 0], width: 1, height: 1 }), GeoInputError);
  assert.throws(() => pixelAreasM2({ epsg: 27700, geoTransform: [0, 1, 0, 1, 0, -1], width: 1, height: 1 }), UnknownCrsError);
});
