import type { ObjectStore } from '../platform/storage/object-store';
import { readTilePartLayout, TILE_PART_HEAD_BYTES, type TilePartLayout } from '../raster/jobs/tile-part';

/** Tile parts read ahead of the one being assembled (each holds a reduced block of at most ~1 MB). */
export const PREFETCH_DEPTH = 8;

/** Reads the header of a tile part with one ranged read (plus a second one only for an unusually large header). */
export async function readTilePartHead(store: ObjectStore, uri: string, signal?: AbortSignal): Promise<{ layout: TilePartLayout; head: Uint8Array }> {
  const source = store.source(uri);
  try {
    let head = await source.fetch(0, TILE_PART_HEAD_BYTES, { signal });
    const len = head.byteLength >= 8 ? new DataView(head.buffer, head.byteOffset).getUint32(4, true) : 0;
    if (8 + len > head.byteLength && head.byteLength === TILE_PART_HEAD_BYTES) head = await source.fetch(0, 8 + len, { signal });
    return { layout: readTilePartLayout(uri, head), head };
  } finally {
    await source.close?.();
  }
}

/** Reads `[offset, offset+length)` of a tile part, reusing bytes already held in `head`. */
export async function readTilePartRange(store: ObjectStore, uri: string, head: Uint8Array, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  if (offset + length <= head.byteLength) return head.slice(offset, offset + length);
  const source = store.source(uri);
  try {
    return await source.fetch(offset, length, { signal });
  } finally {
    await source.close?.();
  }
}
