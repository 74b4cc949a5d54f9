/**
 * The object-store contract every backend implements (fs.ts, s3.ts, memory.ts), so activities never know
 * where bytes live. All methods take URIs (see uri.ts); a store only accepts its own scheme.
 *
 * Semantics shared by every backend (the tests check them on each):
 * - Writes are atomic: `put` and `createWriter(...).commit()` make the whole object visible at once; a reader
 *   never sees a partial object, and an aborted writer leaves nothing behind.
 * - `list(prefix)` yields every object whose URI starts with `prefix` (an S3-style key prefix, recursive),
 *   in key order. Temporary files of writers in flight are never listed.
 * - `delete` of a missing object is not an error (as in S3).
 * - Missing objects throw `ObjectNotFoundError` from `get` and from `source().fetch/size`; `head` returns
 *   `undefined` instead.
 * - A source reads one version of an object: given `expected` (usually from `head`), or where the backend can
 *   tell on its own (http(s): the first response's validators), a read that sees another version throws
 *   `ObjectChangedError` rather than mixing bytes of two versions.
 */
import type { ByteSource } from '../../raster/source';

export interface ObjectInfo {
  /** Canonical URI of the object. */
  uri: string;
  sizeBytes: number;
  /** Entity tag as the backend reports it, quotes included (`"9b2c…"`, `W/"…"`); absent where there is none (fs). */
  etag?: string;
  /** Last modification time, ISO 8601 in UTC (`2024-05-01T12:00:00.000Z`); absent where unknown. */
  lastModified?: string;
}

/** The version of an object a reader expects, as `head` reported it. Fields left out are not checked. */
export interface ObjectVersion {
  sizeBytes: number;
  etag?: string;
  /** ISO 8601, as in ObjectInfo. */
  lastModified?: string;
}

export interface SourceOptions {
  /**
   * Read only this version: a source whose object is (or becomes) a different one throws ObjectChangedError.
   * @default no expectation (backends that can still pin the version of their first read do so)
   */
  expected?: ObjectVersion;
}

/** A ByteSource that counts its reads, so tests and benchmarks can check that nothing is read twice. */
export interface CountingByteSource extends ByteSource {
  readonly stats: { requests: number; bytes: number };
}

/** A streaming write. Nothing is visible under the URI before `commit()` resolves. */
export interface ObjectWriter {
  /** Appends bytes. Do not reuse `chunk` until the returned promise resolves. */
  write(chunk: ArrayBufferView): Promise<void>;
  /** Publishes the object atomically. The writer cannot be used afterwards. */
  commit(): Promise<ObjectInfo>;
  /** Discards everything written; safe to call more than once, and after a failed write or commit. */
  abort(): Promise<void>;
}

export interface PutOptions {
  /** MIME type stored with the object where the backend supports it (S3). */
  contentType?: string;
}

export interface ObjectStore {
  /**
   * Random-access reads of one object (one ranged request per `fetch`). Opens nothing until first use.
   * Reads throw ObjectChangedError when the object is not the version in `opts.expected`.
   */
  source(uri: string, opts?: SourceOptions): CountingByteSource;
  /** Reads a whole object. @throws ObjectNotFoundError */
  get(uri: string): Promise<Uint8Array>;
  /** Size (and, where the backend has them, ETag and modification time) of an object, or `undefined` if it does not exist. */
  head(uri: string): Promise<ObjectInfo | undefined>;
  /** Writes a whole object atomically, replacing any previous one. Strings are written as UTF-8. */
  put(uri: string, body: ArrayBufferView | string, opts?: PutOptions): Promise<ObjectInfo>;
  /** Starts a streaming, atomic write (see ObjectWriter). */
  createWriter(uri: string, opts?: PutOptions): Promise<ObjectWriter>;
  /** Every object under a prefix URI, recursively, in key order. */
  list(prefixUri: string): AsyncIterable<ObjectInfo>;
  /** Deletes one object; a missing object is not an error. */
  delete(uri: string): Promise<void>;
  /** Deletes every object `list(prefixUri)` would yield. */
  deletePrefix(prefixUri: string): Promise<void>;
}

/** Collects an async iterable (e.g. `store.list(prefix)`) into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Throws the signal's reason (an AbortError by default) if it is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}
