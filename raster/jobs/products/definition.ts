/**
 * What a product is, as data: the one type every stage reads (plan, tile job, statistics, COG header, previews,
 * STAC, catalog rows, content keys). Built-in products are entries of the registry (workflows/products.ts);
 * products asked for at run time (catalog indices by name, wavelength indices, `--index NAME=EXPR`, calibrations)
 * are resolved at plan time into the same type and carried in the plan.
 *
 * Plain JSON throughout (no NaN, no functions): definitions cross Temporal in the plan. Declared here, in raster/,
 * because the tile job runs them; the workflows layer re-exports the types.
 */

/** The roles of the fused HAB kernel (raster/indices/hab.ts HAB_ROLES: a catalog range and a tuned target). */
export type HabRoleName = 'g' | 'n' | 're' | 'r' | 'red' | 'green' | 'blue';
export const HAB_ROLE_NAMES: readonly HabRoleName[] = ['g', 'n', 're', 'r', 'red', 'green', 'blue'];

/** The outputs of the fused HAB kernel (raster/indices/hab-fused.ts). */
export type HabOutput = 'ndwi' | 'water' | 'ndci' | 'ndvi';

/** How a product's pixels are computed. */
export type ProductKernel =
  /**
   * One output of the fused HAB kernel: NDWI, the water mask, NDCI inside water and NDVI in one pass over the
   * tile. The registry selects it for the built-ins as their optimised implementation.
   */
  | { kind: 'hab'; output: HabOutput }
  /**
   * A formula of the index engine (raster/indices: `+ - * / **`, numbers, catalog band keys such as `N` or `RE1`,
   * wavelength names `R709`/`W709`, constants, and names of other products, whose values it reads).
   * `constants` holds every constant's value once the product is resolved on a sensor.
   */
  | { kind: 'formula'; formula: string; constants?: Record<string, number> }
  /**
   * A mask: `left op right`, two formulas compared as float32 values, as `ndci > 0.3` compares in numpy on the
   * written rasters. 1 where it holds, 0 where not, 255 where either side is nodata. `right` may be a number.
   */
  | { kind: 'mask'; formula: string; left: string; op: ComparisonOp; right: string; constants?: Record<string, number> }
  /** Reflectance planes of the true-colour preview (no raster of its own). */
  | { kind: 'rgb' };

export type ComparisonOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/**
 * A polynomial turning a product's value x into a physical quantity: c0 + c1·x + c2·x² + …, evaluated in float64
 * and stored as float32 like every formula value.
 */
export interface Calibration {
  kind: 'polynomial';
  /** c0, c1, c2, … (at least one; finite). */
  coefficients: number[];
  /** Unit of the quantity, written as the COG band's unit type and in STAC (e.g. `mg m-3`). */
  units?: string;
  /** Where the polynomial comes from (citation). */
  reference?: string;
}

/** How a product is previewed, when it is. */
export type PreviewStyle =
  /** True colour: three reflectance planes, each stretched between two percentiles to 1..255 (0 = nodata). */
  | { kind: 'rgb'; stretchPercent: [number, number] }
  /**
   * A colour map over a value range; an end given as a string names a parameter of the product (the NDCI preview
   * tops out at the bloom threshold, whatever the run sets it to). Masks are previewed as 0/1 values.
   */
  | { kind: 'colormap'; colormap: 'viridis'; range: [number | string, number | string] };

/** Scene counters a product's statistics carry beyond its own values. */
export type ProductCounters =
  /** Valid input = the water mask's valid pixels; water pixels and area. */
  | 'water'
  /** As 'water', plus bloom: water pixels whose value is above the product's `threshold` parameter. */
  | 'bloom';

/** Sample types a product may be written as. */
export type ProductDtype = 'float32' | 'uint8' | 'int16';

export interface ProductDefinition {
  /** Unique in a run; an identifier (`[A-Za-z_][A-Za-z0-9_]*`), so formulas can refer to it. */
  name: string;
  /** One line for COG metadata, STAC and `tessera indices list`. */
  description: string;
  /** Where the definition comes from. */
  source: 'builtin' | 'catalog' | 'wavelength' | 'custom';
  /**
   * Band inputs the product's kernel reads, by the name the plan matches them under (`ScenePlan.bands`): HAB roles
   * (`g`), catalog band keys (`RE1`) and wavelength names (`R709`). Products it reads the values of are `refs`.
   */
  roles: readonly string[];
  /** Products whose values this one reads (formula references, the `where` mask, NDCI's water), direct ones only. */
  dependsOn: readonly string[];
  /** Formula identifier → the product it names (`NDCI` → `ndci`), for formula and mask kernels. */
  refs?: Readonly<Record<string, string>>;
  kernel: ProductKernel;
  /**
   * Tunable parameters and their defaults; overridden per run as `<product>.<param>=<value>` (`--param`, and
   * `--const` for formula constants). `null`: no default (the run must give one, or it comes from the bands, as
   * the catalog's `lambdaN` does).
   */
  params: Readonly<Record<string, number | null>>;
  /**
   * Version of the code that computes the product. Bump it when the product's pixels or statistics change for
   * the same input and parameters: every partition computed before then becomes stale.
   */
  version: number;
  /** `cog`: a raster product; `preview`: only a PNG. */
  output: 'cog' | 'preview';
  dtype: ProductDtype;
  /** Nodata of the stored samples: `'nan'` for float32, 255 for masks, -32768 for int16. */
  nodata: number | 'nan';
  /**
   * Stored integers → values, as GDAL's band scale and offset: value = stored · factor + offset. Only for int16
   * products, which store round((value − offset) / factor).
   */
  scale?: { factor: number; offset: number };
  /** A mask product: this product is nodata wherever the mask is not 1. */
  where?: string;
  overviewResampling: 'average' | 'nearest';
  statistics: {
    /** Range of the histogram scene percentiles are merged from; values outside fall into the end bins. */
    histogramRange: [number, number];
    counters?: ProductCounters;
  };
  preview?: PreviewStyle;
  calibration?: Calibration;
  /** Where the definition is published (wavelength indices, calibrations). */
  reference?: string;
}

/** Nodata written in masks (1 = true, 0 = false). */
export const MASK_NODATA = 255;
/** Nodata of int16 products. */
export const INT16_NODATA = -32768;
/** Bins of the per-tile histograms that scene-level percentiles are merged from. */
export const HISTOGRAM_BINS = 1024;
/** Index products lie in [-1, 1]: the histogram range unless a definition says otherwise. */
export const DEFAULT_HISTOGRAM_RANGE: [number, number] = [-1, 1];

/** A mask product (uint8 1/0/255): the water mask or a comparison. */
export function isMask(def: Pick<ProductDefinition, 'kernel' | 'dtype'>): boolean {
  return def.kernel.kind === 'mask' || (def.kernel.kind === 'hab' && def.kernel.output === 'water');
}

/** The nodata value as a number (NaN for `'nan'`). */
export function nodataValue(def: Pick<ProductDefinition, 'nodata'>): number {
  return def.nodata === 'nan' ? NaN : def.nodata;
}

/** A product name may be referred to in formulas, so it is an identifier; it also names the COG file. */
export const PRODUCT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
