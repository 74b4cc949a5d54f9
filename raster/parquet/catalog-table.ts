/**
 * The catalog table: one row per scene × product, the scene-level numbers a time series or a map needs without
 * opening a COG. Stored as Parquet in a hive layout under the output root,
 * `tables/catalog/scene=<sceneId>/product=<product>/part-0.parquet`, one small file per partition so that a
 * re-run of one scene × product replaces exactly its own file.
 *
 * `scene` and `product` are partition columns: they live in the path, and readers add them back, e.g. DuckDB
 * `read_parquet('<out>/tables/catalog/**\/*.parquet', hive_partitioning = true,
 * hive_types = {'scene': VARCHAR, 'product': VARCHAR})` (without `hive_types` an id like `20240101` reads as a DATE).
 * The file also records its product in the key-value metadata (`tessera:catalog`), so one file read on its own
 * still says what it holds.
 *
 * Column names and types are fixed by {@link CATALOG_COLUMNS}. Schema 2 added `polygon_count`; a catalog that still
 * holds schema-1 files reads with `union_by_name = true` in DuckDB (their count is NULL).
 */
import {
  DataType, Field, Int32, makeData, Precision, RecordBatch, Schema, Struct, Table, TimestampMillisecond, Utf8,
  tableFromIPC, type Data,
} from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { RasterError } from '../errors';
import { nullableFloat64Column, type NamedColumn } from './arrow-columns';
import { escapePartitionValue } from './hive-path';
import { arrowTableToParquet, type ParquetCompression } from './write-parquet';

/**
 * A catalog row or file that cannot be written or read: a missing id, a fraction outside [0, 1], a bbox that is
 * not lon/lat, rows of several partitions in one file, a file without the catalog's columns. The input is
 * wrong, so retrying cannot help.
 */
export class CatalogTableError extends RasterError {
  override readonly name = 'CatalogTableError';
  constructor(detail: string) {
    super('INVALID_ARGUMENT', 'catalog', detail);
  }
}

/** The numbers of one product of one scene. Areas are in km², fractions in [0, 1]. */
export interface CatalogRow {
  /** Scene id; also the `scene` partition value. */
  sceneId: string;
  /** Product name (e.g. `ndci`): the `product` partition value, not a column of the file. */
  product: string;
  /**
   * Acquisition time, RFC 3339. Stored as timestamp[ms, UTC], so decoding returns the `toISOString()` form
   * (`2024-07-01T10:30:00.000Z`) and drops anything below a millisecond. Null when the scene has no time.
   */
  datetime: string | null;
  /** WGS 84 footprint [west, south, east, north] in degrees; west > east crosses the antimeridian. Null when unknown. */
  bbox: [number, number, number, number] | null;
  /** CRS of the rasters, e.g. `EPSG:32633`; null when the scene has none. */
  crs: string | null;
  /** The run's partition key (which run or schedule slot wrote the row). */
  partitionKey: string;
  /** Version of the code that computed the row (package version or git describe). */
  codeVersion: string;
  /** Area of pixels with data. */
  validKm2: number;
  /** Area classified as water; null when the run computed no water mask. */
  waterKm2: number | null;
  /** Water area above the bloom threshold; null without ndci. */
  bloomKm2: number | null;
  /** bloomKm2 / waterKm2; null when either is null or there is no water. */
  bloomFraction: number | null;
  /** Valid pixels / all pixels of the scene. */
  validFraction: number;
  /** The product's statistics over its valid pixels; null when it has none. */
  mean: number | null;
  p50: number | null;
  p98: number | null;
  /**
   * Polygons vectorised from this partition (`--vectors`): water polygons on the water row, bloom polygons on the
   * ndci row, a custom mask's own on its row. Null (or absent) when the partition was not vectorised.
   */
  polygonCount?: number | null;
}

/** Arrow (and Parquet) type of a catalog column. */
export type CatalogColumnType = 'utf8' | 'timestamp[ms, UTC]' | 'float64' | 'int32';

