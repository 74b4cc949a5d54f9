/**
 * The STAC 1.0.0 Collection over a set of output Items: its spatial extent is the smallest lon/lat box holding
 * every Item's bbox (crossing the antimeridian when that is smaller), its temporal extent the first and last
 * Item datetimes, and it links each Item.
 */
import { MediaType, STAC_VERSION } from './const';
import { StacInputError } from './errors';
import { checkLonLatBbox, type LonLatBbox } from './geometry';

/** One Item of the Collection. */
export interface CollectionItemRef {
  id: string;
  /** Where the Item is stored: absolute, or relative to the Collection document. */
  href: string;
  /** The Item's bbox [west, south, east, north] in degrees; west > east when it crosses the antimeridian. */
  bbox: readonly number[];
  /** The Item's datetime, RFC 3339 with a time zone. */
  datetime: string;
}

/** A provider as STAC 1.0.0 describes one. */
export interface StacProvider {
  name: string;
  description?: string;
  roles?: Array<'licensor' | 'producer' | 'processor' | 'host'>;
  url?: string;
}

export interface CollectionInput {
  id: string;
  title?: string;
  description: string;
  /**
   * SPDX license identifier of the data, or `various` / `proprietary` (STAC 1.0.0).
   * @default 'proprietary'
   */
  license?: string;
  /** At least one Item: the extent of an empty Collection would be undefined. */
  items: CollectionItemRef[];
  providers?: StacProvider[];
  /** Where the Collection will be stored: adds a `self` link. */
  selfHref?: string;
  /** The root Catalog. @default selfHref, else `./collection.json` (the Collection is its own root) */
  rootHref?: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
// The STAC 1.0.0 collection schema's pattern for `license`.
const LICENSE = /^[\w\-.+]+$/;

/**
 * Builds the Collection (a plain JSON-ready object with a fixed key order, so its bytes are stable).
 * @throws StacInputError for no items, an empty id/description/href, duplicate item ids, a bbox that is not a
 *   lon/lat box, a datetime that is not RFC 3339, or a license that is not an SPDX-style identifier.
 */
export function buildCollection(input: CollectionInput): object {
  const id = input.id;
  if (id.length === 0) throw new StacInputError('stac-collection', 'id is empty');
  if (input.description.length === 0) throw new StacInputError(id, 'description is empty');
  if (input.items.length === 0) throw new StacInputError(id, 'a Collection needs at least one Item to have an extent');
  const license = input.license ?? 'proprietary';
  if (!LICENSE.test(license)) throw new StacInputError(id, `license ${JSON.stringify(license)} is not an SPDX identifier, "various" or "proprietary"`);

  const seen = new Set<string>();
  const boxes: LonLatBbox[] = [];
  const times: Array<{ text: string; ms: number }> = [];
  for (const item of input.items) {
    if (item.id.length === 0) throw new StacInputError(id, 'an item id is empty');
    if (seen.has(item.id)) throw new StacInputError(id, `item ${item.id} is listed twice`);
    seen.add(item.id);
    if (item.href.length === 0) throw new StacInputError(id, `item ${item.id} href is empty`);
    const bbox = [...item.bbox];
    checkLonLatBbox(`${id}/${item.id}`, bbox);
    boxes.push(bbox);
    const ms = Date.parse(item.datetime);
    if (!RFC3339.test(item.datetime) || Number.isNaN(ms)) {
      throw new StacInputError(id, `item ${item.id} datetime ${JSON.stringify(item.datetime)} is not an RFC 3339 date-time with a time zone`);
    }
    times.push({ text: item.datetime, ms });
  }
  const first = times.reduce((a, b) => (b.ms < a.ms ? b : a));
  const last = times.reduce((a, b) => (b.ms > a.ms ? b : a));

  const links: Array<Record<string, string>> = [
    { rel: 'root', href: input.rootHref ?? input.selfHref ?? './collection.json', type: MediaType.Json },
  ];
  if (input.selfHref !== undefined) links.push({ rel: 'self', href: input.selfHref, type: MediaType.Json });
  for (const item of input.items) links.push({ rel: 'item', href: item.href, type: MediaType.GeoJson, title: item.id });

  const collection: Record<string, unknown> = {
    type: 'Collection',
    stac_version: STAC_VERSION,
    stac_extensions: [],
    id,
  };
  if (input.title !== undefined) collection.title = input.title;
  collection.description = input.description;
  collection.license = license;
  if (input.providers !== undefined) collection.providers = input.providers.map((p) => ({ ...p }));
  collection.extent = {
    spatial: { bbox: [unionBbox(boxes)] },
    temporal: { interval: [[first.text, last.text]] },
  };
  collection.links = links;
  return collection;
}

/**
 * The smallest [west, south, east, north] box holding every box, longitudes taken on the circle: the union of
 * their longitude arcs is the circle minus its largest gap, so boxes on both sides of 180° give a box that
 * crosses it (west > east) when that is narrower than going the long way round. Boxes covering every longitude
 * give [-180, …, 180, …].
 */
export function unionBbox(boxes: readonly LonLatBbox[]): LonLatBbox {
  if (boxes.length === 0) throw new StacInputError('bbox union', 'no boxes');
  const south = Math.min(...boxes.map((b) => b[1]));
  const north = Math.max(...boxes.map((b) => b[3]));
  // Longitude intervals on [-180, 180]; a crossing box is its two parts.
  const intervals: Array<[number, number]> = [];
  for (const [w, , e] of boxes) {
    if (w <= e) intervals.push([w, e]);
    else intervals.push([w, 180], [-180, e]);
  }
  intervals.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [w, e] of intervals) {
    const top = merged[merged.length - 1];
    if (top !== undefined && w <= top[1]) top[1] = Math.max(top[1], e);
    else merged.push([w, e]);
  }
  // Gaps between merged arcs, plus the one across the antimeridian from the last arc's end to the first's start.
  let gapStart = merged[merged.length - 1][1];
  let gapEnd = merged[0][0] + 360;
  let gapWidth = gapEnd - gapStart;
  for (let i = 0; i + 1 < merged.length; i++) {
    const width = merged[i + 1][0] - merged[i][1];
    if (width > gapWidth) [gapStart, gapEnd, gapWidth] = [merged[i][1], merged[i + 1][0], width];
  }
  if (gapWidth <= 0) return [-180, south, 180, north];
  // ±180 name the same meridian: pick the spelling that keeps an ordinary box from reading as a crossing one.
  const west = gapEnd >= 180 ? gapEnd - 360 : gapEnd;
  const east = gapStart === -180 ? 180 : gapStart;
  return [west, south, east, north];
}
