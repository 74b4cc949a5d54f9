/**
 * The intermediate object a tile job leaves for one product: its compressed full-resolution tile (ready to be
 * spliced into the COG as is), the 2x-reduced block the overviews are built from, and the tile's statistics.
 *
 * Layout: "TSPT" | uint32 LE header length | header JSON (UTF-8) | reduced block bytes | compressed tile bytes.
 * The header comes first so an assembler reads header + reduced block with two small ranged reads and loads the
 * compressed tile only when it writes it.
 */
import type { SampleType, TypedArray } from '../types';
import { viewSamples } from '../types';
import { TiffFormatError } from '../errors';

const MAGIC = 0x54505354; // "TSPT" little-endian

export interface TilePartHeader {
  version: 1;
  product: string;
  col: number;
  row: number;
  /** Statistics and counters of the tile (plain JSON). */
  stats: Record<string, number | null>;
  /** Counts of valid values in equal bins (raster/jobs/hab-tile.ts HISTOGRAM_*), for scene-level percentiles. */
  histogram?: number[];
  /** Reduced block (downsample2x of the padded tile), or null when the COG has no overviews. */
  half: { width: number; height: number; sampleType: SampleType; byteLength: number } | null;
  /** Extra arrays (previews) stored after the reduced block, each float32 `width*height`. */
  planes?: { names: string[]; width: number; height: number } | null;
  tileByteLength: number;
}

export interface TilePartLayout {
  header: TilePartHeader;
  headerEnd: number;
  halfOffset: number;
  planesOffset: number;
  tileOffset: number;
  totalBytes: number;
}

/** Bytes to read first: enough for any header we write. */
export const TILE_PART_HEAD_BYTES = 4096;

export function encodeTilePart(
  header: Omit<TilePartHeader, 'version' | 'tileByteLength' | 'half' | 'planes'>,
  tile: Uint8Array | null,
  half: { pixels: TypedArray; width: number; height: number; sampleType: SampleType } | null,
  planes?: { names: string[]; width: number; height: number; data: Float32Array[] },
): Uint8Array {
  const full: TilePartHeader = {
    version: 1,
    ...header,
    half: half ? { width: half.width, height: half.height, sampleType: half.sampleType, byteLength: half.pixels.byteLength } : null,
    planes: planes ? { names: planes.names, width: planes.width, height: planes.height } : null,
    tileByteLength: tile?.byteLength ?? 0,
  };
  const json = new TextEncoder().encode(JSON.stringify(full));
  // Pad the header so the reduced block starts 8-byte aligned (typed-array views need alignment).
  const headerEnd = align8(8 + json.byteLength);
  const planesBytes = planes ? planes.data.reduce((n, p) => n + p.byteLength, 0) : 0;
  const total = headerEnd + (full.half?.byteLength ?? 0) + planesBytes + full.tileByteLength;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, json.byteLength, true);
  out.set(json, 8);
  let at = headerEnd;
  if (half) {
    out.set(new Uint8Array(half.pixels.buffer, half.pixels.byteOffset, half.pixels.byteLength), at);
    at += half.pixels.byteLength;
  }
  if (planes) {
    for (const p of planes.data) {
      out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      at += p.byteLength;
    }
  }
  if (tile) out.set(tile, at);
  return out;
}

/** Parses the header from the first bytes of a tile part (at least TILE_PART_HEAD_BYTES or the whole object). */
export function readTilePartLayout(file: string, head: Uint8Array): TilePartLayout {
  if (head.byteLength < 8) throw new TiffFormatError('TRUNCATED', file, 'tile part shorter than its 8-byte prefix');
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new TiffFormatError('BAD_HEADER', file, 'not a tile part (bad magic)');
  const len = dv.getUint32(4, true);
  if (8 + len > head.byteLength) throw new TiffFormatError('TRUNCATED', file, `tile part header of ${len} bytes is cut short`);
  const header = JSON.parse(new TextDecoder().decode(head.subarray(8, 8 + len))) as TilePartHeader;
  const headerEnd = align8(8 + len);
  const halfOffset = headerEnd;
  const planesOffset = halfOffset + (header.half?.byteLength ?? 0);
  const planesBytes = header.planes ? header.planes.names.length * header.planes.width * header.planes.height * 4 : 0;
  const tileOffset = planesOffset + planesBytes;
  return { header, headerEnd, halfOffset, planesOffset, tileOffset, totalBytes: tileOffset + header.tileByteLength };
}

/** Views the reduced block of a part given its bytes (copied to an aligned buffer when needed). */
export function halfBlockFromBytes(layout: TilePartLayout, bytes: Uint8Array): TypedArray | null {
  if (!layout.header.half) return null;
  return viewSamples(layout.header.half.sampleType, aligned(bytes));
}

export function planesFromBytes(layout: TilePartLayout, bytes: Uint8Array): Float32Array[] {
  const p = layout.header.planes;
  if (!p) return [];
  const buf = aligned(bytes);
  const n = p.width * p.height;
  return p.names.map((_, i) => new Float32Array(buf.buffer, buf.byteOffset + i * n * 4, n));
}

function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