/** The file's columns in order, with their type and whether they may hold nulls. */
export const CATALOG_COLUMNS: ReadonlyArray<{ name: string; type: CatalogColumnType; nullable: boolean }> = [
  { name: 'scene_id', type: 'utf8', nullable: false },
  { name: 'datetime', type: 'timestamp[ms, UTC]', nullable: true },
  { name: 'bbox_west', type: 'float64', nullable: true },
  { name: 'bbox_south', type: 'float64', nullable: true },
  { name: 'bbox_east', type: 'float64', nullable: true },
  { name: 'bbox_north', type: 'float64', nullable: true },
  { name: 'crs', type: 'utf8', nullable: true },
  { name: 'partition_key', type: 'utf8', nullable: false },
  { name: 'code_version', type: 'utf8', nullable: false },
  { name: 'valid_km2', type: 'float64', nullable: false },
  { name: 'water_km2', type: 'float64', nullable: true },
  { name: 'bloom_km2', type: 'float64', nullable: true },
  { name: 'bloom_fraction', type: 'float64', nullable: true },
  { name: 'valid_fraction', type: 'float64', nullable: false },
  { name: 'mean', type: 'float64', nullable: true },
  { name: 'p50', type: 'float64', nullable: true },
  { name: 'p98', type: 'float64', nullable: true },
  { name: 'polygon_count', type: 'int32', nullable: true },
];

/** Columns added after schema 1: a file of an older schema reads them as null. */
const LATER_COLUMNS: ReadonlySet<string> = new Set(['polygon_count']);

/** Hive partition columns, outermost first; they appear in the path, never in the file. */
export const CATALOG_PARTITION_COLUMNS = ['scene', 'product'] as const;

/** The table's folder under an output root. */
export const CATALOG_TABLE_DIR = 'tables/catalog';

/** Bumped when a column is added, removed or retyped; written to the file's key-value metadata. */
export const CATALOG_SCHEMA_VERSION = 2;

/**
 * One key-value entry, `{"product":…,"schema":…}`: parquet-wasm writes several entries in an order that changes
 * from process to process, and a file's bytes must not (re-runs and fault tests compare them).
 */
const META_KEY = 'tessera:catalog';

export interface CatalogTableOptions {
  /** @default 'zstd' */
  compression?: ParquetCompression;
}

/**
 * Path of one scene × product file relative to the output root:
 * `tables/catalog/scene=<sceneId>/product=<product>/part-0.parquet`, values percent-escaped (see hive-path.ts).
 * Callers join it to the root (a URI or a path). The name is fixed so a retried write replaces the same object.
 * @throws CatalogTableError when sceneId or product is empty.
 */
export function catalogPartitionKey(sceneId: string, product: string): string {
  if (sceneId.length === 0 || product.length === 0) throw new CatalogTableError(`scene id and product must not be empty (got "${sceneId}", "${product}")`);
  return `${CATALOG_TABLE_DIR}/scene=${escapePartitionValue(sceneId)}/product=${escapePartitionValue(product)}/part-0.parquet`;
}

/**
 * Reads the partition values back from a file's path or URI (anything ending in
 * `scene=<s>/product=<p>/part-N.parquet`), undoing the percent-escaping. Undefined for a path of another shape.
 */
export function parseCatalogPartition(path: string): { sceneId: string; product: string } | undefined {
  const m = /(?:^|\/)scene=([^/]+)\/product=([^/]+)\/[^/]+\.parquet$/.exec(path);
  if (!m) return undefined;
  try {
    return { sceneId: decodeURIComponent(m[1]), product: decodeURIComponent(m[2]) };
  } catch {
    return undefined;
  }
}

/**
 * Encodes the rows of one scene × product partition as Parquet (Arrow → parquet-wasm), ZSTD by default.
 * NaN in a nullable number is written as null. Zero rows give a valid file with the schema and no data.
 * @throws CatalogTableError when rows mix scenes or products, an id is empty, the datetime does not parse, the bbox
 *   is not lon/lat, an area is negative or not finite, or a fraction is outside [0, 1].
 */
