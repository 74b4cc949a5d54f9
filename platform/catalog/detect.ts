/**
 * What kind of source `tessera backfill SOURCE` was given, decided from the URI first and from the first
 * document only when the URI does not say:
 * - `…/search` on http(s): a STAC API search endpoint;
 * - a glob character in the path (`*`, `?`, `[`, `{`): a glob; a trailing `/`: a prefix (file, s3, memory);
 * - `.tif` / `.tiff`: one GeoTIFF;
 * - otherwise the document: an API landing page (a Catalog whose `conformsTo` has item-search), a Catalog, a
 *   Collection or an Item. A file:// or s3:// URI with nothing under it as an object is read as a prefix
 *   (a directory given without its trailing slash).
 */
import type { SourceKind } from './scene-types';
import { InvalidUriError } from '../storage/errors';
import type { ObjectStore } from '../storage/object-store';
import { normalizeUri } from '../storage/uri';
import { NotStacError } from './errors';
import { isGlob, splitGlob } from './glob';
import { isHttpUri, resolveHref } from './href';
import { type ReadJsonOptions, readJson } from './read-json';
import { type StacCatalog, type StacItem, isObject, isStacItem, linksOf, stacType } from './stac';

export type ResolvedSource =
  /** `root` is the landing page when it was read to decide (absent when the source was the search URL). */
  | { kind: 'stac-api'; rootUri: string; searchUri: string; root?: StacCatalog }
  | { kind: 'stac-catalog' | 'stac-collection'; uri: string; doc: StacCatalog }
  | { kind: 'stac-item'; uri: string; doc: StacItem }
  | { kind: 'prefix'; prefixUri: string }
  | { kind: 'glob'; prefixUri: string; pattern: string }
  | { kind: 'geotiff'; uri: string };

const TIFF_RE = /\.tiff?$/i;
const SEARCH_RE = /\/search\/?$/;

/** Conformance classes that mean `POST/GET /search` exists (STAC API 1.0 and its release candidates). */
export function hasItemSearch(conformsTo: unknown): boolean {
  return Array.isArray(conformsTo) && conformsTo.some((c) => typeof c === 'string' && /\/item-search\/?$/.test(c));
}

/**
 * Resolves a source to its kind and canonical URI, reading at most one document.
 * @throws InvalidUriError for a URI no store knows; NotStacError for a document that is JSON but not a STAC
 *   item, catalog, collection or API landing page; ObjectNotFoundError when a named document does not exist.
 */
export async function resolveSource(store: ObjectStore, source: string, opts: ReadJsonOptions = {}): Promise<ResolvedSource> {
  if (isHttpUri(source)) return resolveHttp(store, source, opts);
  if (isGlob(source)) return { kind: 'glob', ...splitGlob(source) };
  const uri = normalizeUri(source);
  if (uri.endsWith('/')) return { kind: 'prefix', prefixUri: uri };
  if (TIFF_RE.test(uri)) return { kind: 'geotiff', uri };
  if (!/\.json$/i.test(uri) && (await store.head(uri)) === undefined) return { kind: 'prefix', prefixUri: `${uri}/` };
  return classify(uri, await readJson(store, uri, opts));
}

/** The kind of a source (see resolveSource, which this calls). */
export async function detectSource(store: ObjectStore, source: string, opts: ReadJsonOptions = {}): Promise<SourceKind> {
  return (await resolveSource(store, source, opts)).kind;
}

async function resolveHttp(store: ObjectStore, source: string, opts: ReadJsonOptions): Promise<ResolvedSource> {
  const path = source.split(/[?#]/)[0];
  if (SEARCH_RE.test(path)) {
    return { kind: 'stac-api', rootUri: path.replace(SEARCH_RE, '/'), searchUri: source };
  }
  if (TIFF_RE.test(path)) return { kind: 'geotiff', uri: source };
  return classify(source, await readJson(store, source, opts));
}

function classify(uri: string, doc: unknown): ResolvedSource {
  const type = stacType(doc);
  if ((type === 'Catalog' || type === 'Collection') && hasItemSearch((doc as StacCatalog).conformsTo)) {
    if (!isHttpUri(uri)) throw new InvalidUriError(uri, 'a STAC API landing page must be read over http(s)');
    const search = linksOf(doc).find((l) => l.rel === 'search');
    return { kind: 'stac-api', rootUri: uri, searchUri: resolveHref(uri, search?.href ?? './search'), root: doc as StacCatalog };
  }
  if (type === 'Catalog') return { kind: 'stac-catalog', uri, doc: doc as StacCatalog };
  if (type === 'Collection') return { kind: 'stac-collection', uri, doc: doc as StacCatalog };
  if (isStacItem(doc)) return { kind: 'stac-item', uri, doc };
  const got = isObject(doc) && typeof doc.type === 'string' ? `type "${doc.type}"` : 'no "type"';
  throw new NotStacError(uri, `expected a STAC item, catalog, collection or API landing page, got ${got}`);
}
