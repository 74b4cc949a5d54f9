/**
 * The product registry: what each built-in product is, as data (ProductDefinition, raster/jobs/products/
 * definition.ts). Plan, tile job, statistics, COG assembly, previews, STAC, the catalog table and the content key
 * all read definitions: these for the built-ins, and for products a run asks for by name (catalog and wavelength
 * indices) or defines (`--index`, `--calibrate`), the definitions the plan resolved and carries
 * (`ScenePlan.definitions`). Adding a built-in touches this table only.
 *
 * Pure (no Node APIs): the workflow, the CLI and activities all import it.
 */
import type { ProductDefinition } from '../raster/jobs/products/definition';
import type { ProductName } from './types';

export type { Calibration, PreviewStyle, ProductDefinition, ProductKernel } from '../raster/jobs/products/definition';

/** Definitions by product name: the registry, or a plan's definitions. */
export type ProductDefinitions = Readonly<Record<string, ProductDefinition>>;

const INDEX = { histogramRange: [-1, 1] as [number, number] };

export const PRODUCTS: ProductDefinitions = {
  ndwi: {
    name: 'ndwi',
    description: 'NDWI (G - N) / (G + N), N clamped to >= 0',
    source: 'builtin',
    roles: ['g', 'n'],
    dependsOn: [],
    kernel: { kind: 'hab', output: 'ndwi' },
    params: {},
    version: 1,
    output: 'cog',
    dtype: 'float32',
    nodata: 'nan',
    overviewResampling: 'average',
    statistics: INDEX,
  },
  water: {
    name: 'water',
    description: 'Water mask: NDWI > threshold (1 water, 0 not water, 255 nodata)',
    source: 'builtin',
    roles: ['g', 'n'],
    dependsOn: [],
    kernel: { kind: 'hab', output: 'water' },
    params: { threshold: 0.3 },
    version: 1,
    output: 'cog',
    dtype: 'uint8',
    nodata: 255,
    overviewResampling: 'nearest',
    statistics: { ...INDEX, counters: 'water' },
  },
  ndci: {
    name: 'ndci',
    description: 'NDCI (RE - R) / (RE + R) inside water, RE clamped to >= 0; bloom where NDCI > threshold',
    source: 'builtin',
    roles: ['g', 'n', 're', 'r'],
    dependsOn: ['water'],
    kernel: { kind: 'hab', output: 'ndci' },
    params: { threshold: 0.3 },
    version: 1,
    output: 'cog',
    dtype: 'float32',
    nodata: 'nan',
    where: 'water',
    overviewResampling: 'average',
    statistics: { ...INDEX, counters: 'bloom' },
    // Viridis from -0.3 up to the bloom threshold, so every bloom pixel shows the top colour.
    preview: { kind: 'colormap', colormap: 'viridis', range: [-0.3, 'threshold'] },
  },
  ndvi: {
    name: 'ndvi',
    description: 'NDVI (N - R) / (N + R)',
    source: 'builtin',
    roles: ['n', 'r'],
    dependsOn: [],
    kernel: { kind: 'hab', output: 'ndvi' },
    params: {},
    version: 1,
    output: 'cog',
    dtype: 'float32',
    nodata: 'nan',
    overviewResampling: 'average',
    statistics: INDEX,
  },
  rgb: {
    name: 'rgb',
    description: 'True-colour preview, 2-98 percentile stretch per band',
    source: 'builtin',
    roles: ['red', 'green', 'blue'],
    dependsOn: [],
    kernel: { kind: 'rgb' },
    params: {},
    version: 1,
    output: 'preview',
    dtype: 'float32',
    nodata: 'nan',
    overviewResampling: 'average',
    statistics: INDEX,
    preview: { kind: 'rgb', stretchPercent: [2, 98] },
  },
};

/**
 * Published calibrations a run can name (`--calibrate chla=ndci:mishra2012`) instead of giving coefficients.
 * Mishra & Mishra (2012) fitted chlorophyll-a to NDCI from MERIS bands 9 (708 nm) and 7 (665 nm) over turbid
 * productive waters (Chesapeake and Delaware Bays, Mobile Bay, Mississippi River).
 */
export const CALIBRATIONS: Readonly<Record<string, { coefficients: number[]; units: string; reference: string; description: string }>> = {
  mishra2012: {
    coefficients: [14.039, 86.115, 194.325],
    units: 'mg m-3',
    description: 'chlorophyll-a from NDCI: Chl-a = 14.039 + 86.115·NDCI + 194.325·NDCI²',
    reference:
      'Mishra, S., Mishra, D. R. (2012). Normalized difference chlorophyll index: A novel model for remote estimation of chlorophyll-a concentration in turbid productive waters. Remote Sensing of Environment 117, 394-406. doi:10.1016/j.rse.2011.10.016',
  },
};

/** Bump when a shared stage changes the bytes of every product (tiling, COG layout, statistics, tables). */
export const PIPELINE_VERSION = 1;
/** Bump when the formula engine's results change: every formula product's partitions become stale. */
export const FORMULA_VERSION = 1;