export function encodeCatalogTable(rows: CatalogRow[], opts: CatalogTableOptions = {}): Uint8Array {
  rows.forEach(checkRow);
  checkSinglePartition(rows);
  const num = (name: string, pick: (r: CatalogRow) => number | null, nullable: boolean): NamedColumn => {
    const c = nullableFloat64Column(name, rows.map(pick));
    return { ...c, nullable };
  };
  const bbox = (i: number) => (r: CatalogRow) => (r.bbox === null ? null : r.bbox[i]);
  // Order must match CATALOG_COLUMNS.
  const columns: Column[] = [
    utf8Column('scene_id', rows.map((r) => r.sceneId), false),
    timestampMsColumn('datetime', rows.map((r) => (r.datetime === null ? null : Date.parse(r.datetime)))),
    num('bbox_west', bbox(0), true),
    num('bbox_south', bbox(1), true),
    num('bbox_east', bbox(2), true),
    num('bbox_north', bbox(3), true),
    utf8Column('crs', rows.map((r) => r.crs), true),
    utf8Column('partition_key', rows.map((r) => r.partitionKey), false),
    utf8Column('code_version', rows.map((r) => r.codeVersion), false),
    num('valid_km2', (r) => r.validKm2, false),
    num('water_km2', (r) => r.waterKm2, true),
    num('bloom_km2', (r) => r.bloomKm2, true),
    num('bloom_fraction', (r) => r.bloomFraction, true),
    num('valid_fraction', (r) => r.validFraction, false),
    num('mean', (r) => r.mean, true),
    num('p50', (r) => r.p50, true),
    num('p98', (r) => r.p98, true),
    int32Column('polygon_count', rows.map((r) => r.polygonCount ?? null)),
  ];
  const meta = JSON.stringify(rows.length > 0 ? { product: rows[0].product, schema: CATALOG_SCHEMA_VERSION } : { schema: CATALOG_SCHEMA_VERSION });
  return arrowTableToParquet(toTable(columns), { compression: opts.compression ?? 'zstd', keyValueMetadata: { [META_KEY]: meta } });
}

export interface DecodeCatalogOptions {
  /**
   * The product, when the caller knows it from the file's path (the hive partition, which wins). Otherwise it is
   * read from the file's `tessera:catalog` metadata.
   */
  product?: string;
}

/**
 * Decodes one catalog file written by {@link encodeCatalogTable} (or by any writer with the same columns; a UTC
 * timestamp of another unit is accepted and read to the millisecond).
 * @throws CatalogTableError when a column is missing or has another type, a required column holds a null, or the
 *   product is neither given nor recorded in the file (and the file has rows).
 */
