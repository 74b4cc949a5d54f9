/**
 * Serialises TIFF / BigTIFF IFDs (little-endian). An IFD block is the directory followed by the values of its
 * entries that do not fit inline; entries marked `external` (the tile offset/count arrays) point at values the
 * caller places elsewhere, which is how GDAL's COG layout groups all tile arrays after the last IFD.
 */
import { TIFF_TYPE_SIZE, TiffType } from '../tiff/const';

export interface TagEntry {
  tag: number;
  type: TiffType;
  /** Numbers for numeric types; raw bytes (NUL included) for ASCII and BYTE. */
  values: ArrayLike<number>;
  /** Values live outside the IFD block at an offset given when writing. */
  external?: boolean;
}

/** Value alignment inside the header: TIFF asks word (2-byte) offsets, BigTIFF 8-byte. */
export function valueAlign(bigTiff: boolean): number {
  return bigTiff ? 8 : 2;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** UTF-8 bytes with the terminating NUL that TIFF ASCII counts include. */
export function asciiValue(text: string): Uint8Array {
  const b = Buffer.from(text, 'utf8');
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

export function valueByteLength(e: TagEntry): number {
  return e.values.length * TIFF_TYPE_SIZE[e.type];
}

function inlineCapacity(bigTiff: boolean): number {
  return bigTiff ? 8 : 4;
}

/** Bytes of the directory itself (count, entries, next-IFD offset). */
export function directoryByteLength(entryCount: number, bigTiff: boolean): number {
  return bigTiff ? 8 + 20 * entryCount + 8 : 2 + 12 * entryCount + 4;
}

/** Directory plus its out-of-line, non-external values, each aligned; a multiple of the alignment. */
export function ifdBlockByteLength(entries: readonly TagEntry[], bigTiff: boolean): number {
  const a = valueAlign(bigTiff);
  let n = alignUp(directoryByteLength(entries.length, bigTiff), a);
  for (const e of entries) {
    const len = valueByteLength(e);
    if (!e.external && len > inlineCapacity(bigTiff)) n += alignUp(len, a);
  }
  return n;
}

/** Writes `values` of one entry at `at` in little-endian order. */
export function writeValues(view: DataView, at: number, type: TiffType, values: ArrayLike<number>): void {
  const n = values.length;
  switch (type) {
    case TiffType.Byte:
    case TiffType.Ascii:
    case TiffType.Undefined:
    case TiffType.SByte:
      for (let i = 0; i < n; i++) view.setUint8(at + i, values[i] & 0xff);
      return;
    case TiffType.Short:
      for (let i = 0; i < n; i++) view.setUint16(at + 2 * i, values[i], true);
      return;
    case TiffType.SShort:
      for (let i = 0; i < n; i++) view.setInt16(at + 2 * i, values[i], true);
      return;
    case TiffType.Long:
    case TiffType.Ifd:
      for (let i = 0; i < n; i++) view.setUint32(at + 4 * i, values[i], true);
      return;
    case TiffType.SLong:
      for (let i = 0; i < n; i++) view.setInt32(at + 4 * i, values[i], true);
      return;
    case TiffType.Float:
      for (let i = 0; i < n; i++) view.setFloat32(at + 4 * i, values[i], true);
      return;
    case TiffType.Double:
      for (let i = 0; i < n; i++) view.setFloat64(at + 8 * i, values[i], true);
      return;
    case TiffType.Long8:
    case TiffType.Ifd8:
      for (let i = 0; i < n; i++) view.setBigUint64(at + 8 * i, BigInt(values[i]), true);
      return;
    default:
      throw new RangeError(`ifd-writer: cannot write field type ${type}`);
  }
}

/**
 * Writes the IFD block at `at`: entries must be sorted by tag. External entries take their value offset from
 * `externalOffsets` (by tag). Returns the number of bytes written (= ifdBlockByteLength).
 */
export function writeIfdBlock(
  view: DataView,
  at: number,
  entries: readonly TagEntry[],
  bigTiff: boolean,
  nextIfdOffset: number,
  externalOffsets: ReadonlyMap<number, number>,
): number {
  const a = valueAlign(bigTiff);
  const cap = inlineCapacity(bigTiff);
  const entrySize = bigTiff ? 20 : 12;
  let p = at;
  if (bigTiff) {
    view.setBigUint64(p, BigInt(entries.length), true);
    p += 8;
  } else {
    view.setUint16(p, entries.length, true);
    p += 2;
  }
  let valueAt = at + alignUp(directoryByteLength(entries.length, bigTiff), a);
  let prevTag = -1;
  for (const e of entries) {
    if (e.tag <= prevTag) throw new RangeError(`ifd-writer: tags must be strictly ascending (${prevTag} then ${e.tag})`);
    prevTag = e.tag;
    view.setUint16(p, e.tag, true);
    view.setUint16(p + 2, e.type, true);
    if (bigTiff) view.setBigUint64(p + 4, BigInt(e.values.length), true);
    else view.setUint32(p + 4, e.values.length, true);
    const field = p + (bigTiff ? 12 : 8);
    const len = valueByteLength(e);
    if (e.external) {
      const off = externalOffsets.get(e.tag);
      if (off === undefined) throw new RangeError(`ifd-writer: no offset for external tag ${e.tag}`);
      if (len <= cap) writeValues(view, field, e.type, e.values);
      else writeOffset(view, field, off, bigTiff);
    } else if (len <= cap) {
      writeValues(view, field, e.type, e.values);
    } else {
      writeValues(view, valueAt, e.type, e.values);
      writeOffset(view, field, valueAt, bigTiff);
      valueAt += alignUp(len, a);
    }
    p += entrySize;
  }
  writeOffset(view, p, nextIfdOffset, bigTiff);
  return valueAt - at;
}

function writeOffset(view: DataView, at: number, offset: number, bigTiff: boolean): void {
  if (bigTiff) view.setBigUint64(at, BigInt(offset), true);
  else view.setUint32(at, offset, true);
}
