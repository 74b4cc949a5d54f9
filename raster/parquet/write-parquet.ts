/**
 * Arrow table → Parquet bytes through parquet-wasm (the Rust `parquet` crate compiled to WASM). The node build
 * of parquet-wasm instantiates its module synchronously at require time, so no init() call is needed here.
 */
import { DataType, tableToIPC, type Table } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';

/** Codec for every column. */
export type ParquetCompression = 'zstd' | 'snappy' | 'none';

export interface ParquetWriteOptions {
  /** @default 'zstd' */
  compression?: ParquetCompression;
  /** Written as the file's key-value metadata (next to the ARROW:schema entry parquet-wasm adds). */
  keyValueMetadata?: Record<string, string>;
  /**
   * Rows per row group. Readers prune and parallelise by row group.
   * @default 1048576 (the parquet crate's default)
   */
  maxRowGroupRows?: number;
}

const CODECS: Record<ParquetCompression, Compression> = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  none: Compression.UNCOMPRESSED,
};

/**
 * Serialises an Arrow table to one Parquet file in memory. Arrow nullability decides REQUIRED vs OPTIONAL
 * columns; column statistics (min/max/null count) are written so readers can skip row groups. Integer columns
 * are dictionary-encoded (tile indices repeat), floating-point columns are not (see below).
 */
export function arrowTableToParquet(table: Table, opts: ParquetWriteOptions = {}): Uint8Array {
  // The WASM side owns these objects once built: writeParquet consumes both, so nothing is freed here.
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  let builder = new WriterPropertiesBuilder()
    .setCompression(CODECS[opts.compression ?? 'zstd'])
    .setCreatedBy('tessera (parquet-wasm)');
  if (opts.maxRowGroupRows !== undefined) builder = builder.setMaxRowGroupSize(opts.maxRowGroupRows);
  // Measured statistics are nearly all distinct, so a dictionary only adds an index per value until the writer
  // gives up on it: on 1M random doubles, turning it off made the column 3 % smaller and the write ~2x faster.
  for (const field of table.schema.fields) {
    if (DataType.isFloat(field.type)) builder = builder.setColumnDictionaryEnabled(field.name, false);
  }
  if (opts.keyValueMetadata !== undefined) {
    builder = builder.setKeyValueMetadata(new Map(Object.entries(opts.keyValueMetadata)));
  }
  return writeParquet(wasmTable, builder.build());
}
