/** STAC and media-type constants of the documents Tessera writes. */

/** Version of the STAC core spec our Items follow. */
export const STAC_VERSION = '1.0.0';

/**
 * Extension schema URLs. Projection stays at v1.1.0: v1.2.0 deprecates `proj:epsg` in favour of `proj:code`
 * and v2.0.0 removes it, while our Items carry `proj:epsg`. Raster and EO v1.1.0 are the last releases for
 * STAC 1.0 Items (their v2.0.0 targets STAC 1.1 `bands`).
 */
export const StacExtension = {
  Eo: 'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
  Projection: 'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
  Raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
} as const;

/** Media types of our assets and links (IANA, or the form the STAC best practices recommend). */
export const MediaType = {
  Cog: 'image/tiff; application=geotiff; profile=cloud-optimized',
  Png: 'image/png',
  Parquet: 'application/vnd.apache.parquet',
  Json: 'application/json',
  GeoJson: 'application/geo+json',
} as const;

/** Asset roles we use: COGs are `data`, PNG previews `overview` or `visual`, Parquet tables and manifests `metadata`. */
export const AssetRole = {
  Data: 'data',
  Overview: 'overview',
  Visual: 'visual',
  Metadata: 'metadata',
} as const;

/** `raster:bands[].data_type` values allowed by the raster extension v1.1.0. */
export const RASTER_DATA_TYPES = [
  'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
  'float16', 'float32', 'float64', 'cint16', 'cint32', 'cfloat32', 'cfloat64', 'other',
] as const;
export type RasterDataType = (typeof RASTER_DATA_TYPES)[number];
