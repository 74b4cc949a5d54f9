/**
 * Local-filesystem object store (`file:///abs/path`, or a plain path).
 *
 * Atomicity: `put` and writers write `<dir>/.<name>.<random>.partial` and `rename()` it over the target when
 * done. rename is atomic within one filesystem, so a reader sees the old object or the new one, never a
 * prefix of it; the data is fsync'ed first so a crash cannot publish an empty file. Temporary files are never
 * listed, and an aborted writer removes its own.
 */
import { randomBytes } from 'node:crypto';
import { type Dirent } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidUriError, ObjectChangedError, ObjectNotFoundError, StorageAccessError } from './errors';
import {
  type CountingByteSource,
  type ObjectInfo,
  type ObjectStore,
  type ObjectVersion,
  type ObjectWriter,
  type SourceOptions,
  throwIfAborted,
} from './object-store';
import { FileSource } from '../../raster/source';
import { toBytes } from './bytes';
import { formatUri, parseUri } from './uri';

/** Names of in-flight temporary files: `.<name>.<16 hex>.partial`. */
const PARTIAL_RE = /^\..+\.[0-9a-f]{16}\.partial$/;

export class FsObjectStore implements ObjectStore {
  source(uri: string, opts?: SourceOptions): CountingByteSource {
    const path = this.path(uri, true);
    return new FsByteSource(formatUri({ scheme: 'file', path }), path, opts?.expected);
  }

  async get(uri: string): Promise<Uint8Array> {
    const path = this.path(uri, true);
    try {
      const buf = await readFile(path);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      throw mapFsError(err, fileUri(path));
    }
  }

  async head(uri: string): Promise<ObjectInfo | undefined> {
    const path = this.path(uri, true);
    try {
      const st = await stat(path);
      // No etag: the size and mtime are all a file has to tell versions apart.
      return st.isFile() ? { uri: fileUri(path), sizeBytes: st.size, lastModified: st.mtime.toISOString() } : undefined;
    } catch (err) {
      const mapped = mapFsError(err, fileUri(path));
      if (mapped instanceof ObjectNotFoundError) return undefined;
      throw mapped;
    }
  }

  async put(uri: string, body: ArrayBufferView | string): Promise<ObjectInfo> {
    const writer = await this.createWriter(uri);
    try {
      await writer.write(toBytes(body));
      return await writer.commit();
    } catch (err) {
      await writer.abort();
      throw err;
    }
  }

