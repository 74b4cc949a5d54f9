import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { hiveKey, statsTableToParquet, TILE_STATS_COLUMNS, type TileStatsRow } from './stats-table';
import { StatsTableError } from './errors';

// The second scene id has characters that are unsafe in a path segment: they must survive the round trip.
const SCENES = ['EMIT_L2A_20240101T101010', 'scene a/b=c%é'];
const PRODUCTS = ['ndwi', 'ndci', 'water_mask'];
const GRID = { cols: 3, rows: 2, tilePx: 256, width: 700, height: 500, originX: 500000, originY: 4200000, pixelM: 30 };

function makeRows(scene: string, product: string, seed: number, georeferenced = true): TileStatsRow[] {
  const rows: TileStatsRow[] = [];
  for (let tileRow = 0; tileRow < GRID.rows; tileRow++) {
    for (let tileCol = 0; tileCol < GRID.cols; tileCol++) {
      const x = tileCol * GRID.tilePx;
      const y = tileRow * GRID.tilePx;
      const width = Math.min(GRID.tilePx, GRID.width - x);
      const height = Math.min(GRID.tilePx, GRID.height - y);
      const count = width * height;
      // Tile (1,1) of every partition is all nodata: its stats must read back as NULL.
      const empty = tileCol === 1 && tileRow === 1;
      const v = seed + tileCol * 0.01 + tileRow * 0.1;
      rows.push({
        scene, product, tileCol, tileRow, x, y, width, height,
        // Without a geotransform the caller has no bbox and passes NaN: stored as NULL.
        bboxMinX: georeferenced ? GRID.originX + x * GRID.pixelM : NaN,
        bboxMinY: georeferenced ? GRID.originY - (y + height) * GRID.pixelM : null,
        bboxMaxX: georeferenced ? GRID.originX + (x + width) * GRID.pixelM : NaN,
        bboxMaxY: georeferenced ? GRID.originY - y * GRID.pixelM : null,
        count,
        validCount: empty ? 0 : count - tileCol,
        min: empty ? null : v - 0.5,
        max: empty ? null : v + 0.5,
        // NaN is how a kernel reports "no mean": it must be stored as NULL too.
        mean: empty ? NaN : v,
        std: empty ? null : 0.125 + tileCol,
        p2: empty ? null : v - 0.25,
        p50: empty ? null : v + 1e-9,
        p98: empty ? null : v + 0.25,
        bloomFraction: product === 'ndci' && !empty ? (tileCol + 1) / 8 : null,
      });
    }
  }
  return rows;
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

test('hive table of 2 scenes x 3 products reads back through DuckDB with partition columns and nulls', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tile-stats-'));
  try {
    const expected = new Map<string, TileStatsRow>();
    let seed = 0;
    for (const scene of SCENES) {
      for (const product of PRODUCTS) {
        const rows = makeRows(scene, product, seed++, !(scene === SCENES[1] && product === 'water_mask'));
        for (const r of rows) expected.set(`${r.scene}|${r.product}|${r.tileCol}|${r.tileRow}`, r);
        const path = hiveKey(join(root, 'tile_stats'), scene, product);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, statsTableToParquet(rows, { keyValueMetadata: { 'tessera:crs': 'EPSG:32633' } }));
      }
    }
    await withDuckDb(async (c) => {
      const source = `read_parquet(${sqlString(join(root, 'tile_stats') + '/**/*.parquet')}, hive_partitioning = true, hive_types = {'scene': VARCHAR, 'product': VARCHAR})`;
      const described = (await c.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS();
      const duckType = { INT32: 'INTEGER', DOUBLE: 'DOUBLE' } as const;
      const fileColumns = described.slice(0, TILE_STATS_COLUMNS.length).map((d) => [d.column_name, d.column_type]);
      assert.deepEqual(fileColumns, TILE_STATS_COLUMNS.map((col) => [col.name, duckType[col.type]]));
      // DuckDB appends the partition columns after the file's; their relative order is its choice.
      const partitionColumns = described.slice(TILE_STATS_COLUMNS.length).map((d) => `${d.column_name} ${d.column_type}`);
      assert.deepEqual(partitionColumns.sort(), ['product VARCHAR', 'scene VARCHAR']);

      const got = (await c.runAndReadAll(`SELECT * FROM ${source} ORDER BY scene, product, tile_row, tile_col`)).getRowObjectsJS();
      assert.equal(got.length, SCENES.length * PRODUCTS.length * GRID.cols * GRID.rows);
      const seen = new Set<string>();
      for (const g of got) {
        const key = `${g.scene}|${g.product}|${g.tile_col}|${g.tile_row}`;
        assert.ok(!seen.has(key), `duplicate row ${key}`);
        seen.add(key);
        const e = expected.get(key);
        assert.ok(e, `unexpected row ${key}`);
        const nanToNull = (v: number | null): number | null => (v === null || Number.isNaN(v) ? null : v);
        assert.deepEqual(g, {
          tile_col: e.tileCol, tile_row: e.tileRow, x: e.x, y: e.y, width: e.width, height: e.height,
          bbox_min_x: nanToNull(e.bboxMinX), bbox_min_y: e.bboxMinY, bbox_max_x: nanToNull(e.bboxMaxX), bbox_max_y: e.bboxMaxY,
          count: e.count, valid_count: e.validCount,
          min: e.min, max: e.max, mean: nanToNull(e.mean), std: e.std, p2: e.p2, p50: e.p50, p98: e.p98,
          bloom_fraction: e.bloomFraction, scene: e.scene, product: e.product,
        });
      }
      assert.equal(seen.size, expected.size);

      // Nulls are real SQL NULLs: aggregates skip them, and only the all-nodata tiles (6 partitions x 1) have them.
      const nulls = (await c.runAndReadAll(
        `SELECT count(*) FILTER (WHERE mean IS NULL) AS null_means, count(*) FILTER (WHERE bloom_fraction IS NOT NULL) AS blooms,
                count(*) FILTER (WHERE bbox_min_x IS NULL) AS no_bbox, avg(mean) FILTER (WHERE tile_col = 1) AS avg_col1,
                count(DISTINCT scene) AS scenes FROM ${source}`,
      )).getRowObjectsJS();
      // Tile column 1 of row 0 has mean seed + 0.01 for seeds 0..5; the NULL means of row 1 do not count.
      const avgCol1 = [0, 1, 2, 3, 4, 5].reduce((a, seed) => a + seed + 0.01, 0) / 6;
      assert.deepEqual(nulls.map((r) => ({ ...r, avg_col1: Math.round((r.avg_col1 as number) * 1e9) / 1e9 })),
        [{ null_means: 6n, blooms: 10n, no_bbox: 6n, avg_col1: Math.round(avgCol1 * 1e9) / 1e9, scenes: 2n }]);

      // Partition pruning on the escaped value selects exactly that partition's file.
      const pruned = (await c.runAndReadAll(
        `SELECT count(*) AS n FROM ${source} WHERE scene = ${sqlString(SCENES[1])} AND product = 'ndci'`,
      )).getRowObjectsJS();
      assert.deepEqual(pruned, [{ n: 6n }]);

      // File-level facts: ZSTD codec, required vs optional columns, our key-value metadata.
      const one = sqlString(hiveKey(join(root, 'tile_stats'), SCENES[0], 'ndci'));
      const codecs = (await c.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${one})`)).getRowObjectsJS();
      assert.deepEqual(codecs, [{ compression: 'ZSTD' }]);
      const schema = (await c.runAndReadAll(
        `SELECT name, repetition_type FROM parquet_schema(${one}) WHERE num_children IS NULL OR num_children = 0`,
      )).getRowObjectsJS();
      assert.deepEqual(
        schema.map((s) => [s.name, s.repetition_type]),
        TILE_STATS_COLUMNS.map((col) => [col.name, col.nullable ? 'OPTIONAL' : 'REQUIRED']),
      );
      const kv = (await c.runAndReadAll(
        `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${one}) WHERE decode(key) LIKE 'tessera:%' ORDER BY k`,
      )).getRowObjectsJS();
      assert.deepEqual(kv, [{ k: 'tessera:crs', v: 'EPSG:32633' }, { k: 'tessera:tile_stats_schema', v: '1' }]);
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('snappy and uncompressed files read back the same rows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tile-stats-codec-'));
  try {
    const rows = makeRows('s', 'ndci', 3);
    await withDuckDb(async (c) => {
      const results: unknown[] = [];
      for (const compression of ['snappy', 'none'] as const) {
        const path = join(dir, `${compression}.parquet`);
        await writeFile(path, statsTableToParquet(rows, { compression }));
        const codec = (await c.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${sqlString(path)})`)).getRowObjectsJS();
        assert.deepEqual(codec, [{ compression: compression === 'none' ? 'UNCOMPRESSED' : 'SNAPPY' }]);
        results.push((await c.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(path)}) ORDER BY tile_row, tile_col`)).getRowObjectsJS());
      }
      assert.deepEqual(results[0], results[1]);
      assert.equal((results[0] as unknown[]).length, rows.length);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('zero rows give a readable file with the schema', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tile-stats-empty-'));
  try {
    const path = join(dir, 'empty.parquet');
    await writeFile(path, statsTableToParquet([]));
    await withDuckDb(async (c) => {
      const described = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).getRowObjectsJS();
      assert.deepEqual(described.map((d) => d.column_name), TILE_STATS_COLUMNS.map((col) => col.name));
      const n = (await c.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlString(path)})`)).getRowObjectsJS();
      assert.deepEqual(n, [{ n: 0n }]);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('hiveKey escapes unsafe characters and keeps a URL root intact', () => {
  assert.equal(hiveKey('s3://bucket/out/tile_stats/', 'S1', 'ndwi'), 's3://bucket/out/tile_stats/scene=S1/product=ndwi/part-0.parquet');
  assert.equal(
    hiveKey('/t', 'a/b=c d%é', 'x:y'),
    '/t/scene=a%2Fb%3Dc%20d%25%C3%A9/product=x%3Ay/part-0.parquet',
  );
  assert.throws(() => hiveKey('/t', '', 'ndwi'), (e) => e instanceof StatsTableError && /partition value is empty/.test(e.message));
});

