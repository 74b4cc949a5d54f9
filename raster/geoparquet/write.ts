/**
 * Water / bloom polygons → one GeoParquet 1.1 file (https://geoparquet.org/releases/v1.1.0/): a WKB `geometry`
 * column in the raster's CRS, the `geo` file metadata naming it (encoding, geometry types, PROJJSON CRS,
 * orientation, overall bbox) and a `bbox` covering column (struct xmin/ymin/xmax/ymax) that readers use to skip
 * row groups without decoding geometry.
 *
 * Columns, in order: id BIGINT, scene_id VARCHAR, datetime TIMESTAMP WITH TIME ZONE (µs, UTC), class VARCHAR
 * (water | bloom | a custom mask's name), area_m2 DOUBLE, pixel_count BIGINT, mean DOUBLE (null without a value
 * raster), max DOUBLE (same), bbox STRUCT, geometry BLOB (WKB Polygon or MultiPolygon).
 */
import { Binary, Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, Table, TimestampMicrosecond, Utf8, type Data, type DataType } from 'apache-arrow';
import { arrowTableToParquet, type ParquetCompression } from '../parquet/write-parquet';
import type { VectorClass, VectorFeature } from '../vector/features';
import { featureToWkb, geometryType } from '../vector/wkb';
import { GeoParquetInputError } from './errors';
import { projJsonFor, type ProjJson } from './projjson';

export const GEOPARQUET_VERSION = '1.1.0';

export interface GeoParquetInput {
  features: VectorFeature[];
  /** CRS of the features' coordinates; its PROJJSON goes into the `geo` metadata. */
  epsg: number;
  sceneId: string;
  /** Acquisition time of the scene, ISO 8601 with a zone (or a Date). */
  datetime: string | Date;
  class: VectorClass;
}

export interface GeoParquetOptions {
  /** @default 'zstd' */
  compression?: ParquetCompression;
  /** @default 65536: small row groups, so the bbox covering statistics can prune. */
  maxRowGroupRows?: number;
}

/** The `geo` file metadata as written (also what a reader should find). */
export interface GeoMetadata {
  version: string;
  primary_column: 'geometry';
  columns: {
    geometry: {
      encoding: 'WKB';
      geometry_types: string[];
      crs: ProjJson;
      orientation: 'counterclockwise';
      edges: 'planar';
      bbox?: [number, number, number, number];
      covering: { bbox: Record<'xmin' | 'ymin' | 'xmax' | 'ymax', ['bbox', string]> };
    };
  };
}

/** The `geo` metadata for these features. @throws UnknownCrsError for an EPSG code without PROJJSON. */
export function geoMetadata(features: VectorFeature[], epsg: number): GeoMetadata {
  const types = new Set(features.map(geometryType));
  let bbox: [number, number, number, number] | undefined;
  for (const f of features) {
    if (bbox === undefined) bbox = [...f.bbox];
    else {
      bbox[0] = Math.min(bbox[0], f.bbox[0]);
      bbox[1] = Math.min(bbox[1], f.bbox[1]);
      bbox[2] = Math.max(bbox[2], f.bbox[2]);
      bbox[3] = Math.max(bbox[3], f.bbox[3]);
    }
  }
  return {
    version: GEOPARQUET_VERSION,
    primary_column: 'geometry',
    columns: {
      geometry: {
        encoding: 'WKB',
        geometry_types: ['Polygon', 'MultiPolygon'].filter((t) => types.has(t as 'Polygon')),
        crs: projJsonFor(epsg),
        orientation: 'counterclockwise',
        edges: 'planar',
        ...(bbox ? { bbox } : {}),
        covering: { bbox: { xmin: ['bbox', 'xmin'], ymin: ['bbox', 'ymin'], xmax: ['bbox', 'xmax'], ymax: ['bbox', 'ymax'] } },
      },
    },
  };
}

/**
 * Serialises the features to GeoParquet bytes.
 * @throws GeoParquetInputError for an empty scene id or a datetime that does not parse; UnknownCrsError for an
 *   EPSG code raster/geo does not know.
 */
