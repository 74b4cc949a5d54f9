import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  CATALOG_COLUMNS, CatalogTableError, catalogPartitionKey, decodeCatalogTable, encodeCatalogTable, parseCatalogPartition,
  type CatalogRow,
} from './catalog-table';

// The last scene id has characters that are unsafe in a path segment, and one that DuckDB would read as a date
// without hive_types: both must survive the round trip.
const SCENES = ['EMIT_L2A_20240101T101010', 'WYV_20240615', '20240701', 'lake a/b=c%é'];
const PRODUCTS = ['ndci', 'ndwi'];

function makeRow(sceneId: string, product: string, i: number): CatalogRow {
  const ndci = product === 'ndci';
  // Scene 1 has no datetime and no bbox, scene 2 no water mask: the nullable columns must read back as NULL.
  const water = i === 2 ? null : 10 + i * 1.25;
  return {
    sceneId, product,
    datetime: i === 1 ? null : new Date(Date.UTC(2024, 5, 1 + i * 7, 10, 30, 15, 123)).toISOString(),
    bbox: i === 1 ? null : [14.1 + i * 0.01, 46.2, 14.6 + i * 0.01, 46.5],
    crs: i === 1 ? null : 'EPSG:32633',
    partitionKey: `2024-06-${String(1 + i).padStart(2, '0')}`,
    codeVersion: '0.1.0+g2fa4ebc',
    validKm2: 100 + i,
    waterKm2: water,
    bloomKm2: ndci && water !== null ? water * 0.25 : null,
    bloomFraction: ndci && water !== null ? 0.25 : null,
    validFraction: 0.875,
    mean: i === 3 ? NaN : 0.1 * i - (ndci ? 0.05 : 0),
    p50: i === 3 ? null : 0.1 * i,
    p98: i === 3 ? null : 0.1 * i + 0.3,
    // Scene 1 was not vectorised; the others count water polygons (ndwi rows stand in for a custom mask).
    polygonCount: i === 1 ? null : ndci ? 3 + i : 40 + i,
  };
}

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

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

