/**
 * Listing a STAC API: item search with the filters in the request, paging through `next` links.
 * STAC API Item Search: https://github.com/radiantearth/stac-api-spec/tree/release/v1.0.0/item-search
 *
 * - `POST {search}` with a JSON body; a server that answers 405 gets the same search as `GET` with query
 *   parameters (and so does one whose landing page offers only a GET search link).
 * - A `next` link is followed as the spec says: `method` (@default GET), `headers`, and for POST its `body`,
 *   merged into the previous body when `merge` is true, else replacing it.
 * - `filter` is sent (with `filter-lang: cql2-json`) only to an API that declares the Filter extension in
 *   `conformsTo`. Others may ignore an unknown `filter` parameter (and return everything) or drop every item;
 *   for those the CQL2 expression is evaluated here on each returned item instead.
 * - The order is the server's. An item seen twice (same collection and id) is yielded once; a `next` link
 *   that repeats a page already read is an error rather than an endless loop.
 */
import type { SceneFilters, SceneRef } from './scene-types';
import { HttpStatusError, ObjectNotFoundError } from '../storage/errors';
import { type HttpRetryOptions, httpFetch } from '../storage/http-fetch';
import type { ObjectStore } from '../storage/object-store';
import { compileCql2, type ItemPredicate } from './cql2';
import { NotStacError, StacApiError } from './errors';
import { resolveHref } from './href';
import { readJson } from './read-json';
import { sceneFromItem } from './scene-ref';
import { type StacCatalog, type StacLink, isObject, isStacItem, linksOf } from './stac';

/** Items per search page. */
export const DEFAULT_PAGE_SIZE = 100;

