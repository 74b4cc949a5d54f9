import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGeometryInBbox, checkLonLatBbox } from '../stac/geometry';
import { UnknownCrsError, GeoInputError } from './errors';
import { footprintWgs84, type Footprint, type FootprintInput, type Position } from './footprint';
import { gdalToLonLat, pixelRing, toCrs } from './testing/geo-oracle';

/** Agreement with GDAL: 5e-8 of rounding to 1e-7° plus the last digits of two implementations. */
const TOL_DEG = 1e-7;

const wrap180 = (d: number): number => d - 360 * Math.round(d / 360);

/** The densified outline of the grid as GDAL transforms it (same pixel positions as footprint.ts). */
function gdalOutline(input: FootprintInput): Position[] {
  const n = input.pointsPerEdge ?? 32;
  return gdalToLonLat(input.epsg, toCrs(input.geoTransform, pixelRing(input.width, input.height, n)));
}

function rings(fp: Footprint): Position[][] {
  return fp.geometry.type === 'Polygon' ? fp.geometry.coordinates : fp.geometry.coordinates.map((p) => p[0]);
}

function signedArea(ring: Position[]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a / 2;
}

/** RFC 7946 form: closed rings of >= 4 positions, counter-clockwise, in range, rounded to 1e-7°; inside the bbox. */
function checkGeoJson(fp: Footprint): void {
  checkLonLatBbox('test', fp.bbox);
  checkGeometryInBbox('test', fp.geometry, fp.bbox);
  for (const ring of rings(fp)) {
    assert.ok(ring.length >= 4, `ring of ${ring.length}`);
    assert.deepEqual(ring[0], ring[ring.length - 1], 'closed');
    assert.ok(signedArea(ring) > 0, 'counter-clockwise');
    for (const [lon, lat] of ring) {
      assert.ok(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90, `[${lon}, ${lat}] in range`);
      for (const v of [lon, lat]) assert.ok(Math.abs(v * 1e7 - Math.round(v * 1e7)) < 1e-6, `${v} rounded to 1e-7`);
    }
  }
  assert.deepEqual(JSON.parse(JSON.stringify(fp)), fp, 'JSON round trip (no -0, NaN)');
}

/** Every GDAL outline point is a vertex of the footprint (longitudes compared modulo 360, for ±180). */
function assertOutlineKept(fp: Footprint, outline: Position[]): Position[] {
  const all = rings(fp).flat();
  return outline.map(([lon, lat]) => {
    const hit = all.find((p) => Math.abs(wrap180(p[0] - lon)) < TOL_DEG && Math.abs(p[1] - lat) < TOL_DEG);
    assert.ok(hit, `GDAL point [${lon}, ${lat}] is not in the footprint`);
    return hit;
  });
}

function assertBbox(actual: readonly number[], expected: readonly number[]): void {
  assert.equal(actual.length, 4);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < TOL_DEG, `bbox [${actual.join(', ')}] vs [${expected.join(', ')}]`));
}

const lonsOf = (pts: Position[]): number[] => pts.map((p) => p[0]);
const latsOf = (pts: Position[]): number[] => pts.map((p) => p[1]);

test('EPSG:4326: the grid as it is, corners exact, GDAL agrees', () => {
  const input = { epsg: 4326, geoTransform: [10, 0.001, 0, 46, 0, -0.001], width: 500, height: 400, pointsPerEdge: 1 };
  const fp = footprintWgs84(input);
  checkGeoJson(fp);
  assert.deepEqual(fp, {
    geometry: { type: 'Polygon', coordinates: [[[10, 45.6], [10.5, 45.6], [10.5, 46], [10, 46], [10, 45.6]]] },
    bbox: [10, 45.6, 10.5, 46],
  });
  assertOutlineKept(fp, gdalOutline(input));
  // Densified, still the same box; south-up grids give the same footprint.
  const dense = footprintWgs84({ ...input, pointsPerEdge: 4 });
  assert.deepEqual(dense.bbox, [10, 45.6, 10.5, 46]);
  assert.equal(rings(dense)[0].length, 17);
  assert.deepEqual(footprintWgs84({ ...input, geoTransform: [10, 0.001, 0, 45.6, 0, 0.001] }).bbox, [10, 45.6, 10.5, 46]);
});