export function decodeCatalogTable(bytes: Uint8Array, opts: DecodeCatalogOptions = {}): CatalogRow[] {
  let table: Table;
  try {
    table = tableFromIPC(readParquet(bytes).intoIPCStream());
  } catch (err) {
    throw new CatalogTableError(`not a readable Parquet file (${(err as Error).message ?? String(err)})`);
  }
  const col = new Map<string, (i: number) => unknown>();
  for (const spec of CATALOG_COLUMNS) {
    const field = table.schema.fields.find((f) => f.name === spec.name);
    const vector = table.getChild(spec.name);
    if ((!field || !vector) && LATER_COLUMNS.has(spec.name)) {
      col.set(spec.name, () => null);
      continue;
    }
    if (!field || !vector) throw new CatalogTableError(`file has no column ${spec.name}`);
    const got = typeName(field.type);
    if (got !== spec.type) throw new CatalogTableError(`column ${spec.name} is ${got}, expected ${spec.type}`);
    col.set(spec.name, (i) => vector.get(i));
  }
  const product = opts.product ?? recordedProduct(table.schema.metadata.get(META_KEY));
  if (table.numRows > 0 && (product === undefined || product === '')) {
    throw new CatalogTableError(`file does not record its product (${META_KEY}) and none was given`);
  }
  const rows: CatalogRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const get = (name: string): unknown => col.get(name)!(i);
    const required = <T>(name: string): T => {
      const v = get(name);
      if (v === null || v === undefined) throw new CatalogTableError(`row ${i}: required column ${name} is null`);
      return v as T;
    };
    const optNum = (name: string): number | null => (get(name) ?? null) as number | null;
    const w = optNum('bbox_west');
    const s = optNum('bbox_south');
    const e = optNum('bbox_east');
    const n = optNum('bbox_north');
    const ms = optNum('datetime');
    rows.push({
      sceneId: required<string>('scene_id'),
      product: product!,
      datetime: ms === null ? null : new Date(ms).toISOString(),
      // A partly null bbox cannot be used as a footprint: it reads as no bbox.
      bbox: w === null || s === null || e === null || n === null ? null : [w, s, e, n],
      crs: (get('crs') ?? null) as string | null,
      partitionKey: required<string>('partition_key'),
      codeVersion: required<string>('code_version'),
      validKm2: required<number>('valid_km2'),
      waterKm2: optNum('water_km2'),
      bloomKm2: optNum('bloom_km2'),
      bloomFraction: optNum('bloom_fraction'),
      validFraction: required<number>('valid_fraction'),
      mean: optNum('mean'),
      p50: optNum('p50'),
      p98: optNum('p98'),
      polygonCount: optNum('polygon_count'),
    });
  }
  return rows;
}

type Column = { name: string; nullable: boolean; data: Data<DataType> };

function typeName(t: DataType): string {
  if (DataType.isUtf8(t)) return 'utf8';
  if (DataType.isFloat(t) && t.precision === Precision.DOUBLE) return 'float64';
  if (DataType.isInt(t) && t.bitWidth === 32 && t.isSigned) return 'int32';
  // We write milliseconds; other writers choose their own unit (DuckDB writes TIMESTAMPTZ as microseconds) and may
  // spell the zone `+00:00`. Arrow's getter returns epoch milliseconds for every unit, so any UTC timestamp reads.
  if (DataType.isTimestamp(t) && (t.timezone === 'UTC' || t.timezone === '+00:00')) {
    return 'timestamp[ms, UTC]';
  }
  return String(t);
}

function validityBitmap(present: boolean[]): { bitmap: Uint8Array | undefined; nullCount: number } {
  const bitmap = new Uint8Array((present.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < present.length; i++) {
    // Arrow validity: bit i set = value i present, least significant bit first.
    if (present[i]) bitmap[i >> 3] |= 1 << (i & 7);
    else nullCount++;
  }
  return { bitmap: nullCount === 0 ? undefined : bitmap, nullCount };
}

function utf8Column(name: string, values: Array<string | null>, nullable: boolean): Column {
  const encoder = new TextEncoder();
  const encoded = values.map((v) => (v === null ? new Uint8Array(0) : encoder.encode(v)));
  const valueOffsets = new Int32Array(values.length + 1);
  encoded.forEach((b, i) => (valueOffsets[i + 1] = valueOffsets[i] + b.length));
  const data = new Uint8Array(valueOffsets[values.length]);
  encoded.forEach((b, i) => data.set(b, valueOffsets[i]));
  const { bitmap, nullCount } = validityBitmap(values.map((v) => v !== null));
  return { name, nullable, data: makeData({ type: new Utf8(), length: values.length, nullCount, nullBitmap: bitmap, valueOffsets, data }) };
}

function int32Column(name: string, values: Array<number | null>): Column {
  const data = new Int32Array(values.length);
  values.forEach((v, i) => (data[i] = v ?? 0));
  const { bitmap, nullCount } = validityBitmap(values.map((v) => v !== null));
  return { name, nullable: true, data: makeData({ type: new Int32(), length: values.length, nullCount, nullBitmap: bitmap, data }) };
}

function timestampMsColumn(name: string, epochMs: Array<number | null>): Column {
  const data = new BigInt64Array(epochMs.length);
  epochMs.forEach((v, i) => (data[i] = BigInt(v ?? 0)));
  const { bitmap, nullCount } = validityBitmap(epochMs.map((v) => v !== null));
  return { name, nullable: true, data: makeData({ type: new TimestampMillisecond('UTC'), length: epochMs.length, nullCount, nullBitmap: bitmap, data }) };
}

function toTable(columns: Column[]): Table {
  const fields = columns.map((c) => new Field(c.name, c.data.type, c.nullable));
  const schema = new Schema(fields);
  const length = columns[0].data.length;
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map((c) => c.data) });
  return new Table(schema, new RecordBatch(schema, struct));
}

