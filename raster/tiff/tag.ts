/**
 * TIFF tag entries and their values: every field type of TIFF 6.0 and BigTIFF, read from header bytes
 * already held (see ifd.ts for when they are fetched).
 */
import { RasterLimitError, TiffFormatError } from '../errors';
import { TIFF_TYPE_SIZE, TiffTag, TiffType } from './const';

/** Largest tag value we read (guards allocations on hostile counts); a 1M-tile offsets array is 8 MB. */
export const MAX_TAG_BYTES = 256 * 1024 * 1024;

/** One IFD entry. `valueOffset` is where the value bytes are in the file, for inline values too. */
export interface TagEntry {
  id: number;
  type: number;
  count: number;
  valueOffset: number;
  /** count x type size; 0 for an unknown type. */
  byteLength: number;
}

export type TagValue = number[] | string;

/** "ImageWidth (256)", for messages. */
export function tagName(id: number): string {
  const name = (TiffTag as unknown as Record<number, string | undefined>)[id];
  return name ? `${name} (${id})` : `tag ${id}`;
}

/** Checks the entry's type and size before its value is read. */
export function checkEntry(file: string, e: TagEntry, fileSize: number | undefined): void {
  if (TIFF_TYPE_SIZE[e.type] === undefined) {
    throw new TiffFormatError('BAD_TAG', file, `${tagName(e.id)} has unknown field type ${e.type}`);
  }
  if (e.byteLength > MAX_TAG_BYTES) {
    throw new RasterLimitError(file, `${tagName(e.id)} holds ${e.count} values (${e.byteLength} bytes), over the ${MAX_TAG_BYTES}-byte limit`);
  }
  if (fileSize !== undefined && e.valueOffset + e.byteLength > fileSize) {
    throw new TiffFormatError(
      'OUT_OF_BOUNDS',
      file,
      `${tagName(e.id)} value at offset ${e.valueOffset} (${e.byteLength} bytes) passes the end of the file (${fileSize} bytes)`,
    );
  }
}

const utf8 = new TextDecoder('utf-8');

/** Decodes a value: ASCII as a string (trailing NULs removed), every other type as numbers. */
export function decodeValue(file: string, e: TagEntry, bytes: Uint8Array, le: boolean): TagValue {
  if (e.type === TiffType.Ascii) {
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    return utf8.decode(bytes.subarray(0, end));
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = e.count;
  const out = new Array<number>(n);
  switch (e.type) {
    case TiffType.Byte:
    case TiffType.Undefined:
      for (let i = 0; i < n; i++) out[i] = bytes[i];
      break;
    case TiffType.SByte:
      for (let i = 0; i < n; i++) out[i] = v.getInt8(i);
      break;
    case TiffType.Short:
      for (let i = 0; i < n; i++) out[i] = v.getUint16(i * 2, le);
      break;
    case TiffType.SShort:
      for (let i = 0; i < n; i++) out[i] = v.getInt16(i * 2, le);
      break;
    case TiffType.Long:
    case TiffType.Ifd:
      for (let i = 0; i < n; i++) out[i] = v.getUint32(i * 4, le);
      break;
    case TiffType.SLong:
      for (let i = 0; i < n; i++) out[i] = v.getInt32(i * 4, le);
      break;
    case TiffType.Rational:
      for (let i = 0; i < n; i++) out[i] = v.getUint32(i * 8, le) / v.getUint32(i * 8 + 4, le);
      break;
    case TiffType.SRational:
      for (let i = 0; i < n; i++) out[i] = v.getInt32(i * 8, le) / v.getInt32(i * 8 + 4, le);
      break;
    case TiffType.Float:
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(i * 4, le);
      break;
    case TiffType.Double:
      for (let i = 0; i < n; i++) out[i] = v.getFloat64(i * 8, le);
      break;
    case TiffType.Long8:
    case TiffType.Ifd8:
      for (let i = 0; i < n; i++) out[i] = readUint64(v, i * 8, le);
      break;
    case TiffType.SLong8:
      for (let i = 0; i < n; i++) out[i] = Number(v.getBigInt64(i * 8, le));
      break;
    default:
      throw new TiffFormatError('BAD_TAG', file, `${tagName(e.id)} has unknown field type ${e.type}`);
  }
  return out;
}

/**
 * Unsigned 64-bit value as a number. Values past 2^53 lose precision, which is harmless: as offsets or
 * byte counts they are far past the end of any file and fail the bounds checks.
 */
export function readUint64(v: DataView, at: number, le: boolean): number {
  const lo = v.getUint32(at + (le ? 0 : 4), le);
  const hi = v.getUint32(at + (le ? 4 : 0), le);
  return hi * 4294967296 + lo;
}

/** Decodes a block offsets/byte counts array (SHORT, LONG or LONG8, all allowed by BigTIFF). */
export function decodeOffsets(file: string, e: TagEntry, bytes: Uint8Array, le: boolean): Float64Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = e.count;
  const out = new Float64Array(n);
  switch (e.type) {
    case TiffType.Short:
      for (let i = 0; i < n; i++) out[i] = v.getUint16(i * 2, le);
      break;
    case TiffType.Long:
    case TiffType.Ifd:
      for (let i = 0; i < n; i++) out[i] = v.getUint32(i * 4, le);
      break;
    case TiffType.Long8:
    case TiffType.Ifd8:
      for (let i = 0; i < n; i++) out[i] = readUint64(v, i * 8, le);
      break;
    default:
      throw new TiffFormatError('BAD_TAG', file, `${tagName(e.id)} has field type ${e.type}; expected SHORT, LONG or LONG8`);
  }
  return out;
}