for (const [name, input] of [
  ['UTM 33N', { epsg: 32633, geoTransform: [400000, 30, 0, 5100000, 0, -30], width: 2000, height: 2000 }],
  ['UTM 34S', { epsg: 32734, geoTransform: [250000, 30, 0, 6250000, 0, -30], width: 2400, height: 1800 }],
  ['UTM 33S', { epsg: 32733, geoTransform: [700000, 60, 0, 7000000, 0, -60], width: 1000, height: 1500 }],
  ['polar stereographic 3413 (Greenland)', { epsg: 3413, geoTransform: [-200000, 1000, 0, -2000000, 0, -1000], width: 300, height: 300 }],
  ['polar stereographic 3031 (Victoria Land)', { epsg: 3031, geoTransform: [100000, 500, 0, 1500000, 0, -500], width: 800, height: 600 }],
] as Array<[string, FootprintInput]>) {
  test(`${name}: every densified edge point matches GDAL within 1e-7°, bbox = their min/max`, () => {
    const fp = footprintWgs84(input);
    checkGeoJson(fp);
    assert.equal(fp.geometry.type, 'Polygon');
    assert.equal(rings(fp)[0].length, 4 * 32 + 1, 'default 32 points per edge');
    const outline = gdalOutline(input);
    assertOutlineKept(fp, outline);
    assertBbox(fp.bbox, [Math.min(...lonsOf(outline)), Math.min(...latsOf(outline)), Math.max(...lonsOf(outline)), Math.max(...latsOf(outline))]);
  });
}

test('a UTM footprint is not a rectangle in degrees: its top edge bends away from the chord', () => {
  const input = { epsg: 32633, geoTransform: [400000, 30, 0, 5100000, 0, -30], width: 2000, height: 2000 };
  const fp = footprintWgs84(input);
  const outline = gdalOutline(input);
  const ours = assertOutlineKept(fp, outline);
  // The top edge: pixel (0, 0) to (2000, 0), positions 0..32 of the outline (position 32 is the top-right corner).
  const top = ours.slice(0, 33);
  const [a, b] = [top[0], top[32]];
  const deviation = Math.max(...top.map(([lon, lat]) => Math.abs(lat - (a[1] + ((lon - a[0]) / (b[0] - a[0])) * (b[1] - a[1])))));
  // Constant northing at 45.9°N, 60 km wide: the middle lies ~5e-4° off the straight line in lon/lat.
  assert.ok(deviation > 1e-4, `top edge deviates ${deviation}° from the chord`);
  // Corners: no two share a latitude or longitude, so the box of the corners would not be the footprint.
  const corners = [ours[0], ours[32], ours[64], ours[96]];
  assert.notEqual(corners[0][1], corners[1][1]);
  assert.notEqual(corners[0][0], corners[3][0]);
});

test('antimeridian, UTM 60N: a MultiPolygon split at 180° and a bbox with west > east', () => {
  const input = { epsg: 32660, geoTransform: [600000, 100, 0, 6700000, 0, -100], width: 2000, height: 1000 };
  const fp = footprintWgs84(input);
  checkGeoJson(fp);
  assert.equal(fp.geometry.type, 'MultiPolygon');
  const outline = gdalOutline(input);
  assertOutlineKept(fp, outline);
  const east = lonsOf(outline).filter((l) => l > 0);
  const west = lonsOf(outline).filter((l) => l < 0);
  assert.ok(east.length > 0 && west.length > 0, 'GDAL sees the outline on both sides of 180°');
  assertBbox(fp.bbox, [Math.min(...east), Math.min(...latsOf(outline)), Math.max(...west), Math.max(...latsOf(outline))]);
  assert.ok(fp.bbox[0] > fp.bbox[2]);
  // The parts meet on the antimeridian: the first ends at 180, the second starts at -180.
  const [e, w] = rings(fp);
  assert.equal(Math.max(...lonsOf(e)), 180);
  assert.equal(Math.min(...lonsOf(w)), -180);
  const cutLats = (r: Position[], lon: number) => r.slice(0, -1).filter((p) => p[0] === lon).map((p) => p[1]).sort((x, y) => x - y);
  assert.deepEqual(cutLats(e, 180), cutLats(w, -180), 'both parts cut at the same latitudes');
});

