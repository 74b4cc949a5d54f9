/**
 * Parquet writer benchmark: the same 1,000,000 rows × 5 numeric columns written by our path (apache-arrow
 * columns → parquet-wasm) and by parquetjs-lite (row-by-row, pure JS), for time and file size.
 *
 * Input (fixed, seeded): tile_col INT32 (0..999), tile_row INT32 (0..999), valid_count INT32 (0..262144),
 * mean DOUBLE (−1..1, 5 % null), std DOUBLE (0..0.5); doubles carry a full 53-bit random mantissa, the worst
 * case for a compressor. One row group per file where the writer allows it.
 * parquetjs-lite has no ZSTD, so it runs with SNAPPY and GZIP; ours with ZSTD, SNAPPY and none. Ours runs
 * ARROW_RUNS times (first run reported apart: it grows the WASM heap) and reports the median; parquetjs-lite
 * runs once (tens of seconds per run). Each file is read back by DuckDB (row count, null count, sums), so a
 * size is only reported for a file that holds the data.
 *
 * Run: `npx tsc -p . && node dist/bench/parquet.bench.js [rows]`. Prints one JSON line per writer.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { columnsToTable, float64Column, int32Column, nullableFloat64Column } from '../raster/parquet/arrow-columns';
import { arrowTableToParquet, type ParquetCompression } from '../raster/parquet/write-parquet';
import { seededRandom } from '../raster/indices/testing/random';

// parquetjs-lite ships no type declarations; this is the part of its API the bench uses.
interface ParquetJsLite {
  ParquetSchema: new (fields: Record<string, { type: string; optional?: boolean; compression?: string }>) => unknown;
  ParquetWriter: {
    openFile(schema: unknown, path: string, opts?: { rowGroupSize?: number }): Promise<{
      appendRow(row: Record<string, number | null>): Promise<void>;
      close(): Promise<void>;
    }>;
  };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parquetjs = require('parquetjs-lite') as ParquetJsLite;

const ROWS = Number(process.argv[2] ?? 1_000_000);
const ARROW_RUNS = 5;

interface Columns {
  tileCol: Int32Array;
  tileRow: Int32Array;
  validCount: Int32Array;
  mean: Array<number | null>;
  std: Float64Array;
}


function makeColumns(n: number): Columns {
  const next32 = seededRandom(42);
  // Two 32-bit draws per double: one draw alone leaves the low 21 mantissa bits zero, which compresses unrealistically well.
  const rnd = (): number => (Math.floor(next32() * 2 ** 21) * 2 ** 32 + Math.floor(next32() * 2 ** 32)) / 2 ** 53;
  const c: Columns = { tileCol: new Int32Array(n), tileRow: new Int32Array(n), validCount: new Int32Array(n), mean: new Array(n), std: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    c.tileCol[i] = i % 1000;
    c.tileRow[i] = Math.floor(i / 1000);
    c.validCount[i] = Math.floor(rnd() * 262145);
    c.mean[i] = rnd() < 0.05 ? null : rnd() * 2 - 1;
    c.std[i] = rnd() * 0.5;
  }
  return c;
}

interface Result {
  writer: string;
  codec: string;
  rows: number;
  /** Median of the runs. */
  ms: number;
  /** First run alone (includes WASM heap growth); only when there were several runs. */
  firstMs?: number;
  sizeBytes: number;
  stages?: Record<string, number>;
}

function writeWithArrow(c: Columns, compression: ParquetCompression): { bytes: Uint8Array; stages: Record<string, number> } {
  performance.mark('arrow:start');
  const table = columnsToTable([
    int32Column('tile_col', c.tileCol),
    int32Column('tile_row', c.tileRow),
    int32Column('valid_count', c.validCount),
    nullableFloat64Column('mean', c.mean),
    float64Column('std', c.std),
  ]);
  performance.mark('arrow:table');
  const bytes = arrowTableToParquet(table, { compression });
  performance.mark('arrow:parquet');
  const stages = {
    buildTableMs: performance.measure('build', 'arrow:start', 'arrow:table').duration,
    ipcAndWriteMs: performance.measure('write', 'arrow:table', 'arrow:parquet').duration,
  };
  performance.clearMarks();
  performance.clearMeasures();
  return { bytes, stages };
}

