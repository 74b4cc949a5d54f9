import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownEpsg, knownEpsgCodes, proj4Definition, projectionFor } from './crs';
import { UnknownCrsError } from './errors';
import { oracle, type CrsInfo } from './testing/geo-oracle';

type Pt = [number, number];

/** Datum of each table entry: WGS 84 ones must match GDAL's own WGS 84 transform exactly. */
const onWgs84 = (code: number): boolean => /\+datum=WGS84|\+a=6378137 \+b=6378137/.test(proj4Definition(code)!);

/** A 3 x 3 grid of lon/lat points inside the area of use, 10 % in from its edges (handles areas across 180°). */
function samplePoints(area: [number, number, number, number]): Pt[] {
  const [w, s, e0, n] = area;
  const e = e0 < w ? e0 + 360 : e0;
  const out: Pt[] = [];
  for (const fx of [0.1, 0.5, 0.9]) {
    for (const fy of [0.1, 0.5, 0.9]) {
      const lon = w + fx * (e - w);
      out.push([lon > 180 ? lon - 360 : lon, s + fy * (n - s)]);
    }
  }
  return out;
}

test('every table entry agrees with GDAL: forward within 1 mm, inverse within 1e-7°', () => {
  const codes = knownEpsgCodes();
  assert.equal(codes.length, 120 + 11 + 23 + 18, 'WGS 84, ETRS89 and NAD83 UTM zones and 18 others');
  const infos = oracle(codes.map((epsg) => ({ op: 'crs_info' as const, epsg }))) as CrsInfo[];
  const samples = codes.map((code, i) => samplePoints(infos[i].area_of_use!));
  // GDAL forward (to the CRS's own geographic CRS, so only projection math is compared), then GDAL inverse of
  // those easting/northings, both with OAMS_TRADITIONAL_GIS_ORDER.
  const fwd = oracle(codes.map((epsg, i) => ({ op: 'from_lonlat' as const, epsg, points: samples[i], datum: 'base' as const }))) as Array<{ points: Pt[] }>;
  const inv = oracle(codes.map((epsg, i) => ({ op: 'to_lonlat' as const, epsg, points: fwd[i].points, datum: 'base' as const }))) as Array<{ points: Pt[] }>;
  const toWgs84 = oracle(codes.map((epsg, i) => ({ op: 'to_lonlat' as const, epsg, points: fwd[i].points, datum: 'wgs84' as const }))) as Array<{ points: Pt[] }>;
  let worstWgs84Shift = 0;
  codes.forEach((code, i) => {
    const p = projectionFor(code);
    assert.equal(p.geographic, infos[i].geographic, `EPSG:${code} geographic`);
    if (!p.geographic) assert.ok(Math.abs(p.metresPerUnit - infos[i].linear_units_m!) < 1e-12, `EPSG:${code} unit ${p.metresPerUnit} vs ${infos[i].linear_units_m}`);
    const unitM = p.geographic ? 1 : p.metresPerUnit;
    samples[i].forEach(([lon, lat], k) => {
      const [x, y] = p.fromLonLat(lon, lat);
      const [gx, gy] = fwd[i].points[k];
      assert.ok(Math.hypot(x - gx, y - gy) * unitM < 1e-3, `EPSG:${code} forward (${lon}, ${lat}): ${x}, ${y} vs GDAL ${gx}, ${gy}`);
      const [ilon, ilat] = p.toLonLat(gx, gy);
      const [glon, glat] = inv[i].points[k];
      assert.ok(Math.abs(ilon - glon) < 1e-7 && Math.abs(ilat - glat) < 1e-7, `EPSG:${code} inverse (${gx}, ${gy}): ${ilon}, ${ilat} vs GDAL ${glon}, ${glat}`);
      const [wlon, wlat] = toWgs84[i].points[k];
      const shift = Math.max(Math.abs(ilon - wlon), Math.abs(ilat - wlat));
      if (onWgs84(code)) assert.ok(shift < 1e-7, `EPSG:${code} to WGS 84: ${ilon}, ${ilat} vs GDAL ${wlon}, ${wlat}`);
      else worstWgs84Shift = Math.max(worstWgs84Shift, shift);
    });
  });
  // ETRS89/NAD83/GDA94 are taken as WGS 84; GDAL's chosen datum shifts stay within ~1 m (1e-5°; 6e-6° measured).
  assert.ok(worstWgs84Shift < 1e-5, `largest datum shift GDAL applies vs ours: ${worstWgs84Shift}°`);
});

test('UTM definitions are built from the code: north, south, ETRS89, NAD83', () => {
  assert.equal(proj4Definition(32633), '+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs');
  assert.equal(proj4Definition(32760), '+proj=utm +zone=60 +south +datum=WGS84 +units=m +no_defs');
  assert.match(proj4Definition(25832)!, /^\+proj=utm \+zone=32 \+ellps=GRS80/);
  assert.match(proj4Definition(26910)!, /^\+proj=utm \+zone=10 \+ellps=GRS80/);
  // Just outside each family: 32600 and 32661 (UPS North, a stereographic) are not UTM zones.
  assert.equal(proj4Definition(32600), undefined);
  assert.match(proj4Definition(32661)!, /^\+proj=stere/);
  assert.equal(proj4Definition(32761)!.includes('+lat_0=-90'), true);
});

test('unknown codes: isKnownEpsg false, projectionFor throws UnknownCrsError with the code', () => {
  // 27700 (British National Grid) needs the OSTN15 grid, which proj4 does not have: deliberately left out.
  for (const code of [27700, 4327, 0, -1, 32633.5, 999999]) {
    assert.equal(isKnownEpsg(code), false, String(code));
    assert.throws(() => projectionFor(code), (e: unknown) => e instanceof UnknownCrsError && e.message === `EPSG:${code} is not a CRS Tessera knows` && e.epsg === code && e.name === 'UnknownCrsError');
  }
  assert.equal(isKnownEpsg(4326), true);
  assert.equal(projectionFor(32633), projectionFor(32633), 'cached');
});

test('EPSG:4326 is the identity; US survey feet are converted', () => {
  const geo = projectionFor(4326);
  assert.deepEqual(geo.toLonLat(12.5, -45.25), [12.5, -45.25]);
  assert.deepEqual(geo.fromLonLat(-179.9, 89.9), [-179.9, 89.9]);
  assert.ok(Number.isNaN(geo.metresPerUnit));
  assert.equal(geo.semiMajorAxisM, 6378137);
  assert.ok(Math.abs(geo.eccentricitySquared - 0.0066943799901413165) < 1e-15);
  assert.equal(projectionFor(2263).metresPerUnit, 1200 / 3937);
  assert.equal(projectionFor(32633).metresPerUnit, 1);
});
