/**
 * The bytes of a TIFF's header region (IFDs and tag values), fetched in few large requests: one read of
 * `READ_SIZE` at open, then one more only when an IFD or a tag value lies outside what is held.
 */
import { TiffFormatError } from '../errors';
import type { ByteSource } from '../source';

/** First read, and minimum size of any later header read: GDAL COG headers of 31-band scenes are ~12 KB. */
export const READ_SIZE = 64 * 1024;
/** Ranges closer than this are fetched as one request (reading a gap is cheaper than a round trip). */
const MERGE_GAP = 64 * 1024;

interface Chunk {
  offset: number;
  bytes: Uint8Array;
}

export class HeaderBytes {
  private readonly chunks: Chunk[] = [];
  /** Total file size: from `source.size()`, or learnt from a short read (a source only reads short at the end). */
  fileSize?: number;

  constructor(
    readonly source: ByteSource,
    private readonly signal?: AbortSignal,
  ) {}

  /** Bytes [offset, offset + length) if they are held, else undefined. */
  peek(offset: number, length: number): Uint8Array | undefined {
    for (const c of this.chunks) {
      if (offset >= c.offset && offset + length <= c.offset + c.bytes.length) {
        return c.bytes.subarray(offset - c.offset, offset - c.offset + length);
      }
    }
    return undefined;
  }

  /**
   * Bytes [offset, offset + length), fetching them (and at least READ_SIZE bytes) when not held.
   * @throws TiffFormatError TRUNCATED when the file ends first; `what` names the structure in the message.
   */
  async get(offset: number, length: number, what: string): Promise<Uint8Array> {
    const held = this.peek(offset, length);
    if (held) return held;
    this.checkInFile(offset, length, what);
    await this.fetchChunk(offset, Math.max(length, READ_SIZE), offset + length, what);
    return this.peek(offset, length)!;
  }

  /** Makes every range held, in as few requests as possible (ranges less than MERGE_GAP apart share one). */
  async loadAll(ranges: { offset: number; length: number; what: string }[]): Promise<void> {
    const missing = ranges.filter((r) => r.length > 0 && !this.peek(r.offset, r.length)).sort((a, b) => a.offset - b.offset);
    for (const r of missing) this.checkInFile(r.offset, r.length, r.what);
    const groups: { offset: number; end: number; what: string }[] = [];
    for (const r of missing) {
      const last = groups[groups.length - 1];
      if (last && r.offset - last.end <= MERGE_GAP) last.end = Math.max(last.end, r.offset + r.length);
      else groups.push({ offset: r.offset, end: r.offset + r.length, what: r.what });
    }
    await Promise.all(groups.map((g) => this.fetchChunk(g.offset, g.end - g.offset, g.end, g.what)));
  }

  /** Throws OUT_OF_BOUNDS when the range passes the known end of the file. */
  checkInFile(offset: number, length: number, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || (this.fileSize !== undefined && offset + length > this.fileSize)) {
      throw new TiffFormatError(
        'OUT_OF_BOUNDS',
        this.source.url,
        `${what} at offset ${offset} (${length} bytes) is outside the file (${this.fileSize ?? 'unknown'} bytes)`,
      );
    }
  }

  private async fetchChunk(offset: number, length: number, neededEnd: number, what: string): Promise<void> {
    if (this.fileSize !== undefined) length = Math.min(length, this.fileSize - offset);
    const bytes = await this.source.fetch(offset, length, { signal: this.signal });
    if (bytes.length < length) this.fileSize = offset + bytes.length;
    if (offset + bytes.length < neededEnd) {
      throw new TiffFormatError(
        'TRUNCATED',
        this.source.url,
        `file ends at ${offset + bytes.length} bytes, before the end of the ${what} at ${neededEnd}`,
      );
    }
    this.chunks.push({ offset, bytes });
  }
}
