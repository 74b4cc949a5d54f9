/**
 * `listScenes`: every scene of a catalog source that passes the filters, as SceneRefs, whatever the source is
 * (see detect.ts for how its kind is told). Static sources (items, catalogs, collections) are filtered here
 * with compileFilters; a STAC API gets the filters in its search request. The total limit is applied here for
 * every kind.
 *
 * Order is deterministic: item-URI order for static catalogs, key order for prefixes and globs, server order
 * for APIs.
 */
import type { SceneFilters, SceneRef } from './scene-types';
import type { HttpRetryOptions } from '../storage/http-fetch';
import type { ObjectStore } from '../storage/object-store';
import { type ApiSearchOptions, searchApi } from './api-search';
import { type ResolvedSource, resolveSource } from './detect';
import { FilterError } from './errors';
import { compileFilters, parseDatetime } from './filters';
import { listObjects } from './object-listing';
import { sceneFromItem, sceneFromObject } from './scene-ref';
import { listStaticCatalog } from './static-catalog';

export { detectSource } from './detect';

/** Documents read at once from a static catalog. */
export const DEFAULT_CONCURRENCY = 8;

export interface ListScenesOptions {
  /** Documents (catalogs, items) read at once from a static catalog. @default DEFAULT_CONCURRENCY (8) */
  concurrency?: number;
  /** Stops the listing: the iterator throws the signal's reason at its next read. */
  signal?: AbortSignal;
  /**
   * Progress: called with the number of source pages read so far: search pages of an API, catalog and
   * collection documents of a static catalog, thousands of objects listed under a prefix.
   */
  onPage?(pages: number): void;
  /** Items per STAC API search page. @default 100 */
  pageSize?: ApiSearchOptions['pageSize'];
  /** Retries and timeouts of http(s) requests. @default httpFetch's defaults */
  http?: Omit<HttpRetryOptions, 'signal'>;
}

/**
 * Lists the scenes of `source` that pass `filters`, at most `filters.limit` of them.
 *
 * Nothing is read until iteration starts, and filters are checked before the first scene is listed: a
 * malformed datetime or limit, an unsupported CQL2 operator (where it is evaluated here), or a footprint,
 * collection or CQL2 filter on bare GeoTIFFs (a prefix, glob or .tif source, which carry no STAC metadata to
 * test) throw FilterError.
 * @throws FilterError, CatalogError and its subclasses (CatalogLoopError, BrokenLinkError, NotStacError,
 *   NoUsableAssetError, StacApiError), InvalidUriError, and the store's and httpFetch's errors.
 */
export function listScenes(store: ObjectStore, source: string, filters: SceneFilters, opts: ListScenesOptions = {}): AsyncIterable<SceneRef> {
  return {
    [Symbol.asyncIterator]: () => limited(list(store, source, filters, opts), filters.limit),
  };
}

async function* list(store: ObjectStore, source: string, filters: SceneFilters, opts: ListScenesOptions): AsyncGenerator<SceneRef> {
  const checked = checkFilters(filters);
  const read = { signal: opts.signal, http: opts.http };
  const resolved = await resolveSource(store, source, read);
  switch (resolved.kind) {
    case 'stac-api':
      yield* searchApi(store, resolved, checked, { ...read, pageSize: opts.pageSize, onPage: opts.onPage });
      return;
    case 'stac-catalog':
    case 'stac-collection':
      yield* listStaticCatalog(store, resolved.uri, resolved.doc, checked, {
        ...read,
        concurrency: Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY)),
        onPage: opts.onPage,
      });
      return;
    case 'stac-item':
      opts.onPage?.(1);
      if (compileFilters(checked)(resolved.doc)) yield sceneFromItem(resolved.doc, resolved.uri, checked.asset);
      return;
    case 'prefix':
    case 'glob':
      refuseStacFilters(checked, resolved);
      yield* byDatetime(listObjects(store, resolved.prefixUri, resolved.kind === 'glob' ? resolved.pattern : undefined, read), checked);
      return;
    case 'geotiff': {
      refuseStacFilters(checked, resolved);
      if (!resolved.uri.startsWith('http') && (await store.head(resolved.uri)) === undefined) {
        // Through get, so the store's own ObjectNotFoundError (naming the URI) is what the caller sees.
        await store.get(resolved.uri);
      }
      opts.onPage?.(1);
      yield* byDatetime(one(sceneFromObject(resolved.uri)), checked);
      return;
    }
  }
}

/** Validates and canonicalises the filters once, when iteration starts. */
function checkFilters(filters: SceneFilters): SceneFilters {
  const out: SceneFilters = { ...filters };
  if (filters.datetime !== undefined) out.datetime = parseDatetime(filters.datetime);
  if (filters.limit !== undefined && (!Number.isSafeInteger(filters.limit) || filters.limit < 1)) {
    throw new FilterError('--limit', String(filters.limit), 'expected a positive integer');
  }
  const b = filters.bbox;
  if (b !== undefined && (!Array.isArray(b) || b.length !== 4 || !b.every((n) => typeof n === 'number' && Number.isFinite(n)))) {
    throw new FilterError('--bbox', String(b), 'expected 4 numbers west,south,east,north');
  }
  return out;
}

/** Bare GeoTIFFs have a name and a date at most: a footprint, collection or property filter cannot hold. */
function refuseStacFilters(filters: SceneFilters, source: ResolvedSource & { kind: 'prefix' | 'glob' | 'geotiff' }): void {
  const where = source.kind === 'geotiff' ? source.uri : source.prefixUri;
  const why = `${where} is a ${source.kind === 'geotiff' ? 'GeoTIFF' : `${source.kind} of GeoTIFFs`} without STAC metadata; only --datetime (from dates in file names) and --limit apply`;
  if (filters.bbox) throw new FilterError('--bbox', filters.bbox.join(','), why);
  if (filters.collections) throw new FilterError('--collections', filters.collections.join(','), why);
  if (filters.filter !== undefined) throw new FilterError('--filter', JSON.stringify(filters.filter), why);
  if (filters.asset !== undefined) throw new FilterError('--asset', filters.asset, why);
}

/**
 * Scenes whose date (from the file name) overlaps `filters.datetime`; undated ones do not match. A name only
 * says the day, so the scene counts as spanning that whole UTC day.
 */
async function* byDatetime(scenes: AsyncIterable<SceneRef>, filters: SceneFilters): AsyncGenerator<SceneRef> {
  if (filters.datetime === undefined) return yield* scenes;
  const matches = compileFilters({ datetime: filters.datetime });
  for await (const s of scenes) {
    if (s.datetime === null) continue;
    const day = s.datetime.slice(0, 10);
    const properties = { datetime: null, start_datetime: `${day}T00:00:00Z`, end_datetime: `${day}T23:59:59.999Z` };
    if (matches({ type: 'Feature', id: s.id, properties })) yield s;
  }
}

async function* one<T>(x: T): AsyncGenerator<T> {
  yield x;
}

async function* limited(scenes: AsyncGenerator<SceneRef>, limit: number | undefined): AsyncGenerator<SceneRef> {
  if (limit === undefined) return yield* scenes;
  let n = 0;
  for await (const s of scenes) {
    yield s;
    if (++n >= limit) return;
  }
}
