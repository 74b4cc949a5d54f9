/**
 * The parts of STAC documents the listing reads, typed loosely (everything is optional, because catalogs in
 * the wild omit fields), plus the helpers that read times and footprints off an item.
 * STAC 1.0/1.1: https://github.com/radiantearth/stac-spec
 */
import type { Bbox } from './scene-types';

export interface StacLink {
  href: string;
  rel: string;
  type?: string;
  /** STAC API paging links: HTTP method (@default 'GET'), body, headers, and whether the body merges. */
  method?: string;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  merge?: boolean;
}

export interface StacAsset {
  href?: string;
  type?: string;
  roles?: string[];
  'eo:bands'?: unknown[];
  /** STAC 1.1 moved band lists to `bands` (with `eo:center_wavelength` inside). */
  bands?: unknown[];
  [key: string]: unknown;
}

export interface StacItem {
  type: 'Feature';
  id: string;
  collection?: string;
  bbox?: number[];
  geometry?: { type: string; coordinates?: unknown; geometries?: unknown[] } | null;
  properties: Record<string, unknown>;
  assets?: Record<string, StacAsset>;
  links?: StacLink[];
}

export interface StacCatalog {
  type: 'Catalog' | 'Collection';
  id?: string;
  links?: StacLink[];
  conformsTo?: string[];
}

/** What a JSON document is, by its `type` field. */
export function stacType(doc: unknown): 'Feature' | 'Catalog' | 'Collection' | 'FeatureCollection' | undefined {
  const t = isObject(doc) ? doc.type : undefined;
  return t === 'Feature' || t === 'Catalog' || t === 'Collection' || t === 'FeatureCollection' ? t : undefined;
}

export function isStacItem(doc: unknown): doc is StacItem {
  return stacType(doc) === 'Feature' && typeof (doc as StacItem).id === 'string';
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The links of a document that are well-formed (an object with string `href` and `rel`). */
export function linksOf(doc: unknown): StacLink[] {
  const links = isObject(doc) ? doc.links : undefined;
  if (!Array.isArray(links)) return [];
  return links.filter((l): l is StacLink => isObject(l) && typeof l.href === 'string' && typeof l.rel === 'string');
}

/**
 * The item's time span in ms since the epoch: `[datetime, datetime]`, or `[start_datetime, end_datetime]` when
 * datetime is null (either end may be missing: open). `undefined` when the item has no usable time.
 */
export function itemTimeRangeMs(item: StacItem): [number, number] | undefined {
  const p = item.properties ?? {};
  const at = parseTimeMs(p.datetime);
  if (at !== undefined) return [at, at];
  const start = parseTimeMs(p.start_datetime);
  const end = parseTimeMs(p.end_datetime);
  if (start === undefined && end === undefined) return undefined;
  return [start ?? -Infinity, end ?? Infinity];
}

/** The item's RFC 3339 time for a SceneRef: `datetime`, else `start_datetime`, else null. */
export function itemDatetime(item: StacItem): string | null {
  const p = item.properties ?? {};
  for (const v of [p.datetime, p.start_datetime]) if (typeof v === 'string' && parseTimeMs(v) !== undefined) return v;
  return null;
}

/**
 * The item's 2D bbox: `bbox` (a 3D bbox loses its heights), else the extent of its geometry. A bbox whose
 * west is greater than its east crosses the antimeridian, as STAC allows.
 */
export function itemBbox(item: StacItem): Bbox | undefined {
  const b = item.bbox;
  if (Array.isArray(b) && b.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    if (b.length === 4) return [b[0], b[1], b[2], b[3]];
    if (b.length === 6) return [b[0], b[1], b[3], b[4]];
  }
  return item.geometry ? geometryExtent(item.geometry) : undefined;
}

/** Min/max over every position of a GeoJSON geometry; undefined for an empty or malformed one. */
export function geometryExtent(geometry: unknown): Bbox | undefined {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      w = Math.min(w, c[0]);
      e = Math.max(e, c[0]);
      s = Math.min(s, c[1]);
      n = Math.max(n, c[1]);
      return;
    }
    for (const x of c) visit(x);
  };
  const walk = (g: unknown): void => {
    if (!isObject(g)) return;
    if (Array.isArray(g.geometries)) for (const x of g.geometries) walk(x);
    else visit(g.coordinates);
  };
  walk(geometry);
  return Number.isFinite(w) && Number.isFinite(s) ? [w, s, e, n] : undefined;
}

/** Date.parse for strings only, undefined for anything that is not a time. */
export function parseTimeMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}
