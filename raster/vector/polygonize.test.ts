import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { VectorInputError } from './errors';
import { bloomMask } from './masks';
import { vectorizeMask, type VectorFeature } from './features';
import { polygonizeMask, Polygonizer, type PixelPolygon } from './polygonize';
import { ringSignedArea } from './rings';
import { oracle } from '../geo/testing/geo-oracle';
import { gdalPolygonize, gdalReadBand, writeWkbRecords } from './testing/gdal-polygonize';
import { blobMask, maskFromText } from './testing/masks';
import { writeRasterCog } from './testing/write-cog';

const dir = mkdtempSync(join(tmpdir(), 'polygonize-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Shoelace area of a pixel polygon: Σ over parts of exterior minus holes (pixel units). */
function pixelArea(p: PixelPolygon): number {
  let a = 0;
  for (const rings of p.parts) for (const r of rings) a += ringSignedArea(r);
  return a;
}

function checkOrientation(p: PixelPolygon): void {
  for (const rings of p.parts) {
    assert.ok(ringSignedArea(rings[0]) > 0, 'exterior first and positive');
    for (const h of rings.slice(1)) assert.ok(ringSignedArea(h) < 0, 'holes negative');
  }
}

describe('polygonize: hand-made corners', () => {
  it('one pixel is one square', () => {
    const { mask, width, height } = maskFromText(['#']);
    const [p] = polygonizeMask(mask, { width, height });
    assert.deepEqual(p.parts, [[[0, 1, 0, 0, 1, 0, 1, 1]]]);
    assert.equal(p.pixelCount, 1);
  });

  it('a ring with a hole touching the exterior at a corner is split into exterior + hole', () => {
    // The hole at (1,1) touches the outside at the corner (2,2), where (1,2) and (2,1) are in.
    const { mask, width, height } = maskFromText(['###.', '#.#.', '##.#', '..##']);
    const four = polygonizeMask(mask, { width, height });
    assert.equal(four.length, 2);
    four.forEach(checkOrientation);
    const big = four.find((p) => p.pixelCount === 7) as PixelPolygon;
    assert.equal(big.parts.length, 1);
    assert.equal(big.parts[0].length, 2, 'exterior and one hole');
    assert.equal(pixelArea(big), 7);
    const eight = polygonizeMask(mask, { width, height, connectivity: 8 });
    assert.equal(eight.length, 1);
    assert.equal(eight[0].pixelCount, 10);
    assert.equal(eight[0].parts.length, 2, 'two 4-connected parts');
    assert.equal(pixelArea(eight[0]), 10);
    checkOrientation(eight[0]);
  });

  it('a checkerboard is one pixel per polygon with 4-connectivity, one MultiPolygon with 8', () => {
    const { mask, width, height } = maskFromText(['#.#.#', '.#.#.', '#.#.#', '.#.#.']);
    assert.equal(polygonizeMask(mask, { width, height }).length, 10);
    const [p] = polygonizeMask(mask, { width, height, connectivity: 8 });
    assert.equal(p.parts.length, 10);
    assert.equal(pixelArea(p), 10);
  });

  it('statistics: pixel count, area from row areas, mean and max of the values (NaN skipped)', () => {
    const { mask, width, height } = maskFromText(['##.', '#..', '..#']);
    const values = new Float32Array([1, 2, 9, 3, 9, 9, 9, 9, NaN]);
    const polys = polygonizeMask(mask, { width, height, rowAreasM2: [10, 20, 30], values });
    const a = polys.find((p) => p.pixelCount === 3) as PixelPolygon;
    assert.equal(a.areaM2, 10 + 10 + 20);
    assert.equal(a.valueCount, 3);
    assert.equal(a.valueSum, 6);
    assert.equal(a.valueMax, 3);
    const b = polys.find((p) => p.pixelCount === 1) as PixelPolygon;
    assert.equal(b.valueCount, 0);
    assert.ok(Number.isNaN(b.valueMax));
  });

  it('rows pushed one at a time give the same polygons as the whole mask', () => {
    const width = 97;
    const height = 83;
    const mask = blobMask(width, height, 3);
    const whole = polygonizeMask(mask, { width, height, connectivity: 8 });
    const parts: PixelPolygon[] = [];
    const p = new Polygonizer({ width, height, connectivity: 8, onPolygon: (x) => parts.push(x) });
    for (let y = 0; y < height; y += 7) {
      const rows = Math.min(7, height - y);
      p.pushRows(mask.subarray(y * width, (y + rows) * width), rows);
    }
    p.finish();
    assert.deepEqual(parts, whole);
  });

  it('bad input throws VectorInputError with the numbers', () => {
    assert.throws(() => new Polygonizer({ width: 0, height: 3, onPolygon: () => undefined }), (e) => e instanceof VectorInputError && e.message === 'polygonize: size 0 x 3 is not whole, positive pixels');
    const p = new Polygonizer({ width: 4, height: 2, onPolygon: () => undefined });
    assert.throws(() => p.pushRows(new Uint8Array(7), 2), (e) => e instanceof VectorInputError && e.message === 'polygonize: mask has 7 samples for 2 rows of 4');
    assert.throws(() => p.pushRows(new Uint8Array(12), 3), /3 rows at row 0 pass the height 2/);
    assert.throws(() => p.finish(), /finish\(\) after 0 of 2 rows/);
  });
});

interface GdalCase {
  name: string;
  width: number;
  height: number;
  mask: Uint8Array;
  epsg: number;
  gt: [number, number, number, number, number, number];
}

async function compareWithGdal(t: { diagnostic: (s: string) => void }, c: GdalCase, connectivity: 4 | 8): Promise<VectorFeature[]> {
  const maskPath = join(dir, `${c.name}.tif`);
  await writeRasterCog(maskPath, c.mask, { width: c.width, height: c.height, sampleType: 'uint8', epsg: c.epsg, geoTransform: c.gt, nodata: 255 });
  const features = vectorizeMask(c.mask, { grid: { epsg: c.epsg, geoTransform: c.gt, width: c.width, height: c.height }, connectivity });
  const ours = join(dir, `${c.name}-${connectivity}.wkb`);
  writeWkbRecords(ours, features);
  const rep = gdalPolygonize({ mask: maskPath, connectivity, ours, workdir: dir });
  const o = rep.ours!;
  t.diagnostic(
    `${c.name} -${connectivity}: GDAL ${rep.gdal.count} polygons (${rep.gdal.invalid} invalid in OGR), ours ${o.count}; ` +
      `area ${o.total_area} vs ${rep.gdal.total_area}; max symdiff ${o.max_symdiff_area}`,
  );
  assert.equal(o.count, rep.gdal.count, 'polygon count');
  assert.deepEqual(o.invalid, [], `invalid geometries: ${o.invalid_reasons.join(' | ')}`);
  assert.deepEqual(o.unmatched, [], 'every polygon has GDAL’s envelope');
  assert.deepEqual(o.area_mismatch, [], 'every polygon has the area of one of GDAL’s');
  assert.ok(Math.abs(o.total_area - rep.gdal.total_area) <= 1e-6 * rep.gdal.total_area, 'total area');
  assert.ok(o.max_symdiff_area <= 1e-9 * rep.gdal.total_area, 'same geometry');
  return features;
}

describe('polygonize against gdal_polygonize.py', () => {
  // 1100 x 1030 crosses the 512 px seams twice in each direction; UTM so areas are planar metres.
  const utm: GdalCase = { name: 'blobs-utm', width: 1100, height: 1030, mask: blobMask(1100, 1030, 11), epsg: 32633, gt: [400000, 10, 0, 5800000, 0, -10] };
  for (const connectivity of [4, 8] as const) {
    it(`random blobs, holes, pinches and seams, ${connectivity}-connected`, async (t) => {
      const features = await compareWithGdal(t, utm, connectivity);
      for (const f of features) assert.equal(f.areaM2, f.pixelCount * 100, 'UTM area is pixels x 100 m²');
    });
  }
});

/**
 * A real raster a Debian package ships: the EGM96 geoid undulation grid of proj-data
 * (/usr/share/proj/egm96_15.gtx, 1440 x 721, 15', EPSG:4326). Rows 1..719 keep the grid inside ±90°; the mask is
 * undulation > 15 m → 1, else 0, and nodata poleward of ±80°. Continents of geoid highs with lows inside them
 * give large polygons with holes and pinches, in a geographic CRS, so areas are geodesic.
 */
export const EGM96 = '/usr/share/proj/egm96_15.gtx';

describe('polygonize a real raster (EGM96 geoid, proj-data)', { skip: !existsSync(EGM96) && 'proj-data not installed' }, () => {
  const band = gdalReadBand(EGM96, [0, 1, 1440, 719], join(dir, 'egm96.f32'));
  const { width, height, geoTransform: gt } = band;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const lat = gt[3] + (y + 0.5) * gt[5];
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      mask[i] = Math.abs(lat) > 80 ? 255 : band.values[i] > 15 ? 1 : 0;
    }
  }
  const c: GdalCase = { name: 'egm96', width, height, mask, epsg: 4326, gt };
  for (const connectivity of [4, 8] as const) {
    it(`geoid > 15 m, ${connectivity}-connected: GDAL's polygons, geodesic areas`, async (t) => {
      const features = await compareWithGdal(t, c, connectivity);
      // Geodesic total against an independent quadrature of the ellipsoid (raster/geo's oracle), row by row.
      const counts = new Array<number>(height).fill(0);
      for (let i = 0; i < mask.length; i++) if (mask[i] === 1) counts[Math.floor(i / width)]++;
      const [res] = oracle([{ op: 'row_areas', lat0_deg: gt[3], dlat_deg: gt[5], rows: height, dlon_deg: gt[1] }]) as [{ areas_m2: number[] }];
      const expected = counts.reduce((s, n, row) => s + n * res.areas_m2[row], 0);
      const got = features.reduce((s, f) => s + f.areaM2, 0);
      t.diagnostic(`geodesic area ${(got / 1e12).toFixed(6)} million km² vs quadrature ${(expected / 1e12).toFixed(6)} (rel ${Math.abs(got - expected) / expected})`);
      assert.ok(Math.abs(got - expected) <= 1e-9 * expected);
    });
  }
});

describe('bloom mask', () => {
  it('1 for water above the threshold, 0 for land and clear water, 255 for nodata and water without NDCI', () => {
    const water = new Uint8Array([1, 1, 1, 0, 255, 1]);
    const ndci = new Float32Array([0.5, 0.3, 0.1, 0.9, 0.9, NaN]);
    assert.deepEqual([...bloomMask(ndci, water, 0.3)], [1, 0, 0, 0, 255, 255]);
    assert.throws(() => bloomMask(ndci.subarray(1), water, 0.3), VectorInputError);
  });
});