export function featuresToGeoParquet(input: GeoParquetInput, opts: GeoParquetOptions = {}): Uint8Array {
  if (!input.sceneId) throw new GeoParquetInputError('scene_id must not be empty');
  const ms = input.datetime instanceof Date ? input.datetime.getTime() : Date.parse(input.datetime);
  if (!Number.isFinite(ms)) throw new GeoParquetInputError(`datetime ${String(input.datetime)} is not an ISO 8601 time`);
  const meta = geoMetadata(input.features, input.epsg);
  const fs = input.features;
  const n = fs.length;
  const columns: [string, boolean, Data][] = [
    ['id', false, int64(fs.map((f) => f.id))],
    ['scene_id', false, utf8(fs.map(() => input.sceneId))],
    ['datetime', false, makeData({ type: new TimestampMicrosecond('UTC'), length: n, nullCount: 0, data: new BigInt64Array(n).fill(BigInt(ms) * 1000n) })],
    ['class', false, utf8(fs.map(() => input.class))],
    ['area_m2', false, float64(fs.map((f) => f.areaM2))],
    ['pixel_count', false, int64(fs.map((f) => f.pixelCount))],
    ['mean', true, nullableFloat64(fs.map((f) => f.mean))],
    ['max', true, nullableFloat64(fs.map((f) => f.max))],
    ['bbox', false, bboxStruct(fs)],
    ['geometry', false, binary(fs.map(featureToWkb))],
  ];
  const fields = columns.map(([name, nullable, data]) => new Field(name, data.type, nullable));
  const schema = new Schema(fields);
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children: columns.map(([, , d]) => d) });
  const table = new Table(schema, new RecordBatch(schema, struct));
  return arrowTableToParquet(table, {
    compression: opts.compression,
    maxRowGroupRows: opts.maxRowGroupRows ?? 65536,
    keyValueMetadata: { geo: JSON.stringify(meta) },
  });
}

function int64(values: number[]): Data<Int64> {
  return makeData({ type: new Int64(), length: values.length, nullCount: 0, data: BigInt64Array.from(values, (v) => BigInt(v)) });
}

function float64(values: number[]): Data<Float64> {
  return makeData({ type: new Float64(), length: values.length, nullCount: 0, data: Float64Array.from(values) });
}

function nullableFloat64(values: Array<number | null>): Data<Float64> {
  const n = values.length;
  // Arrow validity bitmap: bit i set = value i present, least significant bit first.
  const validity = new Uint8Array((n + 7) >> 3);
  const data = new Float64Array(n);
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null || Number.isNaN(v)) nullCount++;
    else {
      data[i] = v;
      validity[i >> 3] |= 1 << (i & 7);
    }
  });
  return makeData({ type: new Float64(), length: n, nullCount, data, nullBitmap: nullCount === 0 ? undefined : validity });
}

function offsetsOf(chunks: Uint8Array[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(chunks.length + 1);
  chunks.forEach((c, i) => (valueOffsets[i + 1] = valueOffsets[i] + c.byteLength));
  const data = new Uint8Array(valueOffsets[chunks.length]);
  chunks.forEach((c, i) => data.set(c, valueOffsets[i]));
  return { valueOffsets, data };
}

function utf8(values: string[]): Data<Utf8> {
  const enc = new TextEncoder();
  return makeData({ type: new Utf8(), length: values.length, nullCount: 0, ...offsetsOf(values.map((v) => enc.encode(v))) });
}

function binary(values: Uint8Array[]): Data<Binary> {
  return makeData({ type: new Binary(), length: values.length, nullCount: 0, ...offsetsOf(values) });
}

function bboxStruct(fs: VectorFeature[]): Data<Struct> {
  const names = ['xmin', 'ymin', 'xmax', 'ymax'];
  const children = names.map((_, k) => float64(fs.map((f) => f.bbox[k])));
  const fields = names.map((name, k) => new Field(name, children[k].type as DataType, false));
  return makeData({ type: new Struct(fields), length: fs.length, nullCount: 0, children });
}
