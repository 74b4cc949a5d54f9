import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { vectorizeMask } from '../vector/features';
import { gdalOp } from '../vector/testing/gdal-polygonize';
import { blobMask } from '../vector/testing/masks';
import { GeoParquetInputError } from './errors';
import { featuresToGeoParquet, GEOPARQUET_VERSION, type GeoMetadata } from './write';

const dir = mkdtempSync(join(tmpdir(), 'geoparquet-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const W = 300;
const H = 260;
const GT = [400000, 10, 0, 5800000, 0, -10];

async function withDuckDb<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return await fn(c);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

function sceneFeatures(connectivity: 4 | 8): ReturnType<typeof vectorizeMask> {
  const mask = blobMask(W, H, 21);
  const values = new Float32Array(W * H).map((_, i) => ((i % W) - (i / W)) / 1000);
  return vectorizeMask(mask, { grid: { epsg: 32633, geoTransform: GT, width: W, height: H }, connectivity, values });
}

test('GeoParquet 1.1 reads back in DuckDB as GEOMETRY with GDAL’s PROJJSON; WKB valid in OGR, areas and bbox covering right', async (t) => {
  const features = sceneFeatures(8);
  const path = join(dir, 'water.parquet');
  writeFileSync(path, featuresToGeoParquet({ features, epsg: 32633, sceneId: 'lake', datetime: '2024-06-01T10:30:00Z', class: 'water' }));
  await withDuckDb(async (c) => {
    const src = `read_parquet('${path}')`;
    const types = Object.fromEntries(
      (await c.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`)).getRowObjectsJS().map((r) => [r.column_name as string, r.column_type as string]),
    );
    assert.deepEqual(types, {
      id: 'BIGINT',
      scene_id: 'VARCHAR',
      datetime: 'TIMESTAMP WITH TIME ZONE',
      class: 'VARCHAR',
      area_m2: 'DOUBLE',
      pixel_count: 'BIGINT',
      mean: 'DOUBLE',
      max: 'DOUBLE',
      bbox: 'STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)',
      // DuckDB 1.5 reads the `geo` metadata itself: the WKB column becomes GEOMETRY with the file's CRS.
      geometry: types.geometry,
    });
    assert.match(types.geometry, /^GEOMETRY\('\{"type":"ProjectedCRS","name":"WGS 84 \/ UTM zone 33N"/);
    const gdalCrs = gdalOp<Record<string, unknown>>({ op: 'projjson', codes: [32633] })['32633'];
    const duckCrs = (await c.runAndReadAll(`SELECT ST_CRS(geometry) AS crs FROM ${src} LIMIT 1`)).getRowObjectsJS()[0].crs as string;
    assert.deepEqual(JSON.parse(duckCrs), gdalCrs, 'DuckDB sees GDAL’s PROJJSON for EPSG:32633');
    const rows = (
      await c.runAndReadAll(
        `SELECT id, scene_id, epoch_ms(datetime) AS ms, class, area_m2, pixel_count, mean, max, bbox.xmin AS xmin, bbox.ymin AS ymin,
                bbox.xmax AS xmax, bbox.ymax AS ymax, hex(ST_AsWKB(geometry)) AS wkb FROM ${src} ORDER BY id`,
      )
    ).getRowObjectsJS();
    assert.equal(rows.length, features.length);
    const geo = JSON.parse(
      (await c.runAndReadAll(`SELECT decode(value) AS v FROM parquet_kv_metadata('${path}') WHERE decode(key) = 'geo'`)).getRowObjectsJS()[0].v as string,
    ) as GeoMetadata;
    assert.equal(geo.version, GEOPARQUET_VERSION);
    assert.equal(geo.primary_column, 'geometry');
    const col = geo.columns.geometry;
    assert.equal(col.encoding, 'WKB');
    assert.deepEqual(col.geometry_types, ['Polygon', 'MultiPolygon'], 'the 8-connected mask has corner-joined regions');
    assert.deepEqual(col.covering.bbox, { xmin: ['bbox', 'xmin'], ymin: ['bbox', 'ymin'], xmax: ['bbox', 'xmax'], ymax: ['bbox', 'ymax'] });
    assert.deepEqual(col.crs, gdalCrs);
    const ogr = gdalOp<Array<{ valid: boolean; type: string; area: number; envelope: number[] }>>({ op: 'wkb', hex: rows.map((r) => r.wkb as string) });
    let multi = 0;
    rows.forEach((r, i) => {
      const f = features[i];
      assert.equal(Number(r.id), f.id);
      assert.equal(r.scene_id, 'lake');
      assert.equal(Number(r.ms), Date.parse('2024-06-01T10:30:00Z'));
      assert.equal(r.class, 'water');
      assert.equal(Number(r.pixel_count), f.pixelCount);
      assert.equal(r.area_m2, f.pixelCount * 100);
      assert.equal(r.mean, f.mean);
      assert.equal(r.max, f.max);
      assert.ok(ogr[i].valid, `feature ${i} valid`);
      assert.equal(ogr[i].area, f.pixelCount * 100, 'OGR area of the WKB = pixels x 100 m²');
      // OGR envelope order: minx, maxx, miny, maxy.
      assert.deepEqual(ogr[i].envelope, [r.xmin, r.xmax, r.ymin, r.ymax], 'bbox covering = geometry envelope');
      if (ogr[i].type === 'MULTIPOLYGON') multi++;
    });
    assert.deepEqual(col.bbox, [Math.min(...rows.map((r) => r.xmin as number)), Math.min(...rows.map((r) => r.ymin as number)), Math.max(...rows.map((r) => r.xmax as number)), Math.max(...rows.map((r) => r.ymax as number))]);
    let spatial = 'unavailable';
    try {
      await c.run('INSTALL spatial');
      await c.run('LOAD spatial');
      const bad = (await c.runAndReadAll(`SELECT count(*) AS n FROM ${src} WHERE NOT ST_IsValid(ST_GeomFromWKB(geometry))`)).getRowObjectsJS()[0].n;
      assert.equal(Number(bad), 0);
      spatial = 'loaded, every geometry ST_IsValid';
    } catch (err) {
      spatial = `not installable here (${String((err as Error).message).split('\n')[0].slice(0, 80)}); checked with OGR instead`;
    }
    t.diagnostic(`${rows.length} rows (${multi} MultiPolygon), DuckDB spatial: ${spatial}`);
  });
});

test('a scene without polygons is a valid empty file; mean and max are null without values', async () => {
  const empty = join(dir, 'empty.parquet');
  writeFileSync(empty, featuresToGeoParquet({ features: [], epsg: 4326, sceneId: 's', datetime: new Date(0), class: 'bloom' }));
  const mask = blobMask(W, H, 5);
  const noValues = vectorizeMask(mask, { grid: { epsg: 32633, geoTransform: GT, width: W, height: H } });
  const path = join(dir, 'novalues.parquet');
  writeFileSync(path, featuresToGeoParquet({ features: noValues, epsg: 32633, sceneId: 's', datetime: '2024-01-01T00:00:00+02:00', class: 'bloom' }));
  await withDuckDb(async (c) => {
    assert.equal(Number((await c.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${empty}')`)).getRowObjectsJS()[0].n), 0);
    const r = (await c.runAndReadAll(`SELECT count(*) AS n, count(mean) AS m, count(max) AS x FROM read_parquet('${path}')`)).getRowObjectsJS()[0];
    assert.equal(Number(r.n), noValues.length);
    assert.equal(Number(r.m), 0);
    assert.equal(Number(r.x), 0);
  });
});

test('bad records throw GeoParquetInputError', () => {
  assert.throws(
    () => featuresToGeoParquet({ features: [], epsg: 4326, sceneId: 's', datetime: 'yesterday', class: 'water' }),
    (e) => e instanceof GeoParquetInputError && e.message === 'geoparquet: datetime yesterday is not an ISO 8601 time',
  );
  assert.throws(() => featuresToGeoParquet({ features: [], epsg: 4326, sceneId: '', datetime: new Date(0), class: 'water' }), GeoParquetInputError);
});
