import { open, type FileHandle } from 'node:fs/promises';

/**
 * Random-access bytes: a local file, an object in S3 (ranged GET), a buffer in memory.
 * Declared here so the raster library depends on no storage package (the platform layer implements it for S3).
 */
export interface ByteSource {
  /** Path or URL, used in error messages. */
  readonly url: string;
  /** Total size in bytes, if known without a request. */
  size?(): Promise<number>;
  /**
   * Reads `length` bytes from `offset`. May return fewer bytes only when the range passes the end of the source
   * (callers treat a short read as a truncated file).
   *
   * Bytes that fill their whole ArrayBuffer are the caller's: it may keep them, write to them or transfer the
   * buffer to a thread (activities/process-tile.ts does), so a source must not keep or reuse such a buffer. A source
   * that hands out memory it keeps returns views that do not fill their buffer, and callers copy those before
   * changing or transferring them.
   */
  fetch(offset: number, length: number, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/** A ByteSource over a byte array (tests, small files already in memory). */
export class MemorySource implements ByteSource {
  constructor(
    readonly url: string,
    private readonly bytes: Uint8Array,
  ) {}
  async size(): Promise<number> {
    return this.bytes.byteLength;
  }
  async fetch(offset: number, length: number): Promise<Uint8Array> {
    const view = this.bytes.subarray(offset, Math.min(offset + length, this.bytes.byteLength));
    // A view of the whole buffer would be the caller's to keep or transfer (see ByteSource.fetch): copy that one.
    return view.byteLength > 0 && view.byteLength === view.buffer.byteLength ? new Uint8Array(view) : view;
  }
}

/** A ByteSource over a local file; the handle is opened on first use and kept until close(). */
export class FileSource implements ByteSource {
  private handle?: Promise<FileHandle>;
  /** Counts requests and bytes, so benchmarks and tests can check that nothing is read twice. */
  readonly stats = { requests: 0, bytes: 0 };
  /**
   * @param url how the file is named in errors (a path or a file:// URI)
   * @param path the local path to open
   * @default path url
   */
  constructor(
    readonly url: string,
    private readonly path: string = url,
  ) {}
  private fh(): Promise<FileHandle> {
    // A failed open is not cached: the next call tries again.
    this.handle ??= open(this.path, 'r').catch((err: unknown) => {
      this.handle = undefined;
      throw err;
    });
    return this.handle;
  }
  async size(): Promise<number> {
    return (await (await this.fh()).stat()).size;
  }
  async fetch(offset: number, length: number, opts?: { signal?: AbortSignal }): Promise<Uint8Array> {
    opts?.signal?.throwIfAborted();
    const fh = await this.fh();
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    this.stats.requests++;
    this.stats.bytes += done;
    return done === length ? buf : buf.subarray(0, done);
  }
  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    if (h) await (await h.catch(() => undefined))?.close();
  }
}
