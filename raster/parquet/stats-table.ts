/**
 * The tile-statistics table: one row per tile of one product of one scene, stored as Parquet in a hive-partitioned
 * layout `<root>/scene=<scene>/product=<product>/part-0.parquet`.
 *
 * The partition columns `scene` and `product` live only in the path, as in every hive layout: a file holds one
 * partition, and readers add the columns back from the directory names, e.g. in DuckDB
 * `read_parquet('<root>/**\/*.parquet', hive_partitioning = true, hive_types = {'scene': VARCHAR, 'product': VARCHAR})`.
 * (Pass `hive_types`: otherwise a scene id like `20240101` is inferred as a DATE.)
 *
 * Column names in the file are snake_case (SQL readers fold case); see {@link TILE_STATS_COLUMNS}.
 */
import { arrowTableToParquet, type ParquetCompression } from './write-parquet';
import { columnsToTable, int32Column, nullableFloat64Column, type NamedColumn } from './arrow-columns';
import { joinKey, partitionSegment } from './hive-path';
import { StatsTableError } from './errors';
import type { TileStats } from '../stats/tile-stats';

/** Statistics of one tile of one product. Pixel statistics ignore nodata; null when the tile has no valid pixel. */
export interface TileStatsRow extends TileStats {
  /** Scene id: hive partition value, not stored in the file. */
  scene: string;
  /** Product name (e.g. `ndwi`, `ndci`): hive partition value, not stored in the file. */
  product: string;
  /** Tile index along x and y in the scene's tile grid. */
  tileCol: number;
  tileRow: number;
  /** Pixel window of the tile in the full raster: column and row offset of its top-left pixel, size in pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /**
   * Bounding box of the window in the raster's CRS (metres for UTM, degrees only for EPSG:4326), hence the
   * bboxMin/Max X/Y names rather than lon/lat. Record the CRS with `keyValueMetadata` when it matters to readers.
   * Null (or NaN) when the raster has no geotransform.
   */
  bboxMinX: number | null;
  bboxMinY: number | null;
  bboxMaxX: number | null;
  bboxMaxY: number | null;
  /** NDCI only: fraction of valid pixels above the bloom threshold, in [0, 1]; null for other products. */
  bloomFraction: number | null;
}

/** Parquet type of a column of the stats file. */
export type StatsColumnType = 'INT32' | 'DOUBLE';

/** The file's columns in order, with their Parquet type and whether they may hold nulls. */
export const TILE_STATS_COLUMNS: ReadonlyArray<{ name: string; type: StatsColumnType; nullable: boolean }> = [
  { name: 'tile_col', type: 'INT32', nullable: false },
  { name: 'tile_row', type: 'INT32', nullable: false },
  { name: 'x', type: 'INT32', nullable: false },
  { name: 'y', type: 'INT32', nullable: false },
  { name: 'width', type: 'INT32', nullable: false },
  { name: 'height', type: 'INT32', nullable: false },
  { name: 'bbox_min_x', type: 'DOUBLE', nullable: true },
  { name: 'bbox_min_y', type: 'DOUBLE', nullable: true },
  { name: 'bbox_max_x', type: 'DOUBLE', nullable: true },
  { name: 'bbox_max_y', type: 'DOUBLE', nullable: true },
  { name: 'count', type: 'INT32', nullable: false },
  { name: 'valid_count', type: 'INT32', nullable: false },
  { name: 'min', type: 'DOUBLE', nullable: true },
  { name: 'max', type: 'DOUBLE', nullable: true },
  { name: 'mean', type: 'DOUBLE', nullable: true },
  { name: 'std', type: 'DOUBLE', nullable: true },
  { name: 'p2', type: 'DOUBLE', nullable: true },
  { name: 'p50', type: 'DOUBLE', nullable: true },
  { name: 'p98', type: 'DOUBLE', nullable: true },
  { name: 'bloom_fraction', type: 'DOUBLE', nullable: true },
];

/** Hive partition columns, outermost first; they appear in the path, never in the file. */
export const TILE_STATS_PARTITION_COLUMNS = ['scene', 'product'] as const;

/** Bumped when a column is added, removed or retyped; written to the file's key-value metadata. */
export const TILE_STATS_SCHEMA_VERSION = 1;

export interface StatsTableOptions {
  /** @default 'zstd' */
  compression?: ParquetCompression;
  /** Extra key-value metadata, e.g. `{ 'tessera:crs': 'EPSG:32633' }` so readers can interpret the bbox columns. */
  keyValueMetadata?: Record<string, string>;
}

/**
 * Object key (or path) of the file holding one scene × product partition:
 * `<tableRoot>/scene=<scene>/product=<product>/part-0.parquet`, values percent-escaped. The name is fixed so a
 * retried write overwrites the same object instead of adding a duplicate part.
 * @throws StatsTableError when scene or product is empty.
 */