test('antimeridian, 3413 off the pole and a 4326 grid from 170° to 190°', () => {
  const polar = { epsg: 3413, geoTransform: [-1300000, 1000, 0, 1300000, 0, -1000], width: 200, height: 200 };
  const fp = footprintWgs84(polar);
  checkGeoJson(fp);
  assert.equal(fp.geometry.type, 'MultiPolygon');
  const outline = gdalOutline(polar);
  assertOutlineKept(fp, outline);
  const east = lonsOf(outline).filter((l) => l > 0);
  const west = lonsOf(outline).filter((l) => l < 0);
  assertBbox(fp.bbox, [Math.min(...east), Math.min(...latsOf(outline)), Math.max(...west), Math.max(...latsOf(outline))]);

  const geo = footprintWgs84({ epsg: 4326, geoTransform: [170, 0.1, 0, 10, 0, -0.1], width: 200, height: 100, pointsPerEdge: 1 });
  checkGeoJson(geo);
  assert.deepEqual(geo, {
    geometry: {
      type: 'MultiPolygon',
      coordinates: [[[[170, 0], [180, 0], [180, 10], [170, 10], [170, 0]]], [[[-180, 0], [-170, 0], [-170, 10], [-180, 10], [-180, 0]]]],
    },
    bbox: [170, 0, -170, 10],
  });
  // Touching the antimeridian (3031's x = 0 column maps to ±180°) is no crossing: one Polygon from -180°.
  const touching = footprintWgs84({ epsg: 3031, geoTransform: [-400000, 500, 0, -1000000, 0, -500], width: 800, height: 600 });
  checkGeoJson(touching);
  assert.equal(touching.geometry.type, 'Polygon');
  assert.equal(touching.bbox[0], -180);
  assert.ok(touching.bbox[2] < -150);
  // A 0–360° global grid covers every longitude: one box, no split.
  assert.deepEqual(footprintWgs84({ epsg: 4326, geoTransform: [0, 1, 0, 90, 0, -1], width: 360, height: 180 }).bbox, [-180, -90, 180, 90]);
  // A 4326 grid entirely beyond 180° is wrapped into range.
  assert.deepEqual(footprintWgs84({ epsg: 4326, geoTransform: [190, 1, 0, 10, 0, -1], width: 10, height: 10, pointsPerEdge: 1 }).bbox, [-170, 0, -160, 10]);
});

test('north pole inside (3413): bbox reaches 90° over all longitudes, polygon closes along the pole', () => {
  const input = { epsg: 3413, geoTransform: [-300000, 500, 0, 300000, 0, -500], width: 1200, height: 1200 };
  const fp = footprintWgs84(input);
  checkGeoJson(fp);
  assert.equal(fp.geometry.type, 'Polygon');
  const outline = gdalOutline(input);
  assertOutlineKept(fp, outline);
  assertBbox(fp.bbox, [-180, Math.min(...latsOf(outline)), 180, 90]);
  const ring = rings(fp)[0];
  // Along the pole from 180° back to -180°, the only positions at 90°.
  assert.deepEqual(ring.filter((p) => p[1] === 90), [[180, 90], [-180, 90]]);
  // Longitudes rise monotonically from -180 to 180 along the outline part.
  const path = ring.slice(0, ring.findIndex((p) => p[1] === 90));
  for (let i = 1; i < path.length; i++) assert.ok(path[i][0] >= path[i - 1][0], `lon ${path[i][0]} after ${path[i - 1][0]}`);
  assert.deepEqual([path[0][0], path[path.length - 1][0]], [-180, 180]);
  // Same footprint whether the grid is north-up or flipped (the outline then winds the other way).
  const flipped = footprintWgs84({ ...input, geoTransform: [-300000, 500, 0, -300000, 0, 500] });
  assertBbox(flipped.bbox, fp.bbox);
});

test('south pole inside (3031): bbox reaches -90°, polygon runs along the pole first', () => {
  const input = { epsg: 3031, geoTransform: [-250000, 250, 0, 200000, 0, -250], width: 2000, height: 1600 };
  const fp = footprintWgs84(input);
  checkGeoJson(fp);
  const outline = gdalOutline(input);
  assertOutlineKept(fp, outline);
  assertBbox(fp.bbox, [-180, -90, 180, Math.max(...latsOf(outline))]);
  const ring = rings(fp)[0];
  assert.deepEqual(ring.slice(0, 2), [[-180, -90], [180, -90]]);
});

test('invalid grids throw GeoInputError; unknown codes UnknownCrsError', () => {
  const base = { epsg: 32633, geoTransform: [400000, 30, 0, 5100000, 0, -30], width: 10, height: 10 };
  const cases: Array<[Partial<FootprintInput>, RegExp]> = [
    [{ geoTransform: [400000, 30, 0, 5100000, 0] }, /geoTransform .* is not 6 finite numbers/],
    [{ geoTransform: [400000, 30, 0, 5100000, 0, NaN] }, /is not 6 finite numbers/],
    [{ geoTransform: [400000, 0, 0, 5100000, 0, -30] }, /is singular/],
    [{ width: 0 }, /size 0 x 10 is not whole, positive pixels/],
    [{ height: 2.5 }, /size 10 x 2.5/],
    [{ pointsPerEdge: 0 }, /pointsPerEdge 0 is not a whole number in \[1, 10000\]/],
    [{ epsg: 4326, geoTransform: [0, 1, 0, 95, 0, -1] }, /pixel \(0, 0\) at \(0, 95\) has no lon\/lat in EPSG:4326/],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => footprintWgs84({ ...base, ...patch }), (e: unknown) => e instanceof GeoInputError && message.test(e.message), JSON.stringify(patch));
  }
  assert.throws(() => footprintWgs84({ ...base, epsg: 27700 }), (e: unknown) => e instanceof UnknownCrsError && e.message === 'EPSG:27700 is not a CRS Tessera knows');
});
