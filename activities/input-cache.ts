import { Tiff } from '../raster/tiff/tiff';
import type { ObjectStore, ObjectVersion } from '../platform/storage/object-store';

/**
 * Parsed input headers, kept per worker process so the tile activities of a scene read the header once per worker
 * instead of once per tile. Small LRU: a worker only works on a few scenes at a time.
 */
export class InputCache {
  private readonly entries = new Map<string, Promise<Tiff>>();
  constructor(
    private readonly store: ObjectStore,
    private readonly capacity = 8,
  ) {}

  /**
   * @param expected the version seen at plan time (size, ETag/mtime): reads of an object that changed since fail
   *   with ObjectChangedError instead of mixing bytes of two versions.
   */
  open(uri: string, expected?: ObjectVersion): Promise<Tiff> {
    // Keyed by version too: a file rewritten in place under the same URI is a new entry, never the old header.
    const key = expected ? `${uri}\n${expected.sizeBytes}\n${expected.etag ?? ''}\n${expected.lastModified ?? ''}` : uri;
    const cached = this.entries.get(key);
    if (cached) this.entries.delete(key);
    const source = cached ? undefined : this.store.source(uri, expected ? { expected } : undefined);
    const entry = cached ?? Tiff.open(source!);
    // A failed open must not be cached (the next attempt, after an outage, reads again), and its file is closed.
    if (!cached) entry.catch(() => {
      this.entries.delete(key);
      void source?.close?.().catch(() => undefined);
    });
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      const evicted = this.entries.get(oldest);
      this.entries.delete(oldest);
      void evicted?.then((t) => t.source.close?.()).catch(() => undefined);
    }
    return entry;
  }

  /** Closes every cached source (at worker shutdown or the end of an in-process run). */
  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.then((t) => t.source.close?.()).catch(() => undefined)));
  }
}