const FILTER_CONFORMANCE_RE = /(item-search#filter|ogcapi-features-3\/1\.0\/conf\/(features-)?filter|\/conf\/cql2-json)$/;
const GEOJSON_ACCEPT = 'application/geo+json, application/json;q=0.9';

export interface ApiSearchOptions {
  /** Items per page asked of the server. @default DEFAULT_PAGE_SIZE */
  pageSize?: number;
  signal?: AbortSignal;
  http?: Omit<HttpRetryOptions, 'signal'>;
  /** Called after each page, with the number of pages read so far. */
  onPage?(pages: number): void;
}

export interface ApiSource {
  rootUri: string;
  searchUri: string;
  /** The landing page, when already read. */
  root?: StacCatalog;
}

interface SearchRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * Yields the scenes an API search returns, in server order, stopping after `filters.limit`.
 * @throws StacApiError when the search answers an error status (its `status` set) or a body that is not an
 *   ItemCollection, or a `next` link repeats a page; FilterError for a CQL2 filter the API cannot take and
 *   that cannot be evaluated here; NoUsableAssetError for an item without a GeoTIFF asset; transport errors
 *   of httpFetch (transient ones, after its retries) as they are.
 */
export async function* searchApi(store: ObjectStore, source: ApiSource, filters: SceneFilters, opts: ApiSearchOptions = {}): AsyncGenerator<SceneRef> {
  const root = source.root ?? (await readOptional(store, source.rootUri, opts));
  const conformsTo = await conformance(store, source.rootUri, root, opts);
  const serverFilters = filters.filter !== undefined && conformsTo.some((c) => FILTER_CONFORMANCE_RE.test(c));
  const local: ItemPredicate | undefined = filters.filter !== undefined && !serverFilters ? compileCql2(filters.filter) : undefined;
  const limit = filters.limit ?? Infinity;
  const pageSize = Math.max(1, Math.floor(opts.pageSize ?? DEFAULT_PAGE_SIZE));

  const body: Record<string, unknown> = {};
  if (filters.collections) body.collections = filters.collections;
  if (filters.bbox) body.bbox = filters.bbox;
  if (filters.datetime !== undefined) body.datetime = filters.datetime;
  if (serverFilters) {
    body.filter = filters.filter;
    body['filter-lang'] = 'cql2-json';
  }
  // With the filter evaluated here a page may yield fewer scenes than it has items, so ask for full pages.
  body.limit = local ? pageSize : Math.min(pageSize, limit);

  let request: SearchRequest | undefined = postAllowed(root) ? { method: 'POST', url: source.searchUri, body } : toGet(source.searchUri, body);
  const requested = new Set<string>();
  const seen = new Set<string>();
  let yielded = 0;
  let pages = 0;
  while (request) {
    const key = JSON.stringify([request.method, request.url, request.body ?? null]);
    if (requested.has(key)) throw new StacApiError(request.url, `the next link repeats a page already read (${describe(request)}); the server's paging is broken`);
    requested.add(key);

    let page: unknown;
    try {
      page = await send(request, opts);
    } catch (err) {
      // The spec allows a GET-only search; 405 is how a server says POST is not one of its methods.
      if (pages === 0 && request.method === 'POST' && err instanceof HttpStatusError && err.status === 405) {
        request = toGet(source.searchUri, body);
        continue;
      }
      throw apiError(request, err);
    }
    const features = isObject(page) ? page.features : undefined;
    if (!Array.isArray(features)) throw new StacApiError(request.url, 'search did not answer with an ItemCollection (no "features" array)');
    opts.onPage?.(++pages);

    for (const feature of features) {
      if (!isStacItem(feature)) throw new StacApiError(request.url, 'search returned a feature that is not a STAC item');
      const id = `${feature.collection ?? ''}\u0000${feature.id}`;
      if (seen.has(id)) continue;
      seen.add(id);
      if (local && !local(feature)) continue;
      yield sceneFromItem(feature, itemUriOf(feature, request.url, source.rootUri), filters.asset);
      if (++yielded >= limit) return;
    }
    request = features.length === 0 ? undefined : nextRequest(page, request);
  }
}

/** The request a `next` link stands for, or undefined at the last page. */
function nextRequest(page: unknown, prev: SearchRequest): SearchRequest | undefined {
  const next = linksOf(page).find((l) => l.rel === 'next');
  if (!next) return undefined;
  const url = resolveHref(prev.url, next.href);
  const headers = isObject(next.headers) ? (next.headers as Record<string, string>) : undefined;
  if ((next.method ?? 'GET').toUpperCase() !== 'POST') return { method: 'GET', url, headers };
  const linkBody = isObject(next.body) ? next.body : undefined;
  const body = next.merge ? { ...prev.body, ...linkBody } : (linkBody ?? prev.body);
  return { method: 'POST', url, body, headers };
}

/** The same search as query parameters (arrays comma-separated, the filter as JSON text). */
function toGet(searchUri: string, body: Record<string, unknown>): SearchRequest {
  const url = new URL(searchUri);
  for (const [k, v] of Object.entries(body)) {
    url.searchParams.set(k, Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return { method: 'GET', url: url.href };
}

async function send(req: SearchRequest, opts: ApiSearchOptions): Promise<unknown> {
  const headers: Record<string, string> = { accept: GEOJSON_ACCEPT, ...req.headers };
  const init: RequestInit = { method: req.method, headers, signal: opts.signal };
  if (req.method === 'POST') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(req.body ?? {});
  }
  const res = await httpFetch(req.url, init, { ...opts.http, signal: opts.signal });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StacApiError(req.url, `search answered with something that is not JSON (${(err as Error).message})`, res.status, { cause: err });
  }
}

/** HTTP failures of a search become StacApiError with the status; transport errors stay as they are. */
function apiError(req: SearchRequest, err: unknown): unknown {
  if (err instanceof HttpStatusError) return new StacApiError(req.url, `search (${req.method}) answered ${err.detail}`, err.status, { cause: err });
  if (err instanceof ObjectNotFoundError) return new StacApiError(req.url, `search (${req.method}) answered HTTP 404: no search endpoint here`, 404, { cause: err });
  return err;
}

/** The item's own URI: its `self` link, else where STAC API Features puts it. */
function itemUriOf(item: { id: string; collection?: string; links?: StacLink[] }, pageUrl: string, rootUri: string): string {
  const self = linksOf(item).find((l) => l.rel === 'self');
  if (self) return resolveHref(pageUrl, self.href);
  if (item.collection !== undefined) {
    return resolveHref(rootUri, `collections/${encodeURIComponent(item.collection)}/items/${encodeURIComponent(item.id)}`);
  }
  return pageUrl;
}

/** POST unless the landing page lists search links and none of them is POST. */
function postAllowed(root: StacCatalog | undefined): boolean {
  const search = linksOf(root).filter((l) => l.rel === 'search');
  return search.length === 0 || search.some((l) => (l.method ?? 'GET').toUpperCase() === 'POST');
}

/** `conformsTo` of the landing page, else of `/conformance` (OGC API Features puts it there). */
async function conformance(store: ObjectStore, rootUri: string, root: StacCatalog | undefined, opts: ApiSearchOptions): Promise<string[]> {
  let classes = root?.conformsTo;
  if (!Array.isArray(classes)) {
    const doc = await readOptional(store, resolveHref(rootUri, 'conformance'), opts);
    classes = isObject(doc) && Array.isArray(doc.conformsTo) ? (doc.conformsTo as string[]) : [];
  }
  return classes.filter((c): c is string => typeof c === 'string');
}

/** A document that helps but is not required (the landing page when given the search URL): absent → undefined. */
async function readOptional(store: ObjectStore, uri: string, opts: ApiSearchOptions): Promise<StacCatalog | undefined> {
  try {
    const doc = await readJson(store, uri, { signal: opts.signal, http: opts.http });
    return isObject(doc) ? (doc as unknown as StacCatalog) : undefined;
  } catch (err) {
    if (err instanceof ObjectNotFoundError || err instanceof HttpStatusError || err instanceof NotStacError) return undefined;
    throw err;
  }
}

function describe(req: SearchRequest): string {
  return req.method === 'POST' ? `POST ${req.url} ${JSON.stringify(req.body ?? {})}` : `GET ${req.url}`;
}
