/**
 * In-memory object store (`memory://name/key`) with the same semantics as the real backends: atomic writes,
 * prefix listing in key order, ObjectNotFoundError on missing objects. Bytes are copied in and out, so callers
 * may reuse their buffers. Used by unit tests and by activities tested without a filesystem.
 */
import { InvalidUriError, ObjectNotFoundError } from './errors';
import {
  type CountingByteSource,
  type ObjectInfo,
  type ObjectStore,
  type ObjectWriter,
  type PutOptions,
  type SourceOptions,
  throwIfAborted,
} from './object-store';
import { concat, toBytes } from './bytes';
import { formatUri, parseUri } from './uri';

interface StoredObject {
  bytes: Uint8Array;
  contentType?: string;
}

export class MemoryObjectStore implements ObjectStore {
  /** Objects by canonical URI. */
  private readonly objects = new Map<string, StoredObject>();

  /** `opts.expected` is not checked: a memory object is only replaced by the test that owns it. */
  source(uri: string, _opts?: SourceOptions): CountingByteSource {
    const key = this.canonical(uri);
    const objects = this.objects;
    const find = (): StoredObject => {
      const obj = objects.get(key);
      if (!obj) throw new ObjectNotFoundError(key);
      return obj;
    };
    const stats = { requests: 0, bytes: 0 };
    return {
      url: key,
      stats,
      async size() {
        return find().bytes.byteLength;
      },
      async fetch(offset: number, length: number, opts?: { signal?: AbortSignal }) {
        throwIfAborted(opts?.signal);
        const { bytes } = find();
        const start = Math.min(offset, bytes.byteLength);
        const out = bytes.slice(start, Math.min(offset + length, bytes.byteLength));
        stats.requests++;
        stats.bytes += out.byteLength;
        return out;
      },
    };
  }

  async get(uri: string): Promise<Uint8Array> {
    const key = this.canonical(uri);
    const obj = this.objects.get(key);
    if (!obj) throw new ObjectNotFoundError(key);
    return obj.bytes.slice();
  }

  async head(uri: string): Promise<ObjectInfo | undefined> {
    const key = this.canonical(uri);
    const obj = this.objects.get(key);
    return obj ? { uri: key, sizeBytes: obj.bytes.byteLength } : undefined;
  }

  /** The content type stored with an object (for tests). */
  contentType(uri: string): string | undefined {
    return this.objects.get(this.canonical(uri))?.contentType;
  }

  async put(uri: string, body: ArrayBufferView | string, opts?: PutOptions): Promise<ObjectInfo> {
    const key = this.canonical(uri, true);
    const bytes = toBytes(body).slice();
    this.objects.set(key, { bytes, contentType: opts?.contentType });
    return { uri: key, sizeBytes: bytes.byteLength };
  }

  async createWriter(uri: string, opts?: PutOptions): Promise<ObjectWriter> {
    const key = this.canonical(uri, true);
    let chunks: Uint8Array[] | undefined = [];
    const closed = (): never => {
      throw new Error(`${key}: writer already committed or aborted`);
    };
    return {
      write: async (chunk) => {
        if (!chunks) closed();
        chunks!.push(toBytes(chunk).slice());
      },
      commit: async () => {
        if (!chunks) closed();
        const bytes = concat(chunks!);
        chunks = undefined;
        this.objects.set(key, { bytes, contentType: opts?.contentType });
        return { uri: key, sizeBytes: bytes.byteLength };
      },
      abort: async () => {
        chunks = undefined;
      },
    };
  }

  async *list(prefixUri: string): AsyncIterable<ObjectInfo> {
    const prefix = this.canonical(prefixUri);
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    for (const k of keys) {
      const obj = this.objects.get(k);
      if (obj) yield { uri: k, sizeBytes: obj.bytes.byteLength };
    }
  }

  async delete(uri: string): Promise<void> {
    this.objects.delete(this.canonical(uri, true));
  }

  async deletePrefix(prefixUri: string): Promise<void> {
    const prefix = this.canonical(prefixUri);
    for (const k of [...this.objects.keys()]) if (k.startsWith(prefix)) this.objects.delete(k);
  }

  private canonical(uri: string, objectKey = false): string {
    const p = parseUri(uri);
    if (p.scheme !== 'memory') throw new InvalidUriError(uri, 'the memory store only accepts memory:// URIs');
    if (objectKey && (p.key === '' || p.key.endsWith('/'))) {
      throw new InvalidUriError(uri, 'an object URI needs a key that does not end with "/"');
    }
    return formatUri(p);
  }
}

/** Byte-wise (UTF-16 code unit) order, which matches S3's UTF-8 order for the ASCII keys we write. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