  async createWriter(uri: string): Promise<ObjectWriter> {
    const path = this.path(uri, true);
    const objectUri = fileUri(path);
    const dir = dirname(path);
    const tmp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.partial`);
    let fh: FileHandle | undefined;
    try {
      await mkdir(dir, { recursive: true });
      fh = await open(tmp, 'wx');
    } catch (err) {
      throw mapFsError(err, objectUri);
    }
    return new FsWriter(objectUri, path, tmp, fh);
  }

  async *list(prefixUri: string): AsyncIterable<ObjectInfo> {
    const prefix = this.path(prefixUri, false);
    const files: string[] = [];
    await walk(prefix.endsWith('/') ? prefix : dirname(prefix), prefix, files, undefined, fileUri(prefix));
    files.sort(compare);
    for (const f of files) {
      try {
        const st = await stat(f);
        if (st.isFile()) yield { uri: fileUri(f), sizeBytes: st.size };
      } catch (err) {
        // Deleted between readdir and stat: it is simply no longer there.
        if (!(mapFsError(err, fileUri(f)) instanceof ObjectNotFoundError)) throw mapFsError(err, fileUri(f));
      }
    }
  }

  async delete(uri: string): Promise<void> {
    const path = this.path(uri, true);
    try {
      await unlink(path);
    } catch (err) {
      const mapped = mapFsError(err, fileUri(path));
      if (!(mapped instanceof ObjectNotFoundError)) throw mapped;
    }
  }

  async deletePrefix(prefixUri: string): Promise<void> {
    const prefix = this.path(prefixUri, false);
    const files: string[] = [];
    const dirs: string[] = [];
    await walk(prefix.endsWith('/') ? prefix : dirname(prefix), prefix, files, dirs, fileUri(prefix));
    for (const f of files) await this.delete(fileUri(f));
    // Remove the directories the prefix covers once they are empty, deepest first.
    dirs.sort((a, b) => b.length - a.length);
    for (const d of dirs) {
      if (!`${d}/`.startsWith(prefix)) continue;
      try {
        await rmdir(d);
      } catch {
        // Not empty (an in-flight writer's temporary file, or a file written meanwhile): keep it.
      }
    }
  }

  private path(uri: string, objectKey: boolean): string {
    const p = parseUri(uri);
    if (p.scheme !== 'file') throw new InvalidUriError(uri, 'the filesystem store only accepts file:// URIs or paths');
    if (objectKey && p.path.endsWith('/')) throw new InvalidUriError(uri, 'an object URI cannot end with "/"');
    return p.path;
  }
}

class FsWriter implements ObjectWriter {
  private position = 0;
  private done = false;
  constructor(
    private readonly uri: string,
    private readonly path: string,
    private readonly tmp: string,
    private fh: FileHandle | undefined,
  ) {}

  async write(view: ArrayBufferView): Promise<void> {
    const fh = this.open();
    const chunk = toBytes(view);
    // Explicit positions keep chunks in call order even if a caller does not await each write.
    const at = this.position;
    this.position += chunk.byteLength;
    try {
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done, at + done);
        done += bytesWritten;
      }
    } catch (err) {
      throw mapFsError(err, this.uri);
    }
  }

  async commit(): Promise<ObjectInfo> {
    const fh = this.open();
    this.done = true;
    try {
      await fh.sync();
      await fh.close();
      this.fh = undefined;
      await rename(this.tmp, this.path);
    } catch (err) {
      await this.cleanup();
      throw mapFsError(err, this.uri);
    }
    return { uri: this.uri, sizeBytes: this.position };
  }

  async abort(): Promise<void> {
    this.done = true;
    await this.cleanup();
  }

  private open(): FileHandle {
    if (this.done || !this.fh) throw new Error(`${this.uri}: writer already committed or aborted`);
    return this.fh;
  }

  private async cleanup(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
    await unlink(this.tmp).catch(() => undefined);
  }
}

/**
 * Ranged reads of one file (raster FileSource), with errors mapped to the store's typed errors. Given an
 * expected version, the file's size and mtime are checked once, before the first read.
 */
export class FsByteSource extends FileSource implements CountingByteSource {
  private verified?: Promise<void>;

  constructor(
    url: string,
    private readonly filePath: string,
    private readonly expected?: ObjectVersion,
  ) {
    super(url, filePath);
  }

  override async size(): Promise<number> {
    try {
      await this.verify();
      return await super.size();
    } catch (err) {
      throw mapFsError(err, this.url);
    }
  }

  override async fetch(offset: number, length: number, opts?: { signal?: AbortSignal }): Promise<Uint8Array> {
    try {
      await this.verify();
      return await super.fetch(offset, length, opts);
    } catch (err) {
      if (opts?.signal?.aborted) throw err;
      throw mapFsError(err, this.url);
    }
  }

  /** @throws ObjectChangedError when the file is not the expected version. */
  private verify(): Promise<void> {
    const expected = this.expected;
    if (!expected) return Promise.resolve();
    this.verified ??= stat(this.filePath).then((st) => {
      if (st.size !== expected.sizeBytes) throw new ObjectChangedError(this.url, 'size', expected.sizeBytes, st.size);
      const mtime = st.mtime.toISOString();
      if (expected.lastModified !== undefined && expected.lastModified !== mtime) {
        throw new ObjectChangedError(this.url, 'Last-Modified', expected.lastModified, mtime);
      }
    });
    // A missing file is checked again next time; a changed one stays changed.
    this.verified.catch((err: unknown) => {
      if (!(err instanceof ObjectChangedError)) this.verified = undefined;
    });
    return this.verified;
  }
}

/**
 * Collects files under `dir` whose path starts with `prefix`, skipping writers' temporary files and
 * directories that cannot contain a match.
 */
async function walk(dir: string, prefix: string, files: string[], dirs: string[] | undefined, uri: string): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const mapped = mapFsError(err, uri);
    if (mapped instanceof ObjectNotFoundError) return;
    throw mapped;
  }
  const base = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  dirs?.push(base);
  for (const e of entries) {
    const full = `${base}/${e.name}`;
    if (e.isDirectory()) {
      const asDir = `${full}/`;
      if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) await walk(full, prefix, files, dirs, uri);
    } else if ((e.isFile() || e.isSymbolicLink()) && full.startsWith(prefix) && !PARTIAL_RE.test(e.name)) {
      files.push(full);
    }
  }
}

function fileUri(path: string): string {
  return formatUri({ scheme: 'file', path });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Filesystem errors to storage errors; anything unexpected stays a plain (retryable) error. */
export function mapFsError(err: unknown, uri: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EISDIR':
      return new ObjectNotFoundError(uri, { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StorageAccessError(uri, `permission denied (${code})`, { cause: err });
    default:
      return err;
  }
}
