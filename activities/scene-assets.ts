/**
 * The STAC asset of each output file of a scene: a key people can type (`ndci`, `preview_rgb`, `catalog_water`,
 * `vectors_water_geoparquet`, `water_epsg3857`, `quicklook`), the media type and roles of its role and format,
 * and what the file alone cannot say (a copy's grid, a polygon file's mask and count, a COG's statistics).
 */
import { AssetRole, MediaType } from '../raster/stac/const';
import type { AssetStatistics, OutputAsset } from '../raster/stac/output-item';
import type { ProductDefinition } from '../workflows/products';
import type { OutputFile, VectorFormat } from '../workflows/types';

/** What a file's partition adds to its asset: the product definition (data type, nodata) and COG statistics. */
export interface AssetContext {
  def?: Pick<ProductDefinition, 'dtype' | 'nodata'>;
  statistics?: AssetStatistics;
}

const VECTOR_TYPES: Record<VectorFormat, { type: string; label: string }> = {
  geoparquet: { type: MediaType.Parquet, label: 'GeoParquet' },
  geojson: { type: MediaType.GeoJson, label: 'GeoJSON' },
};

/** The asset of one output; `ctx` comes from the partition the file belongs to. */
export function sceneAsset(o: OutputFile, ctx: AssetContext = {}): OutputAsset {
  const base = { href: o.uri, product: o.product };
  switch (o.role) {
    case 'cog':
      return {
        ...base,
        key: o.product ?? 'cog',
        title: `${o.product ?? ''} COG`.trim(),
        type: MediaType.Cog,
        roles: [AssetRole.Data],
        dataType: ctx.def?.dtype ?? 'float32',
        nodata: ctx.def?.nodata ?? 'nan',
        statistics: ctx.statistics,
      };
    case 'reprojected': {
      const epsg = o.proj?.epsg ?? epsgFromUri(o.uri);
      return {
        ...base,
        key: `${o.product ?? 'cog'}_epsg${epsg}`,
        title: `${o.product ?? ''} COG in EPSG:${epsg}`.trim(),
        type: MediaType.Cog,
        roles: [AssetRole.Data],
        dataType: ctx.def?.dtype ?? 'float32',
        nodata: ctx.def?.nodata ?? 'nan',
        // A warped copy's values are resampled: the source COG's statistics do not describe it.
        ...(o.proj ? { proj: o.proj } : {}),
      };
    }
    case 'vector': {
      const v = vectorOf(o);
      return {
        ...base,
        key: `vectors_${v.name}_${v.format}`,
        title: `${v.name} polygons (${VECTOR_TYPES[v.format].label}${v.format === 'geojson' ? ', WGS 84' : ''})`,
        type: VECTOR_TYPES[v.format].type,
        roles: [AssetRole.Data],
        ...(v.polygons !== undefined ? { vector: { mask: v.name, polygons: v.polygons } } : {}),
      };
    }
    case 'quicklook':
      return { ...base, key: 'quicklook', title: 'quick-look page', type: 'text/html', roles: [AssetRole.Overview] };
    case 'preview':
      return { ...base, key: `preview_${o.product}`, title: `${o.product} preview`, type: MediaType.Png, roles: [AssetRole.Overview, AssetRole.Visual] };
    case 'table': {
      const table = o.uri.includes('/tables/catalog/') ? 'catalog' : 'tile_stats';
      return {
        ...base,
        key: `${table}_${o.product}`,
        title: `${o.product} ${table === 'catalog' ? 'catalog row' : 'tile statistics'} (Parquet)`,
        type: MediaType.Parquet,
        roles: [AssetRole.Metadata],
      };
    }
    case 'stac':
      return { ...base, key: 'stac', title: 'STAC item', type: MediaType.GeoJson, roles: [AssetRole.Metadata] };
    case 'manifest':
      return { ...base, key: 'manifest', title: 'manifest', type: MediaType.Json, roles: [AssetRole.Metadata] };
  }
}

/**
 * A polygon file's mask, format and count: from the file's record, else from its name (`vectors/<mask>.parquet`),
 * for a file recorded before the record carried them.
 */
export function vectorOf(o: Pick<OutputFile, 'uri' | 'vector'>): { name: string; format: VectorFormat; polygons?: number } {
  if (o.vector) return o.vector;
  const file = o.uri.slice(o.uri.lastIndexOf('/') + 1);
  const dot = file.lastIndexOf('.');
  return { name: file.slice(0, dot), format: file.slice(dot + 1) === 'geojson' ? 'geojson' : 'geoparquet' };
}

/** `cog/<variant>.<epsg>.tif` → epsg. */
function epsgFromUri(uri: string): number | string {
  const m = /\.(\d+)\.tif$/.exec(uri);
  return m ? Number(m[1]) : 'unknown';
}
