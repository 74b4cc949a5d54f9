import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { VectorInputError } from './errors';
import { vectorizeMask } from './features';
import { featuresToGeoJson } from './geojson';
import { gdalOp } from './testing/gdal-polygonize';
import { blobMask, maskFromText } from './testing/masks';

const dir = mkdtempSync(join(tmpdir(), 'geojson-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface OgrReport {
  driver: string;
  count: number;
  epsg: number | null;
  types: string[];
  invalid: number;
  fields: string[];
  area_sum: number;
  orientation_ok: boolean;
}

const CASES = [
  { name: 'utm', epsg: 32633, gt: [400000, 10, 0, 5800000, 0, -10] },
  { name: 'wgs84', epsg: 4326, gt: [-83.3, 6e-5, 0, 41.8, 0, -4.5e-5] },
];

for (const c of CASES) {
  test(`GeoJSON from EPSG:${c.epsg} opens in ogrinfo: WGS 84, valid, right-hand rule, every feature`, (t) => {
    const W = 240;
    const H = 200;
    const features = vectorizeMask(blobMask(W, H, 9), { grid: { epsg: c.epsg, geoTransform: c.gt, width: W, height: H }, connectivity: 8 });
    const path = join(dir, `${c.name}.geojson`);
    writeFileSync(path, featuresToGeoJson({ features, epsg: c.epsg, sceneId: 'lake', datetime: '2024-06-01T10:30:00Z', class: 'bloom' }));
    const info = execFileSync('ogrinfo', ['-ro', '-so', '-al', path], { encoding: 'utf8' });
    assert.match(info, new RegExp(`Feature Count: ${features.length}\\n`));
    const ogr = gdalOp<OgrReport>({ op: 'ogr_open', path });
    t.diagnostic(`${features.length} features, types ${ogr.types.join('/')}, ${ogr.invalid} invalid, orientation ok: ${ogr.orientation_ok}`);
    assert.equal(ogr.driver, 'GeoJSON');
    assert.equal(ogr.count, features.length);
    assert.equal(ogr.epsg, 4326);
    assert.equal(ogr.invalid, 0);
    assert.ok(ogr.orientation_ok, 'exteriors counter-clockwise, holes clockwise');
    assert.deepEqual(ogr.types, ['MULTIPOLYGON', 'POLYGON']);
    for (const f of ['id', 'scene_id', 'datetime', 'class', 'area_m2', 'pixel_count', 'mean', 'max']) assert.ok(ogr.fields.includes(f), f);
  });
}

test('positions are rounded to 7 decimals, rings closed, a lone pixel in EPSG:4326 is its corners', () => {
  const { mask, width, height } = maskFromText(['.#']);
  const features = vectorizeMask(mask, { grid: { epsg: 4326, geoTransform: [10, 0.1, 0, 50, 0, -0.1], width, height } });
  const fc = JSON.parse(featuresToGeoJson({ features, epsg: 4326, sceneId: 's', datetime: '2024-01-01T00:00:00Z', class: 'water' })) as {
    features: Array<{ geometry: { type: string; coordinates: number[][][] }; properties: Record<string, unknown> }>;
  };
  assert.equal(fc.features.length, 1);
  const g = fc.features[0].geometry;
  assert.equal(g.type, 'Polygon');
  // Counter-clockwise from the first vertex: (10.1, 49.9) → (10.2, 49.9) → (10.2, 50) → (10.1, 50).
  assert.deepEqual(g.coordinates, [[[10.1, 49.9], [10.2, 49.9], [10.2, 50], [10.1, 50], [10.1, 49.9]]]);
  assert.equal(fc.features[0].properties.pixel_count, 1);
  assert.throws(() => featuresToGeoJson({ features, epsg: 4326, sceneId: 's', datetime: 'x', class: 'water' }, { decimals: 16 }), VectorInputError);
});
