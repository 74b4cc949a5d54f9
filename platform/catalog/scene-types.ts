/**
 * What a catalog source yields and how it is filtered. These cross Temporal as JSON (a backfill's listing is
 * written to the store in pages and read back by the workflow), so they hold URIs, ids and small numbers only.
 */

/** [west, south, east, north] in degrees, WGS 84. */
export type Bbox = [number, number, number, number];

/** Filters applied to a source. Every field is optional; an absent field matches everything. */
export interface SceneFilters {
  /** STAC collection ids; an item outside them is skipped. */
  collections?: string[];
  /** Items whose bbox (or geometry's extent) intersects this box. */
  bbox?: Bbox;
  /**
   * RFC 3339 interval `A/B` as STAC API `datetime` takes it: either end may be `..` (open). A single instant
   * is also accepted. Items match on `datetime`, or on `start_datetime`/`end_datetime` when datetime is null.
   */
  datetime?: string;
  /** CQL2-JSON filter expression (e.g. `{"op":"<","args":[{"property":"eo:cloud_cover"},20]}`). */
  filter?: unknown;
  /** At most this many scenes in total. */
  limit?: number;
  /** Which asset of an item to read; default: the one with a GeoTIFF/COG media type and `eo:bands`. */
  asset?: string;
}

/** One scene of a source: the GeoTIFF to read and what the listing knew about it. */
export interface SceneRef {
  /** STAC item id, or the file stem for a bare GeoTIFF. Not yet sanitised for keys. */
  id: string;
  /** The GeoTIFF asset (absolute URI: file://, s3://, http(s)://). */
  assetUri: string;
  /** The STAC item (absolute URI) when the scene came from STAC; planScene reads band info from it. */
  itemUri?: string;
  collection?: string;
  /** RFC 3339, from the item; null when unknown. */
  datetime: string | null;
  /** WGS 84 bbox from the item, when it has one. */
  bbox?: Bbox;
  /** Why this item cannot be processed (no usable GeoTIFF asset); the scene then fails with this reason. */
  unusable?: string;
}

/** Kinds of source `tessera backfill SOURCE` understands; detected from the URI and the first document read. */
export type SourceKind = 'stac-api' | 'stac-catalog' | 'stac-collection' | 'stac-item' | 'prefix' | 'glob' | 'geotiff';
