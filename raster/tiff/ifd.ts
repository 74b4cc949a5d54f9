/**
 * Image File Directories: the entry table of one IFD (classic or BigTIFF), and typed access to its values
 * once `valueRanges` of the tags we use have been loaded into the header bytes.
 */
import { RasterLimitError, TiffFormatError } from '../errors';
import { TIFF_TYPE_SIZE, TiffTag } from './const';
import type { HeaderBytes } from './header-bytes';
import { checkEntry, decodeOffsets, decodeValue, readUint64, tagName, type TagEntry, type TagValue } from './tag';

/** More entries than any real IFD has (GDAL writes ~25); bounds the work a hostile count can cause. */
const MAX_ENTRIES = 4096;

export interface Ifd {
  offset: number;
  entries: Map<number, TagEntry>;
  /** Offset of the next IFD, 0 at the end of the chain. */
  next: number;
}

/** Tags whose values the reader uses; only these are fetched. */
export const USED_TAGS: readonly number[] = [
  TiffTag.NewSubfileType, TiffTag.ImageWidth, TiffTag.ImageLength, TiffTag.BitsPerSample, TiffTag.Compression,
  TiffTag.SamplesPerPixel, TiffTag.RowsPerStrip, TiffTag.PlanarConfiguration, TiffTag.Predictor,
  TiffTag.TileWidth, TiffTag.TileLength, TiffTag.SampleFormat, TiffTag.StripOffsets, TiffTag.StripByteCounts,
  TiffTag.TileOffsets, TiffTag.TileByteCounts, TiffTag.ModelPixelScale, TiffTag.ModelTiepoint,
  TiffTag.ModelTransformation, TiffTag.GeoKeyDirectory, TiffTag.GeoDoubleParams, TiffTag.GeoAsciiParams,
  TiffTag.GdalMetadata, TiffTag.GdalNodata,
];

/** Reads the entry table of the IFD at `offset`. */
export async function readIfd(hb: HeaderBytes, offset: number, bigTiff: boolean, le: boolean): Promise<Ifd> {
  const file = hb.source.url;
  const countSize = bigTiff ? 8 : 2;
  const entrySize = bigTiff ? 20 : 12;
  const head = await hb.get(offset, countSize, `IFD count at ${offset}`);
  const hv = new DataView(head.buffer, head.byteOffset, countSize);
  const count = bigTiff ? readUint64(hv, 0, le) : hv.getUint16(0, le);
  if (count === 0 || count > MAX_ENTRIES) {
    throw new TiffFormatError('BAD_HEADER', file, `IFD at offset ${offset} declares ${count} entries`);
  }
  const tableLength = count * entrySize + (bigTiff ? 8 : 4);
  const table = await hb.get(offset + countSize, tableLength, `IFD at offset ${offset} (${count} entries)`);
  const v = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const entries = new Map<number, TagEntry>();
  for (let i = 0; i < count; i++) {
    const at = i * entrySize;
    const id = v.getUint16(at, le);
    const type = v.getUint16(at + 2, le);
    const n = bigTiff ? readUint64(v, at + 4, le) : v.getUint32(at + 4, le);
    const size = TIFF_TYPE_SIZE[type] ?? 0;
    const byteLength = n * size;
    const fieldAt = at + (bigTiff ? 12 : 8);
    // Values that fit the 4-byte (8 in BigTIFF) field are stored in it; others are at the offset it holds.
    const inline = byteLength <= (bigTiff ? 8 : 4);
    const valueOffset = inline
      ? offset + countSize + fieldAt
      : bigTiff
        ? readUint64(v, fieldAt, le)
        : v.getUint32(fieldAt, le);
    if (!entries.has(id)) entries.set(id, { id, type, count: n, valueOffset, byteLength });
  }
  const nextAt = count * entrySize;
  const next = bigTiff ? readUint64(v, nextAt, le) : v.getUint32(nextAt, le);
  return { offset, entries, next };
}

/** Byte ranges of the values of `tags` in this IFD (for one batched load). Checks types and sizes first. */
export function valueRanges(hb: HeaderBytes, ifd: Ifd, tags: readonly number[]): { offset: number; length: number; what: string }[] {
  const out: { offset: number; length: number; what: string }[] = [];
  for (const id of tags) {
    const e = ifd.entries.get(id);
    if (!e) continue;
    checkEntry(hb.source.url, e, hb.fileSize);
    out.push({ offset: e.valueOffset, length: e.byteLength, what: `${tagName(id)} value` });
  }
  return out;
}

/** Typed access to one IFD's tag values; the values must already be held by the header bytes. */
export class TagSet {
  private readonly file: string;
  constructor(
    private readonly hb: HeaderBytes,
    readonly ifd: Ifd,
    private readonly le: boolean,
  ) {
    this.file = hb.source.url;
  }

  has(id: number): boolean {
    return this.ifd.entries.has(id);
  }

  private bytes(e: TagEntry): Uint8Array {
    checkEntry(this.file, e, this.hb.fileSize);
    const b = this.hb.peek(e.valueOffset, e.byteLength);
    if (!b) throw new TiffFormatError('TRUNCATED', this.file, `${tagName(e.id)} value at offset ${e.valueOffset} is not in the file`);
    return b;
  }

  value(id: number): TagValue | undefined {
    const e = this.ifd.entries.get(id);
    return e ? decodeValue(this.file, e, this.bytes(e), this.le) : undefined;
  }

  /** Numeric values of a tag; throws BAD_TAG when the tag is ASCII or empty. */
  nums(id: number): number[] | undefined {
    const v = this.value(id);
    if (v === undefined) return undefined;
    if (typeof v === 'string' || v.length === 0) {
      throw new TiffFormatError('BAD_TAG', this.file, `${tagName(id)} should hold numbers, found ${typeof v === 'string' ? 'text' : 'no value'}`);
    }
    return v;
  }

  /** First value of a numeric tag. */
  num(id: number): number | undefined {
    return this.nums(id)?.[0];
  }

  /** Text value of an ASCII tag. */
  str(id: number): string | undefined {
    const v = this.value(id);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new TiffFormatError('BAD_TAG', this.file, `${tagName(id)} should hold text`);
    return v;
  }

  /** A block offsets/byte counts array; `expected` entries must be present. */
  offsets(id: number, expected: number): Float64Array {
    const e = this.ifd.entries.get(id);
    if (!e) throw new TiffFormatError('BAD_TAG', this.file, `${tagName(id)} is missing`);
    if (e.count < expected) {
      throw new TiffFormatError('BAD_TAG', this.file, `${tagName(id)} has ${e.count} entries, expected ${expected}`);
    }
    if (expected > MAX_BLOCKS) throw new RasterLimitError(this.file, `${expected} blocks per image, over the ${MAX_BLOCKS} limit`);
    return decodeOffsets(this.file, e, this.bytes(e), this.le);
  }
}

/** Most blocks one image may have (16M: e.g. a 1M x 1M pixel image in 256 px tiles). */
export const MAX_BLOCKS = 1 << 24;
