/**
 * How each product is stored: sample type, nodata, scale, overview resampling, COG profile and header metadata,
 * all read from the product's definition. Tile jobs encode with the same settings the assembler declares in the
 * COG header, so both derive them from here.
 */
import type { CogProfile } from '../raster/cog/profiles';
import type { CogSpec } from '../raster/cog/builder';
import { resolveTileEncoding, type TileEncoding } from '../raster/cog/tile-codec';
import { nodataValue, type ProductDtype } from '../raster/jobs/products/definition';
import type { GeoTransform } from '../raster/types';
import { productDefinition, withDependencies } from '../workflows/products';
import type { ProductDefinition } from '../workflows/products';
import type { RasterProduct, ScenePlan } from '../workflows/types';

export const TILE_SIZE_PX = 512;
export const PRODUCT_PROFILE: CogProfile = { compression: 'deflate', level: 6, tileSizePx: TILE_SIZE_PX };

/** The tile encoding of a stored sample type. */
export function dtypeEncoding(dtype: ProductDtype): TileEncoding {
  return resolveTileEncoding(PRODUCT_PROFILE, dtype, 1);
}

/** The tile encoding of a product. */
export function productEncoding(def: Pick<ProductDefinition, 'dtype'>): TileEncoding {
  return dtypeEncoding(def.dtype);
}

/** True when COGs of this size get overviews (the writer halves until both sides fit one tile). */
export function hasOverviews(plan: Pick<ScenePlan, 'width' | 'height'>): boolean {
  return plan.width > TILE_SIZE_PX || plan.height > TILE_SIZE_PX;
}

/** `re=band 17 (711 nm), r=band 13 (669 nm)`: the bands a product's chain reads. */
export function sourceBands(plan: Pick<ScenePlan, 'bands' | 'definitions'>, product: string): string {
  const roles = [...new Set(withDependencies(product, plan.definitions).flatMap((p) => productDefinition(p, plan.definitions).roles))];
  return roles
    .map((role) => plan.bands[role])
    .filter((b) => b !== undefined)
    .map((b) => `${b.role}=band ${b.index + 1} (${b.wavelengthNm} nm)`)
    .join(', ');
}

/**
 * The COG of a product: its sample type, nodata, scale/offset and unit (GDAL_METADATA band items), and dataset
 * items saying what it is: the variant, definition, formula and constants, mask, calibration, parameters and the
 * bands read.
 */
export function productCogSpec(plan: ScenePlan, product: RasterProduct): CogSpec {
  const def = productDefinition(product, plan.definitions);
  const chain = withDependencies(product, plan.definitions);
  const metadata: Record<string, string> = {
    TESSERA_PRODUCT: plan.variants[product] ?? product,
    TESSERA_DEFINITION: def.description,
    TESSERA_PARAMETERS: JSON.stringify(Object.fromEntries(chain.map((p) => [p, plan.params[p] ?? {}]))),
    TESSERA_SOURCE_BANDS: sourceBands(plan, product),
    TESSERA_SCENE: plan.sceneId,
  };
  if (def.source !== 'builtin') metadata.TESSERA_SOURCE = def.source;
  if (def.kernel.kind === 'formula' || def.kernel.kind === 'mask') {
    metadata.TESSERA_FORMULA = def.kernel.formula;
    if (def.kernel.constants && Object.keys(def.kernel.constants).length > 0) metadata.TESSERA_CONSTANTS = JSON.stringify(def.kernel.constants);
  }
  if (def.where) metadata.TESSERA_WHERE = def.where;
  if (def.reference) metadata.TESSERA_REFERENCE = def.reference;
  if (def.calibration) {
    metadata.TESSERA_CALIBRATION = `polynomial c0 + c1*x + c2*x^2 + ... of ${def.kernel.kind === 'formula' ? def.kernel.formula : product}`;
    metadata.TESSERA_CALIBRATION_COEFFICIENTS = def.calibration.coefficients.join(',');
    if (def.calibration.units) metadata.TESSERA_CALIBRATION_UNITS = def.calibration.units;
    if (def.calibration.reference) metadata.TESSERA_CALIBRATION_REFERENCE = def.calibration.reference;
  }
  return {
    width: plan.width,
    height: plan.height,
    bandCount: 1,
    sampleType: def.dtype,
    nodata: nodataValue(def),
    bands: [
      {
        description: product,
        metadata: {},
        ...(def.scale ? { scale: def.scale.factor, offset: def.scale.offset } : {}),
        ...(def.calibration?.units ? { unit: def.calibration.units } : {}),
      },
    ],
    geo: plan.geoTransform ? { epsg: plan.epsg ?? undefined, geoTransform: plan.geoTransform as GeoTransform } : undefined,
    datasetMetadata: metadata,
    profile: PRODUCT_PROFILE,
    overviewResampling: def.overviewResampling,
  };
}