test('invalid rows throw StatsTableError naming the row', () => {
  const good = makeRows('s', 'ndwi', 0);
  const cases: Array<[Partial<TileStatsRow>, RegExp]> = [
    [{ x: 1.5 }, /row 0 \(tile 0,0\): x = 1.5 is not an int32 >= 0/],
    [{ tileCol: -1 }, /tileCol = -1 is not an int32 >= 0/],
    [{ width: 0 }, /empty window 0x256/],
    [{ validCount: 1e6 }, /validCount 1000000 > count 65536/],
    [{ bboxMaxY: -Infinity }, /bboxMaxY = -Infinity is not finite/],
    [{ bloomFraction: 1.5 }, /bloomFraction 1.5 outside \[0, 1\]/],
  ];
  for (const [patch, message] of cases) {
    const rows = [{ ...good[0], ...patch }, ...good.slice(1)];
    assert.throws(() => statsTableToParquet(rows), (e) => e instanceof StatsTableError && message.test(e.message), JSON.stringify(patch));
  }
  const mixed = [...good, { ...good[0], product: 'ndci' }];
  assert.throws(
    () => statsTableToParquet(mixed),
    (e) => e instanceof StatsTableError && e.message === 'tile_stats: row 6 is scene=s product=ndci, row 0 is scene=s product=ndwi: one file per partition',
  );
});