function checkRow(r: CatalogRow, i: number): void {
  const at = `row ${i} (scene ${r.sceneId}, product ${r.product})`;
  if (!r.sceneId || !r.product) throw new CatalogTableError(`${at}: sceneId and product must not be empty`);
  if (!r.partitionKey || !r.codeVersion) throw new CatalogTableError(`${at}: partitionKey and codeVersion must not be empty`);
  if (r.datetime !== null && !Number.isFinite(Date.parse(r.datetime))) throw new CatalogTableError(`${at}: datetime "${r.datetime}" is not RFC 3339`);
  if (r.bbox !== null) {
    const [w, s, e, n] = r.bbox;
    const lon = (v: number): boolean => Number.isFinite(v) && v >= -180 && v <= 180;
    const lat = (v: number): boolean => Number.isFinite(v) && v >= -90 && v <= 90;
    if (r.bbox.length !== 4 || !lon(w) || !lon(e) || !lat(s) || !lat(n) || s > n) {
      throw new CatalogTableError(`${at}: bbox [${r.bbox.join(', ')}] is not a WGS 84 [west, south, east, north]`);
    }
  }
  const area = (name: string, v: number | null, nullable: boolean): void => {
    if (v === null || Number.isNaN(v)) {
      if (!nullable) throw new CatalogTableError(`${at}: ${name} is required`);
    } else if (!Number.isFinite(v) || v < 0) {
      throw new CatalogTableError(`${at}: ${name} = ${v} is not an area >= 0`);
    }
  };
  area('validKm2', r.validKm2, false);
  area('waterKm2', r.waterKm2, true);
  area('bloomKm2', r.bloomKm2, true);
  const fraction = (name: string, v: number | null, nullable: boolean): void => {
    if (v === null || Number.isNaN(v)) {
      if (!nullable) throw new CatalogTableError(`${at}: ${name} is required`);
    } else if (!(v >= 0 && v <= 1)) {
      throw new CatalogTableError(`${at}: ${name} = ${v} is outside [0, 1]`);
    }
  };
  fraction('bloomFraction', r.bloomFraction, true);
  fraction('validFraction', r.validFraction, false);
  const n = r.polygonCount;
  if (n !== undefined && n !== null && !(Number.isInteger(n) && n >= 0 && n <= 0x7fffffff)) throw new CatalogTableError(`${at}: polygonCount = ${n} is not a whole number in 0..2^31-1`);
  for (const [name, v] of [['mean', r.mean], ['p50', r.p50], ['p98', r.p98]] as const) {
    if (v === Infinity || v === -Infinity) throw new CatalogTableError(`${at}: ${name} = ${v} is not finite`);
  }
}

// A file is one partition: a row of another scene or product would be attributed to this file's path by readers.
function checkSinglePartition(rows: CatalogRow[]): void {
  if (rows.length === 0) return;
  const { sceneId, product } = rows[0];
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].sceneId !== sceneId || rows[i].product !== product) {
      throw new CatalogTableError(
        `row ${i} is scene=${rows[i].sceneId} product=${rows[i].product}, row 0 is scene=${sceneId} product=${product}: one file per partition`,
      );
    }
  }
}

function recordedProduct(meta: string | undefined): string | undefined {
  if (meta === undefined) return undefined;
  try {
    const p = (JSON.parse(meta) as { product?: unknown }).product;
    return typeof p === 'string' ? p : undefined;
  } catch {
    return undefined;
  }
}