export function hiveKey(tableRoot: string, scene: string, product: string): string {
  return joinKey(tableRoot, partitionSegment('scene', scene), partitionSegment('product', product), 'part-0.parquet');
}

/**
 * Encodes the rows of one scene × product partition as a Parquet file (Arrow → parquet-wasm).
 * NaN statistics and bbox values are written as null. Zero rows give a valid file with the schema and no data.
 * @throws StatsTableError when rows mix scenes or products, a pixel field is not a non-negative int32,
 *   width/height is 0, validCount exceeds count, a bbox value is infinite, or bloomFraction is outside [0, 1].
 */
export function statsTableToParquet(rows: TileStatsRow[], opts: StatsTableOptions = {}): Uint8Array {
  rows.forEach(checkRow);
  checkSinglePartition(rows);
  const n = rows.length;
  const int = (name: string, pick: (r: TileStatsRow) => number): NamedColumn => {
    const values = new Int32Array(n);
    for (let i = 0; i < n; i++) values[i] = pick(rows[i]);
    return int32Column(name, values);
  };
  const opt = (name: string, pick: (r: TileStatsRow) => number | null): NamedColumn =>
    nullableFloat64Column(name, rows.map(pick));
  // Order must match TILE_STATS_COLUMNS.
  const columns = [
    int('tile_col', (r) => r.tileCol),
    int('tile_row', (r) => r.tileRow),
    int('x', (r) => r.x),
    int('y', (r) => r.y),
    int('width', (r) => r.width),
    int('height', (r) => r.height),
    opt('bbox_min_x', (r) => r.bboxMinX),
    opt('bbox_min_y', (r) => r.bboxMinY),
    opt('bbox_max_x', (r) => r.bboxMaxX),
    opt('bbox_max_y', (r) => r.bboxMaxY),
    int('count', (r) => r.count),
    int('valid_count', (r) => r.validCount),
    opt('min', (r) => r.min),
    opt('max', (r) => r.max),
    opt('mean', (r) => r.mean),
    opt('std', (r) => r.std),
    opt('p2', (r) => r.p2),
    opt('p50', (r) => r.p50),
    opt('p98', (r) => r.p98),
    opt('bloom_fraction', (r) => r.bloomFraction),
  ];
  const table = columnsToTable(columns);
  return arrowTableToParquet(table, {
    compression: opts.compression ?? 'zstd',
    keyValueMetadata: { ...opts.keyValueMetadata, 'tessera:tile_stats_schema': String(TILE_STATS_SCHEMA_VERSION) },
  });
}

const INT32_MAX = 2 ** 31 - 1;

function checkRow(r: TileStatsRow, i: number): void {
  const nonNegInt = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 0 || v > INT32_MAX) {
      throw new StatsTableError(`row ${i} (tile ${r.tileCol},${r.tileRow}): ${name} = ${v} is not an int32 >= 0`);
    }
  };
  nonNegInt('tileCol', r.tileCol);
  nonNegInt('tileRow', r.tileRow);
  nonNegInt('x', r.x);
  nonNegInt('y', r.y);
  nonNegInt('width', r.width);
  nonNegInt('height', r.height);
  nonNegInt('count', r.count);
  nonNegInt('validCount', r.validCount);
  if (r.width === 0 || r.height === 0) {
    throw new StatsTableError(`row ${i} (tile ${r.tileCol},${r.tileRow}): empty window ${r.width}x${r.height}`);
  }
  if (r.validCount > r.count) {
    throw new StatsTableError(`row ${i} (tile ${r.tileCol},${r.tileRow}): validCount ${r.validCount} > count ${r.count}`);
  }
  for (const [name, v] of [['bboxMinX', r.bboxMinX], ['bboxMinY', r.bboxMinY], ['bboxMaxX', r.bboxMaxX], ['bboxMaxY', r.bboxMaxY]] as const) {
    if (v === Infinity || v === -Infinity) throw new StatsTableError(`row ${i} (tile ${r.tileCol},${r.tileRow}): ${name} = ${v} is not finite`);
  }
  const bf = r.bloomFraction;
  if (bf !== null && !Number.isNaN(bf) && !(bf >= 0 && bf <= 1)) {
    throw new StatsTableError(`row ${i} (tile ${r.tileCol},${r.tileRow}): bloomFraction ${bf} outside [0, 1]`);
  }
}

// A file is one partition: a row of another scene or product would be attributed to this file's path by readers.
function checkSinglePartition(rows: TileStatsRow[]): void {
  if (rows.length === 0) return;
  const { scene, product } = rows[0];
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].scene !== scene || rows[i].product !== product) {
      throw new StatsTableError(
        `row ${i} is scene=${rows[i].scene} product=${rows[i].product}, row 0 is scene=${scene} product=${product}: one file per partition`,
      );
    }
  }
}