/** A product's definition among `defs` (a plan's), else the registry's. */
export function productDefinition(product: ProductName, defs?: ProductDefinitions): ProductDefinition {
  const def = defs?.[product] ?? PRODUCTS[product];
  if (!def) throw new ProductParamError(`"${product}" is not a product of this run (built-ins: ${Object.keys(PRODUCTS).join(', ')})`);
  return def;
}

/**
 * The code-version part of a product's partition key, e.g. `pipeline.v1/ndci.v1/water.v1`; with a formula
 * product in the chain, `formula.v<n>` too.
 */
export function productCodeVersion(product: ProductName, defs?: ProductDefinitions): string {
  const chain = withDependencies(product, defs).reverse();
  const formula = chain.some((p) => productDefinition(p, defs).kernel.kind !== 'hab' && productDefinition(p, defs).kernel.kind !== 'rgb');
  return [`pipeline.v${PIPELINE_VERSION}`, ...(formula ? [`formula.v${FORMULA_VERSION}`] : []), ...chain.map((p) => `${p}.v${productDefinition(p, defs).version}`)].join('/');
}

/** A parameter override that names no product or parameter of the run. */
export class ProductParamError extends Error {
  override readonly name = 'ProductParamError';
  /** A parameter the registry does not know stays unknown on a retry. */
  get retryable(): boolean {
    return false;
  }
}

/**
 * Checks overrides (`{ 'ndci.threshold': 0.25 }`) against the registry, or against a run's definitions.
 * @throws ProductParamError naming the key and what the product accepts.
 */
export function checkParams(params: Readonly<Record<string, number>> | undefined, defs: ProductDefinitions = PRODUCTS): void {
  for (const [key, value] of Object.entries(params ?? {})) {
    const [product, param, extra] = key.split('.');
    const def = defs[product];
    if (!def || !param || extra !== undefined) throw new ProductParamError(`"${key}" is not <product>.<param> (products: ${Object.keys(defs).join(', ')})`);
    if (!Object.prototype.hasOwnProperty.call(def.params, param)) {
      const known = Object.keys(def.params);
      throw new ProductParamError(`${product} has no parameter "${param}" (${known.length ? `it has ${known.join(', ')}` : 'it has none'})`);
    }
    if (!Number.isFinite(value)) throw new ProductParamError(`${key} = ${value} is not a finite number`);
  }
}

/** The parameters a product runs with: its defaults, overridden by `params`; a parameter without either is left out. */
export function productParams(product: ProductName, params?: Readonly<Record<string, number>>, defs?: ProductDefinitions): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, dflt] of Object.entries(productDefinition(product, defs).params)) {
    const v = params?.[`${product}.${key}`] ?? dflt;
    if (v !== null) out[key] = v;
  }
  return out;
}

/** The product and every product it depends on, transitively, each once, dependencies first. */
export function withDependencies(product: ProductName, defs?: ProductDefinitions): ProductName[] {
  const out: ProductName[] = [];
  const visit = (p: ProductName) => {
    if (out.includes(p)) return;
    for (const d of productDefinition(p, defs).dependsOn) visit(d);
    if (!out.includes(p)) out.push(p);
  };
  visit(product);
  return out;
}

/**
 * The parameters that shape a product's pixels: its own and its dependencies', keyed `product.param`, only
 * those that differ from the defaults. Empty for a product run with its defaults.
 */
export function nonDefaultParams(product: ProductName, params?: Readonly<Record<string, number>>, defs?: ProductDefinitions): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of withDependencies(product, defs)) {
    const effective = productParams(p, params, defs);
    const defaults = productDefinition(p, defs).params;
    for (const [k, v] of Object.entries(effective)) if (v !== defaults[k]) out[`${p}.${k}`] = v;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The variant name outputs are stored under: the product name with default parameters, else `name@<8 hex>` of
 * the non-default parameters. Two parameter sets of one product therefore never share an object key, and the
 * default set keeps the plain name users expect (`cog/ndci.tif`).
 */
export function productVariant(product: ProductName, params?: Readonly<Record<string, number>>, defs?: ProductDefinitions): string {
  const diff = nonDefaultParams(product, params, defs);
  if (Object.keys(diff).length === 0) return product;
  return `${product}@${fnv1a64Hex(JSON.stringify(diff)).slice(0, 8)}`;
}

/** Products of `products` written as COGs, in order (the plan's definitions first, then the registry). */
export function cogProductsOf(products: readonly ProductName[], defs?: ProductDefinitions): ProductName[] {
  return products.filter((p) => (defs?.[p] ?? PRODUCTS[p])?.output === 'cog');
}

/** Whether any of `products` is previewed (RGB, NDCI's viridis, a custom product with a preview style). */
export function previewsOf(products: readonly ProductName[], defs?: ProductDefinitions): ProductName[] {
  return products.filter((p) => (defs?.[p] ?? PRODUCTS[p])?.preview !== undefined);
}

/** 16 hex digits of FNV-1a (64-bit) over the UTF-8 bytes of `text`. Deterministic, usable in workflow code. */
export function fnv1a64Hex(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