async function writeWithParquetJs(c: Columns, path: string, compression: 'SNAPPY' | 'GZIP'): Promise<void> {
  const schema = new parquetjs.ParquetSchema({
    tile_col: { type: 'INT32', compression },
    tile_row: { type: 'INT32', compression },
    valid_count: { type: 'INT32', compression },
    mean: { type: 'DOUBLE', optional: true, compression },
    std: { type: 'DOUBLE', compression },
  });
  const writer = await parquetjs.ParquetWriter.openFile(schema, path, { rowGroupSize: c.tileCol.length });
  for (let i = 0; i < c.tileCol.length; i++) {
    await writer.appendRow({ tile_col: c.tileCol[i], tile_row: c.tileRow[i], valid_count: c.validCount[i], mean: c.mean[i], std: c.std[i] });
  }
  await writer.close();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'parquet-bench-'));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const c = makeColumns(ROWS);
    let expectedMean = 0;
    let expectedNulls = 0;
    for (const v of c.mean) v === null ? expectedNulls++ : (expectedMean += v);
    const expectedValid = c.validCount.reduce((a, v) => a + v, 0);

    const verify = async (path: string): Promise<void> => {
      const r = (await conn.runAndReadAll(
        `SELECT count(*)::DOUBLE AS n, count(*) FILTER (WHERE mean IS NULL)::DOUBLE AS nulls, sum(mean) AS mean, sum(valid_count)::DOUBLE AS valid FROM read_parquet('${path}')`,
      )).getRowObjectsJS()[0] as { n: number; nulls: number; mean: number; valid: number };
      if (r.n !== ROWS || r.nulls !== expectedNulls || r.valid !== expectedValid || Math.abs(r.mean - expectedMean) > 1e-6 * ROWS) {
        throw new Error(`${path}: DuckDB read ${JSON.stringify(r)}, expected rows ${ROWS}, nulls ${expectedNulls}, valid ${expectedValid}, mean sum ${expectedMean}`);
      }
    };

    const results: Result[] = [];
    // One untimed small write loads and warms the WASM module, so the timed runs measure writing, not startup.
    arrowTableToParquet(columnsToTable([int32Column('x', Int32Array.of(1))]));
    for (const codec of ['zstd', 'snappy', 'none'] as const) {
      const runs: Array<{ ms: number; bytes: Uint8Array; stages: Record<string, number> }> = [];
      for (let i = 0; i < ARROW_RUNS; i++) {
        const t0 = performance.now();
        const { bytes, stages } = writeWithArrow(c, codec);
        runs.push({ ms: performance.now() - t0, bytes, stages });
      }
      const path = join(dir, `arrow-${codec}.parquet`);
      await writeFile(path, runs[0].bytes);
      await verify(path);
      const median = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
      results.push({ writer: 'apache-arrow+parquet-wasm', codec, rows: ROWS, ms: median.ms, firstMs: runs[0].ms, sizeBytes: runs[0].bytes.byteLength, stages: median.stages });
    }
    for (const codec of ['SNAPPY', 'GZIP'] as const) {
      const path = join(dir, `parquetjs-${codec}.parquet`);
      const t0 = performance.now();
      await writeWithParquetJs(c, path, codec);
      const ms = performance.now() - t0;
      await verify(path);
      results.push({ writer: 'parquetjs-lite', codec: codec.toLowerCase(), rows: ROWS, ms, sizeBytes: (await stat(path)).size });
    }
    // Reference for size only (its time includes reading our file back): DuckDB's native writer, ZSTD.
    const duckPath = join(dir, 'duckdb-zstd.parquet');
    const t0 = performance.now();
    await conn.run(`COPY (SELECT * FROM read_parquet('${join(dir, 'arrow-zstd.parquet')}')) TO '${duckPath}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROWS})`);
    const duckMs = performance.now() - t0;
    await verify(duckPath);
    results.push({ writer: 'duckdb (reference: read + write)', codec: 'zstd', rows: ROWS, ms: duckMs, sizeBytes: (await stat(duckPath)).size });

    const round = (v: number): number => Math.round(v * 10) / 10;
    for (const r of results) {
      const stages = r.stages ? Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k, round(v)])) : undefined;
      const firstMs = r.firstMs === undefined ? undefined : round(r.firstMs);
      console.log(JSON.stringify({ ...r, ms: round(r.ms), firstMs, stages, mb: round(r.sizeBytes / 1e6) }));
    }
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
