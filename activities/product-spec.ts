/**
 * How each product is stored: sample type, nodata, overview resampling and COG profile. Tile jobs encode with
 * the same settings the assembler declares in the COG header, so both derive them from here.
 */
import type { CogProfile } from '../raster/cog/profiles';
import type { CogSpec } from '../raster/cog/builder';
import { resolveTileEncoding, type TileEncoding } from '../raster/cog/tile-codec';
import { WATER_NODATA } from '../raster/jobs/hab-tile';
import type { GeoTransform } from '../raster/types';
import { PRODUCTS, withDependencies } from '../workflows/products';
import type { RasterProduct, ScenePlan } from '../workflows/types';

export const TILE_SIZE_PX = 512;
export const PRODUCT_PROFILE: CogProfile = { compression: 'deflate', level: 6, tileSizePx: TILE_SIZE_PX };


export function productSampleType(product: RasterProduct) {
  return product === 'water' ? ('uint8' as const) : ('float32' as const);
}

export function productEncoding(product: RasterProduct): TileEncoding {
  return resolveTileEncoding(PRODUCT_PROFILE, productSampleType(product), 1);
}

/** True when COGs of this size get overviews (the writer halves until both sides fit one tile). */
export function hasOverviews(plan: Pick<ScenePlan, 'width' | 'height'>): boolean {
  return plan.width > TILE_SIZE_PX || plan.height > TILE_SIZE_PX;
}

export function productCogSpec(plan: ScenePlan, product: RasterProduct): CogSpec {
  const sourceBands = PRODUCTS[product].roles
    .map((role) => plan.bands[role])
    .filter((b) => b !== undefined)
    .map((b) => `${b.role}=band ${b.index + 1} (${b.wavelengthNm} nm)`)
    .join(', ');
  return {
    width: plan.width,
    height: plan.height,
    bandCount: 1,
    sampleType: productSampleType(product),
    nodata: product === 'water' ? WATER_NODATA : NaN,
    bands: [{ description: product, metadata: {} }],
    geo: plan.geoTransform ? { epsg: plan.epsg ?? undefined, geoTransform: plan.geoTransform as GeoTransform } : undefined,
    datasetMetadata: {
      TESSERA_PRODUCT: plan.variants[product] ?? product,
      TESSERA_DEFINITION: PRODUCTS[product].description,
      TESSERA_PARAMETERS: JSON.stringify(Object.fromEntries(withDependencies(product).map((p) => [p, plan.params[p] ?? {}]))),
      TESSERA_SOURCE_BANDS: sourceBands,
      TESSERA_SCENE: plan.sceneId,
    },
    profile: PRODUCT_PROFILE,
    overviewResampling: product === 'water' ? 'nearest' : 'average',
  };
}
