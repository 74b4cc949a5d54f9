/**
 * GDAL's COG byte layout (GDAL 3.6 COG driver, "Low level" section of its docs): header, ghost area, IFDs
 * (full resolution, then overviews large to small, each followed by its own out-of-line tag values), all
 * TileOffsets/TileByteCounts arrays, then tile data from the smallest overview to full resolution, row-major, each
 * tile framed by a 4-byte size leader and a copy of its last 4 bytes.
 */
import { TiffTag, TiffType } from '../tiff/const';
import {
  alignUp,
  ifdBlockByteLength,
  valueAlign,
  valueByteLength,
  writeIfdBlock,
  writeValues,
  type TagEntry,
} from './ifd-writer';

/**
 * The ghost area exactly as GDAL 3.6 writes it without a mask. The trailing space after the last newline is GDAL's:
 * it keeps room to flip KNOWN_INCOMPATIBLE_EDITION to YES in place.
 */
const GHOST_BODY =
  'LAYOUT=IFDS_BEFORE_DATA\n' +
  'BLOCK_ORDER=ROW_MAJOR\n' +
  'BLOCK_LEADER=SIZE_AS_UINT4\n' +
  'BLOCK_TRAILER=LAST_4_BYTES_REPEATED\n' +
  'KNOWN_INCOMPATIBLE_EDITION=NO\n ';

export const GHOST_AREA: string = `GDAL_STRUCTURAL_METADATA_SIZE=${String(GHOST_BODY.length).padStart(6, '0')} bytes\n${GHOST_BODY}`;

/** Largest offset a classic TIFF can store. */
export const CLASSIC_MAX_OFFSET = 0xffffffff;

export interface LevelTags {
  /** Every tag of the level's IFD except TileOffsets / TileByteCounts (added here). */
  entries: TagEntry[];
  /** Payload size of each tile, row-major (leader and trailer not included). */
  tileByteCounts: readonly number[];
}

export interface CogLayout {
  bigTiff: boolean;
  /** Header, ghost area, IFDs and tile arrays: everything before the first tile leader. */
  header: Uint8Array;
  /** Payload offset of each tile, per level (same order as the input). */
  tileOffsets: number[][];
  /** Total file size. */
  sizeBytes: number;
}

/** Size of a file with this content, without writing anything (to decide between classic TIFF and BigTIFF). */
export function cogFileSize(levels: readonly LevelTags[], bigTiff: boolean): number {
  return plan(levels, bigTiff).sizeBytes;
}

interface Plan {
  entries: TagEntry[][];
  ifdOffsets: number[];
  arrayOffsets: Map<number, number>[];
  headerSize: number;
  tileOffsets: number[][];
  sizeBytes: number;
}

function plan(levels: readonly LevelTags[], bigTiff: boolean): Plan {
  const a = valueAlign(bigTiff);
  const offsetType = bigTiff ? TiffType.Long8 : TiffType.Long;
  const inlineCap = bigTiff ? 8 : 4;
  const entries = levels.map((l) => {
    const placeholder = new Array<number>(l.tileByteCounts.length).fill(0);
    const all: TagEntry[] = [
      ...l.entries,
      { tag: TiffTag.TileOffsets, type: offsetType, values: placeholder, external: true },
      { tag: TiffTag.TileByteCounts, type: TiffType.Long, values: l.tileByteCounts, external: true },
    ];
    return all.sort((x, y) => x.tag - y.tag);
  });
  let p = alignUp((bigTiff ? 16 : 8) + GHOST_AREA.length, 2);
  const ifdOffsets: number[] = [];
  for (const e of entries) {
    p = alignUp(p, a);
    ifdOffsets.push(p);
    p += ifdBlockByteLength(e, bigTiff);
  }
  const arrayOffsets = entries.map((e) => {
    const m = new Map<number, number>();
    for (const t of e) {
      if (!t.external) continue;
      const len = valueByteLength(t);
      if (len <= inlineCap) {
        m.set(t.tag, 0);
        continue;
      }
      p = alignUp(p, a);
      m.set(t.tag, p);
      p += len;
    }
    return m;
  });
  const headerSize = p;
  const tileOffsets: number[][] = levels.map(() => []);
  for (let k = levels.length - 1; k >= 0; k--) {
    for (const n of levels[k].tileByteCounts) {
      tileOffsets[k].push(p + 4);
      p += n + 8;
    }
  }
  return { entries, ifdOffsets, arrayOffsets, headerSize, tileOffsets, sizeBytes: p };
}

/** Lays the file out and serialises everything before the tile data. */
export function buildCogLayout(levels: readonly LevelTags[], bigTiff: boolean): CogLayout {
  const pl = plan(levels, bigTiff);
  if (!bigTiff && pl.sizeBytes > CLASSIC_MAX_OFFSET) {
    throw new RangeError(`COG of ${pl.sizeBytes} bytes needs BigTIFF`);
  }
  const header = new Uint8Array(pl.headerSize);
  const view = new DataView(header.buffer);
  header[0] = 0x49; // 'II': little-endian
  header[1] = 0x49;
  if (bigTiff) {
    view.setUint16(2, 43, true);
    view.setUint16(4, 8, true);
    view.setUint16(6, 0, true);
    view.setBigUint64(8, BigInt(pl.ifdOffsets[0]), true);
  } else {
    view.setUint16(2, 42, true);
    view.setUint32(4, pl.ifdOffsets[0], true);
  }
  header.set(Buffer.from(GHOST_AREA, 'latin1'), bigTiff ? 16 : 8);
  pl.entries.forEach((entries, k) => {
    const offsets = pl.tileOffsets[k];
    const filled = entries.map((e) => (e.tag === TiffTag.TileOffsets ? { ...e, values: offsets } : e));
    const next = k + 1 < pl.ifdOffsets.length ? pl.ifdOffsets[k + 1] : 0;
    writeIfdBlock(view, pl.ifdOffsets[k], filled, bigTiff, next, pl.arrayOffsets[k]);
    for (const e of filled) {
      const at = pl.arrayOffsets[k].get(e.tag);
      if (e.external && at !== undefined && at !== 0) writeValues(view, at, e.type, e.values);
    }
  });
  return { bigTiff, header, tileOffsets: pl.tileOffsets, sizeBytes: pl.sizeBytes };
}