test('catalog of 4 scenes x 2 products reads back through DuckDB with its types, nulls and partition columns', async () => {
  const root = await mkdtemp(join(tmpdir(), 'catalog-'));
  try {
    const expected: CatalogRow[] = [];
    SCENES.forEach((scene, i) => {
      for (const product of PRODUCTS) expected.push(makeRow(scene, product, i));
    });
    for (const r of expected) {
      const path = join(root, catalogPartitionKey(r.sceneId, r.product));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, encodeCatalogTable([r]));
    }
    await withDuckDb(async (c) => {
      const source = `read_parquet(${sqlString(join(root, 'tables/catalog') + '/**/*.parquet')}, hive_partitioning = true, hive_types = {'scene': VARCHAR, 'product': VARCHAR})`;
      const described = (await c.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS();
      const duckType = { utf8: 'VARCHAR', 'timestamp[ms, UTC]': 'TIMESTAMP WITH TIME ZONE', float64: 'DOUBLE', int32: 'INTEGER' } as const;
      assert.deepEqual(
        described.slice(0, CATALOG_COLUMNS.length).map((d) => [d.column_name, d.column_type]),
        CATALOG_COLUMNS.map((col) => [col.name, duckType[col.type]]),
      );
      assert.deepEqual(described.slice(CATALOG_COLUMNS.length).map((d) => `${d.column_name} ${d.column_type}`).sort(), ['product VARCHAR', 'scene VARCHAR']);

      // epoch_ms() gives the stored instant, independent of the session's time zone.
      const got = (await c.runAndReadAll(
        `SELECT * EXCLUDE (datetime), epoch_ms(datetime) AS datetime_ms FROM ${source} ORDER BY scene_id, product`,
      )).getRowObjectsJS();
      const want = [...expected]
        .sort((a, b) => (a.sceneId < b.sceneId ? -1 : a.sceneId > b.sceneId ? 1 : a.product < b.product ? -1 : 1))
        .map((r) => ({
          scene_id: r.sceneId,
          bbox_west: r.bbox?.[0] ?? null, bbox_south: r.bbox?.[1] ?? null, bbox_east: r.bbox?.[2] ?? null, bbox_north: r.bbox?.[3] ?? null,
          crs: r.crs, partition_key: r.partitionKey, code_version: r.codeVersion,
          valid_km2: r.validKm2, water_km2: r.waterKm2, bloom_km2: r.bloomKm2, bloom_fraction: r.bloomFraction,
          valid_fraction: r.validFraction, mean: Number.isNaN(r.mean) ? null : r.mean, p50: r.p50, p98: r.p98,
          polygon_count: r.polygonCount ?? null,
          scene: r.sceneId, product: r.product,
          datetime_ms: r.datetime === null ? null : BigInt(Date.parse(r.datetime)),
        }));
      assert.deepEqual(got, want);

      // Nulls are SQL NULLs: aggregates skip them.
      const agg = (await c.runAndReadAll(
        `SELECT count(*) FILTER (WHERE datetime IS NULL) AS undated, count(*) FILTER (WHERE water_km2 IS NULL) AS no_water,
                sum(bloom_km2) AS bloom, count(DISTINCT scene) AS scenes,
                sum(polygon_count) FILTER (WHERE product = 'ndci') AS bloom_polygons, count(*) FILTER (WHERE polygon_count IS NULL) AS not_vectorised
         FROM ${source}`,
      )).getRowObjectsJS();
      assert.deepEqual(agg, [{ undated: 2n, no_water: 2n, bloom: (10 + 11.25 + 13.75) * 0.25, scenes: 4n, bloom_polygons: 3n + 5n + 6n, not_vectorised: 2n }]);

      // Partition pruning on an escaped value selects that partition's file only.
      const pruned = (await c.runAndReadAll(`SELECT scene_id FROM ${source} WHERE scene = ${sqlString(SCENES[3])} AND product = 'ndwi'`)).getRowObjectsJS();
      assert.deepEqual(pruned, [{ scene_id: SCENES[3] }]);

      const one = sqlString(join(root, catalogPartitionKey(SCENES[0], 'ndci')));
      assert.deepEqual((await c.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${one})`)).getRowObjectsJS(), [{ compression: 'ZSTD' }]);
      const schema = (await c.runAndReadAll(
        `SELECT name, repetition_type FROM parquet_schema(${one}) WHERE num_children IS NULL OR num_children = 0`,
      )).getRowObjectsJS();
      assert.deepEqual(schema.map((s) => [s.name, s.repetition_type]), CATALOG_COLUMNS.map((col) => [col.name, col.nullable ? 'OPTIONAL' : 'REQUIRED']));
      const kv = (await c.runAndReadAll(
        `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${one}) WHERE decode(key) LIKE 'tessera:%' ORDER BY k`,
      )).getRowObjectsJS();
      assert.deepEqual(kv, [{ k: 'tessera:catalog', v: '{"product":"ndci","schema":2}' }]);
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('decodeCatalogTable returns the rows encoded, NaN as null', () => {
  SCENES.forEach((scene, i) => {
    const row = makeRow(scene, 'ndci', i);
    const [back] = decodeCatalogTable(encodeCatalogTable([row]));
    assert.deepEqual(back, { ...row, mean: Number.isNaN(row.mean) ? null : row.mean });
  });
  // The path's product wins over the file's metadata.
  assert.equal(decodeCatalogTable(encodeCatalogTable([makeRow('s', 'ndci', 0)]), { product: 'NDCI' })[0].product, 'NDCI');
  assert.deepEqual(decodeCatalogTable(encodeCatalogTable([])), []);
  // A row that does not say reads back with a null count.
  const { polygonCount: _, ...unsaid } = makeRow('s', 'water', 0);
  assert.equal(decodeCatalogTable(encodeCatalogTable([unsaid]))[0].polygonCount, null);
});

test('the same row encodes to the same bytes in another process', () => {
  const row = makeRow('EMIT_L2A_20240101T101010', 'water', 0);
  const script = `const { encodeCatalogTable } = require(${JSON.stringify(require.resolve('./catalog-table'))});
    process.stdout.write(Buffer.from(encodeCatalogTable([${JSON.stringify(row)}])).toString('hex'));`;
  const other = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(other, Buffer.from(encodeCatalogTable([row])).toString('hex'));
});

test('a file written by DuckDB with the same columns decodes too', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'catalog-duck-'));
  try {
    const path = join(dir, 'x.parquet');
    await withDuckDb(async (c) => {
      await c.run(`COPY (SELECT 'S9' AS scene_id, TIMESTAMPTZ '2024-08-02 09:00:00+00' AS datetime, 1.0 ::DOUBLE AS bbox_west,
        2.0::DOUBLE AS bbox_south, 3.0::DOUBLE AS bbox_east, 4.0::DOUBLE AS bbox_north, NULL::VARCHAR AS crs, 'k' AS partition_key,
        'v' AS code_version, 5.0::DOUBLE AS valid_km2, 4.0::DOUBLE AS water_km2, 1.0::DOUBLE AS bloom_km2, 0.25::DOUBLE AS bloom_fraction,
        1.0::DOUBLE AS valid_fraction, NULL::DOUBLE AS mean, NULL::DOUBLE AS p50, NULL::DOUBLE AS p98) TO ${sqlString(path)} (FORMAT parquet)`);
    });
    const bytes = new Uint8Array(await readFile(path));
    assert.throws(() => decodeCatalogTable(bytes), (e) => e instanceof CatalogTableError && /does not record its product/.test(e.message));
    const [row] = decodeCatalogTable(bytes, { product: 'ndci' });
    assert.equal(row.datetime, '2024-08-02T09:00:00.000Z');
    assert.deepEqual(row.bbox, [1, 2, 3, 4]);
    assert.equal(row.crs, null);
    assert.equal(row.bloomFraction, 0.25);
    // The file has no polygon_count (a schema-1 file): the count reads as null.
    assert.equal(row.polygonCount, null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('decodeCatalogTable rejects files that are not the catalog', () => {
  assert.throws(() => decodeCatalogTable(new Uint8Array([1, 2, 3])), (e) => e instanceof CatalogTableError && /not a readable Parquet file/.test(e.message));
});

test('catalogPartitionKey escapes values and parseCatalogPartition undoes it', () => {
  assert.equal(catalogPartitionKey('S1', 'ndci'), 'tables/catalog/scene=S1/product=ndci/part-0.parquet');
  const key = catalogPartitionKey('a/b=c d%é', 'x:y');
  assert.equal(key, 'tables/catalog/scene=a%2Fb%3Dc%20d%25%C3%A9/product=x%3Ay/part-0.parquet');
  assert.deepEqual(parseCatalogPartition(`s3://bucket/out/${key}`), { sceneId: 'a/b=c d%é', product: 'x:y' });
  assert.equal(parseCatalogPartition('s3://bucket/out/tables/catalog/readme.txt'), undefined);
  assert.throws(() => catalogPartitionKey('', 'ndci'), CatalogTableError);
});

test('invalid rows throw CatalogTableError naming the row', () => {
  const good = makeRow('s', 'ndci', 0);
  const cases: Array<[Partial<CatalogRow>, RegExp]> = [
    [{ sceneId: '' }, /sceneId and product must not be empty/],
    [{ codeVersion: '' }, /partitionKey and codeVersion must not be empty/],
    [{ datetime: 'June' }, /datetime "June" is not RFC 3339/],
    [{ bbox: [500000, 4100000, 510000, 4110000] }, /bbox \[500000, 4100000, 510000, 4110000\] is not a WGS 84/],
    [{ bbox: [10, 50, 11, 49] }, /is not a WGS 84/],
    [{ validKm2: NaN }, /validKm2 is required/],
    [{ waterKm2: -1 }, /waterKm2 = -1 is not an area >= 0/],
    [{ bloomFraction: 1.5 }, /bloomFraction = 1.5 is outside \[0, 1\]/],
    [{ p98: Infinity }, /p98 = Infinity is not finite/],
    [{ polygonCount: 2.5 }, /polygonCount = 2.5 is not a whole number/],
    [{ polygonCount: -1 }, /polygonCount = -1 is not a whole number/],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => encodeCatalogTable([{ ...good, ...patch }]), (e) => e instanceof CatalogTableError && message.test(e.message), JSON.stringify(patch));
  }
  assert.throws(
    () => encodeCatalogTable([good, { ...good, product: 'ndwi' }]),
    (e) => e instanceof CatalogTableError && e.message === 'catalog: row 1 is scene=s product=ndwi, row 0 is scene=s product=ndci: one file per partition',
  );
  // An antimeridian-crossing box (west > east) is a valid footprint.
  assert.doesNotThrow(() => encodeCatalogTable([{ ...good, bbox: [179.5, -17, -179.5, -16] }]));
});
